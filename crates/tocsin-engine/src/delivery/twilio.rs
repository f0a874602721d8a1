//! SMS and voice through a Twilio-compatible API: `POST {base}/2010-04-01/Accounts/{sid}/
//! Messages.json` (form `To`, `From`, `Body`) and `.../Calls.json` (form `To`, `From`, `Twiml`),
//! with basic auth (account SID, auth token). The call says the message and then, as text only for
//! now, how to acknowledge. The provider's `sid` is the receipt.
use reqwest::header::HeaderMap;
use tocsin_domain::delivery::outcome::{TransportFailure, classify_transport};
use tocsin_domain::delivery::{IdempotencyKey, Outcome};
use url::Url;

use super::config::TwilioConfig;
use super::http::{OutboundRequest, header_value};

/// What a call says after the message.
pub const ACKNOWLEDGE_PROMPT: &str = "Press 1 to acknowledge.";

/// The resource a request creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Messages,
    Calls,
}

/// The endpoint of `resource` for this account.
pub fn endpoint(config: &TwilioConfig, resource: Resource) -> Result<Url, Outcome> {
    let name = match resource {
        Resource::Messages => "Messages.json",
        Resource::Calls => "Calls.json",
    };
    let base = config.base_url.as_str().trim_end_matches('/');
    let sid = config.account_sid.trim();
    Url::parse(&format!("{base}/2010-04-01/Accounts/{sid}/{name}")).map_err(|error| {
        classify_transport(
            TransportFailure::Refused,
            &format!("invalid Twilio URL: {error}"),
        )
    })
}

/// The TwiML of a voice call saying `text`.
pub fn twiml(text: &str) -> String {
    format!(
        "<Response><Say>{}</Say><Pause length=\"1\"/><Say>{ACKNOWLEDGE_PROMPT}</Say></Response>",
        escape_xml(text)
    )
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The request creating a message (`text` as its body) or a call (saying `text`) to `number`.
pub fn request(
    config: &TwilioConfig,
    resource: Resource,
    number: &str,
    text: &str,
    key: &IdempotencyKey,
) -> Result<OutboundRequest, Outcome> {
    let content = match resource {
        Resource::Messages => ("Body", text.to_owned()),
        Resource::Calls => ("Twiml", twiml(text)),
    };
    let form = [
        ("To", number),
        ("From", config.from_number.as_str()),
        (content.0, content.1.as_str()),
    ];
    let body = serde_urlencoded_form(&form);
    let mut headers = HeaderMap::new();
    headers.insert("idempotency-key", header_value(key.as_str()));
    Ok(OutboundRequest {
        url: endpoint(config, resource)?,
        headers,
        content_type: "application/x-www-form-urlencoded",
        body,
        basic_auth: Some((
            config.account_sid.clone(),
            config.auth_token.expose().to_owned(),
        )),
    })
}

fn serde_urlencoded_form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

/// The `sid` of a created message or call.
pub fn receipt(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("sid")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::config::Secret;

    fn config(base: &str) -> TwilioConfig {
        TwilioConfig {
            base_url: Url::parse(base).expect("url"),
            account_sid: "AC0123".into(),
            auth_token: Secret::new("token"),
            from_number: "+15005550006".into(),
        }
    }

    #[test]
    fn endpoints_follow_the_twilio_layout_under_any_base() {
        let url = endpoint(&config("https://api.twilio.com"), Resource::Messages).expect("url");
        assert_eq!(
            url.as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json"
        );
        let url = endpoint(&config("http://127.0.0.1:9/mock/"), Resource::Calls).expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/mock/2010-04-01/Accounts/AC0123/Calls.json"
        );
    }

    #[test]
    fn twiml_escapes_the_message_and_offers_acknowledgement_as_text() {
        assert_eq!(
            twiml("CPU <90%> & \"disk\""),
            "<Response><Say>CPU &lt;90%&gt; &amp; &quot;disk&quot;</Say><Pause length=\"1\"/>\
             <Say>Press 1 to acknowledge.</Say></Response>"
        );
    }

    #[test]
    fn the_receipt_is_the_sid() {
        assert_eq!(
            receipt(br#"{"sid":"SM123","status":"queued"}"#),
            Some("SM123".into())
        );
        assert_eq!(receipt(b"not json"), None);
    }
}
