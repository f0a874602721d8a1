//! Chat incoming webhooks: Slack (`text` for notifications and fallbacks, `blocks` with the text
//! and a button per action link) and Microsoft Teams (a message carrying an Adaptive Card with the
//! title, the text and an `Action.OpenUrl` per action link).
use serde_json::{Value, json};
use tocsin_domain::delivery::{Notification, RenderedMessage};

/// The Slack message.
pub fn slack_body(notification: &Notification, message: &RenderedMessage) -> Value {
    let mut blocks = vec![json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": message.text },
    })];
    let buttons: Vec<Value> = notification
        .links
        .labelled()
        .into_iter()
        .map(|(label, url)| {
            let mut button = json!({
                "type": "button",
                "text": { "type": "plain_text", "text": label },
                "url": url.as_str(),
            });
            if label == "Acknowledge" {
                button["style"] = json!("primary");
            }
            button
        })
        .collect();
    if !buttons.is_empty() {
        blocks.push(json!({ "type": "actions", "elements": buttons }));
    }
    json!({ "text": message.text, "blocks": blocks })
}

/// The Teams message: one Adaptive Card attachment.
pub fn teams_body(notification: &Notification, message: &RenderedMessage) -> Value {
    let mut body = Vec::new();
    if let Some(title) = &message.subject {
        body.push(json!({
            "type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true,
        }));
    }
    body.push(json!({ "type": "TextBlock", "text": message.text, "wrap": true }));
    let actions: Vec<Value> = notification
        .links
        .labelled()
        .into_iter()
        .map(
            |(label, url)| json!({ "type": "Action.OpenUrl", "title": label, "url": url.as_str() }),
        )
        .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": actions,
            },
        }],
    })
}
