//! Each channel against its sink: what goes on the wire, and the receipt that comes back.
use tocsin_domain::delivery::{Channel, MessageKind, Outcome};
use tocsin_engine::delivery::Destination;
use tocsin_testkit::sinks::{SmtpSink, TwilioMock, WebhookSink};

use super::support::*;

#[tokio::test]
async fn a_webhook_is_a_signed_json_event_keyed_by_the_idempotency_key() {
    let sink = WebhookSink::start().await;
    let destination = Destination::Webhook {
        url: sink.url("/hooks/tocsin").parse().expect("url"),
        secret: secret(),
    };
    let outcome = send_sample(&destination, MessageKind::Page).await;
    assert_eq!(outcome, Outcome::Delivered { receipt: None });

    let [request] = sink.requests().try_into().expect("one request");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/hooks/tocsin")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("webhook-id"), Some(KEY));
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .expect("timestamp")
        .parse()
        .expect("seconds");
    let signature = request.header("webhook-signature").expect("signature");
    secret()
        .verify(KEY, timestamp, &request.body, signature, timestamp, 0)
        .expect("the signature covers id, timestamp and the exact body");
    let body = request.json();
    assert_eq!(body["type"], "notification.page");
    assert_eq!(body["data"]["incident"]["number"], 42);
    assert_eq!(
        body["data"]["links"]["acknowledge"],
        "https://tocsin.example.com/a/sample-acknowledge-token"
    );
    assert_eq!(
        body["data"]["text"],
        "Triggered #42 Checkout latency above 2 s"
    );
}

#[tokio::test]
async fn slack_gets_text_and_blocks_with_a_button_per_action_link() {
    let sink = WebhookSink::start().await;
    let destination = Destination::Slack {
        webhook_url: sink.url("/services/T0/B0/secret").parse().expect("url"),
    };
    let outcome = send_sample(&destination, MessageKind::Page).await;
    assert!(outcome.is_delivered(), "{outcome:?}");

    let [request] = sink.requests().try_into().expect("one request");
    assert_eq!(request.header("idempotency-key"), Some(KEY));
    let body = request.json();
    assert!(
        body["text"]
            .as_str()
            .expect("text")
            .starts_with("*Triggered #42 Checkout latency above 2 s*\n")
    );
    assert_eq!(body["blocks"][0]["text"]["type"], "mrkdwn");
    assert_eq!(body["blocks"][0]["text"]["text"], body["text"]);
    let buttons = body["blocks"][1]["elements"].as_array().expect("actions");
    let labels: Vec<_> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().expect("label"))
        .collect();
    assert_eq!(labels, ["Acknowledge", "Resolve", "Open incident"]);
    assert_eq!(
        buttons[0]["url"],
        "https://tocsin.example.com/a/sample-acknowledge-token"
    );
}

#[tokio::test]
async fn teams_gets_an_adaptive_card_with_title_text_and_actions() {
    let sink = WebhookSink::start().await;
    let destination = Destination::Teams {
        webhook_url: sink.url("/workflows/teams").parse().expect("url"),
    };
    let outcome = send_sample(&destination, MessageKind::Resolved).await;
    assert!(outcome.is_delivered(), "{outcome:?}");

    let body = sink.requests()[0].json();
    assert_eq!(body["type"], "message");
    let attachment = &body["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(
        card["body"][0]["text"],
        "Resolved #42 Checkout latency above 2 s by Grace Hopper"
    );
    assert!(
        card["body"][1]["text"]
            .as_str()
            .expect("text")
            .contains("Service: checkout")
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
}

#[tokio::test]
async fn email_is_a_real_smtp_conversation_with_text_and_html_alternatives() {
    let sink = SmtpSink::start().await;
    let destination = Destination::Email {
        address: "ada@example.org".into(),
    };
    let page = sample(MessageKind::Page, Channel::Email);
    let outcome = smtp_sender(&sink)
        .send(&destination, delivery(&page, &key()))
        .await;
    assert_eq!(
        outcome,
        Outcome::Delivered {
            receipt: Some("2.0.0 OK queued as SINK1".into())
        }
    );

    let [mail] = sink.received().try_into().expect("one message");
    assert_eq!(mail.from, "tocsin@alerts.example.com");
    assert_eq!(mail.to, ["ada@example.org"]);
    let message = parse_part(&mail.data_text());
    assert_eq!(
        message.header("message-id"),
        Some(format!("<{KEY}@alerts.example.com>").as_str())
    );
    assert_eq!(
        message.header("subject"),
        Some("[Tocsin] Triggered #42 Checkout latency above 2 s")
    );
    assert_eq!(message.header("to"), Some("ada@example.org"));
    assert!(
        message
            .header("from")
            .expect("from")
            .contains("tocsin@alerts.example.com")
    );
    assert!(
        message
            .header("content-type")
            .expect("type")
            .starts_with("multipart/alternative")
    );
    let parts = multipart_parts(&message);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(
        parts[0]
            .header("content-type")
            .expect("type")
            .starts_with("text/plain")
    );
    assert!(
        parts[0]
            .body
            .contains("Alert: p99 latency 2.4 s for 5 minutes (critical)"),
        "{}",
        parts[0].body
    );
    assert!(
        parts[1]
            .header("content-type")
            .expect("type")
            .starts_with("text/html")
    );
    assert!(
        parts[1]
            .body
            .contains("<h2>Triggered #42 Checkout latency above 2 s</h2>"),
        "{}",
        parts[1].body
    );
}

#[tokio::test]
async fn sms_and_voice_go_to_the_twilio_compatible_api_with_the_sid_as_receipt() {
    let mock = TwilioMock::start().await;
    let sender = twilio_sender(&mock);
    let sms = sample(MessageKind::Page, Channel::Sms);
    let sent = sender
        .send(
            &Destination::Sms {
                number: "+14155550100".into(),
            },
            delivery(&sms, &key()),
        )
        .await;
    let voice = sample(MessageKind::Page, Channel::Voice);
    let called = sender
        .send(
            &Destination::Voice {
                number: "+14155550101".into(),
            },
            delivery(&voice, &key()),
        )
        .await;

    let [message, call] = mock.requests().try_into().expect("two requests");
    assert_eq!(
        sent,
        Outcome::Delivered {
            receipt: message.sid.clone()
        }
    );
    assert_eq!(
        called,
        Outcome::Delivered {
            receipt: call.sid.clone()
        }
    );
    assert!(
        message
            .sid
            .as_deref()
            .is_some_and(|sid| sid.starts_with("SM"))
    );
    assert!(call.sid.as_deref().is_some_and(|sid| sid.starts_with("CA")));

    assert_eq!(message.resource, "Messages");
    assert_eq!(message.account_sid, "AC00000000000000000000000000000001");
    assert_eq!(
        message.credentials,
        Some((
            "AC00000000000000000000000000000001".into(),
            "twilio-auth-token".into()
        ))
    );
    assert_eq!(message.idempotency_key.as_deref(), Some(KEY));
    assert_eq!(message.field("To"), Some("+14155550100"));
    assert_eq!(message.field("From"), Some("+15005550006"));
    assert_eq!(message.field("Body"), Some(sms.1.text.as_str()));

    assert_eq!(call.resource, "Calls");
    assert_eq!(call.field("To"), Some("+14155550101"));
    let twiml = call.field("Twiml").expect("twiml");
    assert!(
        twiml.starts_with("<Response><Say>This is Tocsin. Triggered #42"),
        "{twiml}"
    );
    assert!(
        twiml.contains("<Say>Press 1 to acknowledge.</Say>"),
        "{twiml}"
    );
}

#[tokio::test]
async fn channels_without_configuration_fail_permanently() {
    let sender = loopback_sender();
    let page = sample(MessageKind::Page, Channel::Email);
    let email = Destination::Email {
        address: "ada@example.org".into(),
    };
    let sms = Destination::Sms {
        number: "+14155550100".into(),
    };
    for destination in [email, sms] {
        match sender.send(&destination, delivery(&page, &key())).await {
            Outcome::Permanent { reason } => assert!(reason.contains("not configured"), "{reason}"),
            other => panic!("{destination:?}: {other:?}"),
        }
    }
}
