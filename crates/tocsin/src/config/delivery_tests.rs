//! Delivery settings: parsed from the file, checked, and shown without secrets.
use std::path::Path;

use super::*;
use crate::config::{Layer, Settings};

const FULL: &str = r#"
[delivery]
allow_outbound = ["10.20.0.0/16", "127.0.0.1"]
request_timeout_secs = 5

[smtp]
host = "smtp.example.com"
port = 465
security = "tls"
username = "tocsin"
password = "smtp-secret-1"
from = "Tocsin <tocsin@example.com>"

[twilio]
base_url = "http://127.0.0.1:9999"
account_sid = "AC1"
auth_token = "twilio-secret-2"
from_number = "+15005550006"
"#;

fn settings(text: &str) -> anyhow::Result<Settings> {
    Settings::from_layer(Layer::parse(text, Path::new("t.toml"))?)
}

#[test]
fn a_full_file_configures_every_channel() {
    let delivery = settings(FULL).expect("valid").delivery;
    assert_eq!(delivery.request_timeout, Duration::from_secs(5));
    assert!(delivery.allow_list.allows("10.20.1.1".parse().expect("ip")));
    assert!(!delivery.allow_list.allows("10.21.1.1".parse().expect("ip")));
    let smtp = delivery.smtp.expect("smtp");
    assert_eq!(
        (smtp.host.as_str(), smtp.port, smtp.security),
        ("smtp.example.com", 465, SmtpSecurity::Tls)
    );
    assert_eq!(
        smtp.password.as_ref().map(Secret::expose),
        Some("smtp-secret-1")
    );
    let twilio = delivery.twilio.expect("twilio");
    assert_eq!(twilio.base_url.as_str(), "http://127.0.0.1:9999/");
    assert_eq!(twilio.auth_token.expose(), "twilio-secret-2");
}

#[test]
fn secrets_never_appear_in_config_show_or_debug() {
    let settings = settings(FULL).expect("valid");
    let shown = format!("{}\n{settings:?}", settings.to_toml().expect("toml"));
    for secret in ["smtp-secret-1", "twilio-secret-2"] {
        assert!(!shown.contains(secret), "{secret} leaked:\n{shown}");
    }
    assert!(shown.contains("host = \"smtp.example.com\""), "{shown}");
    let layer = Layer::parse(FULL, Path::new("t.toml")).expect("parses");
    let debug = format!("{layer:?}");
    assert!(
        !debug.contains("smtp-secret-1") && !debug.contains("twilio-secret-2"),
        "{debug}"
    );
}

#[test]
fn channels_stay_off_until_configured() {
    let delivery = settings("").expect("valid").delivery;
    assert_eq!(delivery, DeliveryConfig::default());
    assert!(delivery.smtp.is_none() && delivery.twilio.is_none());
}

#[test]
fn incomplete_or_invalid_settings_name_the_key() {
    for (text, key) in [
        (
            "[delivery]\nallow_outbound = [\"10.0.0.0/33\"]",
            "delivery.allow_outbound",
        ),
        (
            "[delivery]\nrequest_timeout_secs = 0",
            "delivery.request_timeout_secs",
        ),
        ("[smtp]\nhost = \"smtp.example.com\"", "smtp.from"),
        ("[smtp]\nsecurity = \"ssl\"", "smtp.security"),
        (
            "[smtp]\nhost = \"h\"\nfrom = \"a@b\"\nusername = \"u\"",
            "smtp.password",
        ),
        ("[twilio]\naccount_sid = \"AC1\"", "twilio.auth_token"),
        ("[twilio]\nbase_url = \"ftp://x\"", "twilio.base_url"),
    ] {
        let error = settings(text).expect_err(text).to_string();
        assert!(error.contains(key), "{text}: {error}");
    }
}

#[test]
fn the_outbox_lease_defaults_to_a_minute_and_takes_one_second_to_an_hour() {
    assert_eq!(
        settings("").expect("valid").delivery_lease,
        Duration::from_secs(60)
    );
    for (secs, expected) in [(1, 1), (5, 5), (3600, 3600)] {
        let text = format!("[delivery]\nlease_secs = {secs}");
        assert_eq!(
            settings(&text).expect("valid").delivery_lease,
            Duration::from_secs(expected)
        );
    }
    for secs in [0, 3601, 86_400] {
        let text = format!("[delivery]\nlease_secs = {secs}");
        let error = settings(&text).expect_err(&text).to_string();
        assert!(
            error.contains("delivery.lease_secs") && error.contains("between 1 and 3600"),
            "{text}: {error}"
        );
    }
}

#[test]
fn the_lease_flag_wins_over_the_file_and_config_show_prints_it() {
    let file = Layer::parse("[delivery]\nlease_secs = 30", Path::new("t.toml")).expect("parses");
    let cli = Layer {
        delivery: DeliveryLayer {
            lease_secs: Some(7),
            ..DeliveryLayer::default()
        },
        ..Layer::default()
    };
    let settings = Settings::from_layer(cli.over(file.clone())).expect("valid");
    assert_eq!(settings.delivery_lease, Duration::from_secs(7));
    let shown = settings.to_toml().expect("toml");
    assert!(shown.contains("lease_secs = 7"), "{shown}");
    let from_file = Settings::from_layer(Layer::default().over(file)).expect("valid");
    assert_eq!(from_file.delivery_lease, Duration::from_secs(30));
}
