//! The documented notification delivery settings (`[delivery]`, `[smtp]`, `[twilio]`), listed by
//! `tocsin config default` after the others.
use super::template::SettingDoc;

const fn doc(
    table: &'static str,
    key: &'static str,
    flag: &'static str,
    env: &'static str,
    default: Option<&'static str>,
    example: &'static str,
    help: &'static str,
) -> SettingDoc {
    SettingDoc {
        table: Some(table),
        key,
        flag,
        env,
        default,
        example,
        help,
    }
}

/// Every delivery setting, in the order the example file lists them.
pub const DELIVERY_SETTINGS: &[SettingDoc] = &[
    doc(
        "delivery",
        "allow_outbound",
        "--allow-outbound",
        "TOCSIN_ALLOW_OUTBOUND",
        Some("[]"),
        "",
        "Networks notifications may reach although they are loopback, private, link-local or\n\
         shared (CIDRs or single addresses, e.g. [\"10.20.0.0/16\", \"127.0.0.1\"]); comma-separated\n\
         in the flag and environment variable. Everything else non-public is refused (SSRF).",
    ),
    doc(
        "delivery",
        "request_timeout_secs",
        "--delivery-timeout-secs",
        "TOCSIN_DELIVERY_TIMEOUT_SECS",
        Some("10"),
        "",
        "The longest one notification request or SMTP conversation may take, in seconds.",
    ),
    doc(
        "delivery",
        "lease_secs",
        "--delivery-lease-secs",
        "TOCSIN_DELIVERY_LEASE_SECS",
        Some("60"),
        "",
        "How long a node's claim on a notification holds, in seconds (1 to 3600). When a node dies\n\
         mid-send, another node re-sends its notifications (same webhook-id) once the lease is over.",
    ),
    doc(
        "smtp",
        "host",
        "--smtp-host",
        "TOCSIN_SMTP_HOST",
        None,
        "\"smtp.example.com\"",
        "The SMTP relay email notifications go through. Email is off while unset.",
    ),
    doc(
        "smtp",
        "port",
        "--smtp-port",
        "TOCSIN_SMTP_PORT",
        Some("587"),
        "",
        "The relay's port: 587 for STARTTLS, 465 for TLS, 25 for a local relay.",
    ),
    doc(
        "smtp",
        "security",
        "--smtp-security",
        "TOCSIN_SMTP_SECURITY",
        Some("\"starttls\""),
        "",
        "\"starttls\" (upgrade, refusing a relay that cannot), \"tls\" (TLS from the first byte) or\n\
         \"none\" (plain text: only for a relay on the same host or a trusted network).",
    ),
    doc(
        "smtp",
        "username",
        "--smtp-username",
        "TOCSIN_SMTP_USERNAME",
        None,
        "\"tocsin\"",
        "User name to authenticate with (with password); no authentication while unset.",
    ),
    doc(
        "smtp",
        "password",
        "--smtp-password",
        "TOCSIN_SMTP_PASSWORD",
        None,
        "\"change-me\"",
        "The SMTP password. Prefer the environment variable; Tocsin never prints it.",
    ),
    doc(
        "smtp",
        "from",
        "--smtp-from",
        "TOCSIN_SMTP_FROM",
        None,
        "\"Tocsin <tocsin@example.com>\"",
        "The sender of email notifications; required with host. Message-IDs use its domain.",
    ),
    doc(
        "smtp",
        "hello_name",
        "--smtp-hello-name",
        "TOCSIN_SMTP_HELLO_NAME",
        None,
        "\"tocsin.example.com\"",
        "The name Tocsin gives in EHLO; the machine's host name when unset.",
    ),
    doc(
        "twilio",
        "base_url",
        "--twilio-base-url",
        "TOCSIN_TWILIO_BASE_URL",
        Some("\"https://api.twilio.com\""),
        "",
        "Base URL of the Twilio-compatible API for SMS and voice calls.",
    ),
    doc(
        "twilio",
        "account_sid",
        "--twilio-account-sid",
        "TOCSIN_TWILIO_ACCOUNT_SID",
        None,
        "\"AC00000000000000000000000000000000\"",
        "The account SID (also the basic-auth user). SMS and voice are off while unset.",
    ),
    doc(
        "twilio",
        "auth_token",
        "--twilio-auth-token",
        "TOCSIN_TWILIO_AUTH_TOKEN",
        None,
        "\"change-me\"",
        "The account's auth token. Prefer the environment variable; Tocsin never prints it.",
    ),
    doc(
        "twilio",
        "from_number",
        "--twilio-from-number",
        "TOCSIN_TWILIO_FROM_NUMBER",
        None,
        "\"+15005550006\"",
        "The number messages and calls come from (E.164).",
    ),
];
