//! Helpers for the delivery tests: a sender with a given allow-list and providers, a sample
//! delivery, and a small MIME reader for the SMTP sink's recorded data.
use std::sync::Arc;
use std::time::Duration;

use tocsin_domain::SystemClock;
use tocsin_domain::delivery::templates::{default_templates, render, sample_notification};
use tocsin_domain::delivery::{
    AllowList, Channel, IdempotencyKey, MessageKind, Notification, Outcome, RenderedMessage,
    WebhookSecret,
};
use tocsin_engine::delivery::{
    Delivery, DeliveryConfig, Destination, Secret, Sender, SmtpConfig, SmtpSecurity, TwilioConfig,
};
use tocsin_testkit::sinks::{SmtpSink, TwilioMock};

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub const KEY: &str = "ntf_01890a5d-ac96-774b-bcce-b302099a8057";

pub fn secret() -> WebhookSecret {
    WebhookSecret::parse(SECRET).expect("valid secret")
}

pub fn key() -> IdempotencyKey {
    IdempotencyKey::parse(KEY).expect("valid key")
}

/// The configuration of a sender allowing `allow` (and nothing else configured).
pub fn config(allow: &[&str]) -> DeliveryConfig {
    DeliveryConfig {
        allow_list: AllowList::parse(allow).expect("valid allow-list"),
        request_timeout: Duration::from_secs(2),
        ..DeliveryConfig::default()
    }
}

pub fn sender(config: &DeliveryConfig) -> Sender {
    Sender::new(config, Arc::new(SystemClock)).expect("sender")
}

/// A sender that may reach 127.0.0.1 only.
pub fn loopback_sender() -> Sender {
    sender(&config(&["127.0.0.1"]))
}

/// Sends the sample of `kind`, rendered for `destination`'s channel, with a loopback sender.
pub async fn send_sample(destination: &Destination, kind: MessageKind) -> Outcome {
    let sample = sample(kind, destination.channel());
    loopback_sender()
        .send(destination, delivery(&sample, &key()))
        .await
}

/// A loopback sender relaying email through `sink`.
pub fn smtp_sender(sink: &SmtpSink) -> Sender {
    sender(&DeliveryConfig {
        smtp: Some(smtp_config(sink)),
        ..config(&["127.0.0.1"])
    })
}

/// A loopback sender sending SMS and calls through `mock`.
pub fn twilio_sender(mock: &TwilioMock) -> Sender {
    sender(&DeliveryConfig {
        twilio: Some(twilio_config(mock)),
        ..config(&["127.0.0.1"])
    })
}

pub fn smtp_config(sink: &SmtpSink) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port(),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Tocsin <tocsin@alerts.example.com>".into(),
        hello_name: Some("tocsin.test".into()),
    }
}

pub fn twilio_config(mock: &TwilioMock) -> TwilioConfig {
    TwilioConfig {
        base_url: mock.base_url().parse().expect("url"),
        account_sid: "AC00000000000000000000000000000001".into(),
        auth_token: Secret::new("twilio-auth-token"),
        from_number: "+15005550006".into(),
    }
}

/// The sample notification of `kind`, rendered by the defaults for `channel`.
pub fn sample(kind: MessageKind, channel: Channel) -> (Notification, RenderedMessage) {
    let notification = sample_notification(kind);
    let rendered = render(&default_templates(kind, channel), &notification).expect("renders");
    (notification, rendered)
}

pub fn delivery<'a>(
    sample: &'a (Notification, RenderedMessage),
    key: &'a IdempotencyKey,
) -> Delivery<'a> {
    Delivery {
        notification: &sample.0,
        message: &sample.1,
        key,
    }
}

/// One MIME part: its headers (names lower-cased) and its decoded body.
#[derive(Debug)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits raw message text into its (unfolded) headers and body.
pub fn parse_part(raw: &str) -> Part {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(line.trim_start());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let part = Part {
        headers,
        body: String::new(),
    };
    let body = match part.header("content-transfer-encoding") {
        Some("quoted-printable") => decode_quoted_printable(body),
        Some("base64") => {
            use base64::Engine;
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 part");
            String::from_utf8(bytes).expect("utf-8 part")
        }
        _ => body.to_owned(),
    };
    Part { body, ..part }
}

/// The parts of a multipart body, by its boundary.
pub fn multipart_parts(message: &Part) -> Vec<Part> {
    let content_type = message.header("content-type").expect("content type");
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    message
        .body
        .split(delimiter.as_str())
        .skip(1)
        .take_while(|section| !section.starts_with("--"))
        .map(|section| parse_part(section.trim_start_matches("\r\n")))
        .collect()
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'=' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2]).expect("ascii");
            bytes.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).expect("utf-8")
}
