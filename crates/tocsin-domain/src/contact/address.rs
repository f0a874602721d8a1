//! Contact addresses per channel: an email address, an E.164 phone number for SMS and voice, an
//! `https://` URL for webhooks, Slack and Teams (plain `http://` for webhooks only). Cloud
//! metadata hosts are refused here; private and loopback destinations are refused at send time by
//! the Sender's address guard (an operator may allow-list them). Slack and Teams URLs are
//! credentials, so [`masked_address`] shows only their host and last four characters.
use std::net::IpAddr;

use url::Url;

use crate::delivery::Channel;
use crate::delivery::address::{AddressClass, check_host_name, classify};
use crate::values::Email;

/// Why an address was refused (the text names what is expected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AddressError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, AddressError> {
    Err(AddressError(message.into()))
}

/// The address in its stored form (emails lower-cased, phone numbers and URLs trimmed).
pub fn parse_address(channel: Channel, raw: &str) -> Result<String, AddressError> {
    let raw = raw.trim();
    match channel {
        Channel::Email => Email::parse(raw)
            .map(|email| email.as_str().to_owned())
            .map_err(|e| AddressError(e.0)),
        Channel::Sms | Channel::Voice => parse_phone(raw),
        Channel::Webhook | Channel::Slack | Channel::Teams => parse_url(channel, raw),
    }
}

/// E.164: `+` then 8 to 15 digits, the first not 0.
fn parse_phone(raw: &str) -> Result<String, AddressError> {
    let digits = raw.strip_prefix('+').unwrap_or("");
    let valid = (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if !valid {
        return refuse(
            "must be a phone number in E.164 form: + and 8 to 15 digits, like +14155550100",
        );
    }
    Ok(raw.to_owned())
}

fn parse_url(channel: Channel, raw: &str) -> Result<String, AddressError> {
    let Ok(url) = Url::parse(raw) else {
        return refuse("must be an absolute https:// URL");
    };
    match url.scheme() {
        "https" => {}
        "http" if channel == Channel::Webhook => {}
        _ if channel == Channel::Webhook => return refuse("must be an http:// or https:// URL"),
        _ => return refuse("must be an https:// URL"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("must not carry a user name or password");
    }
    let Some(host) = url.host_str() else {
        return refuse("must name a host");
    };
    check_host_name(host).map_err(|e| AddressError(e.to_string()))?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>()
        && classify(ip) == AddressClass::LinkLocal
    {
        return refuse("must not name a link-local (cloud metadata) address");
    }
    Ok(url.to_string())
}

/// The address as shown after creation: Slack and Teams URLs as their host and last four
/// characters (`https://hooks.slack.com/…WXYZ`); other channels in full.
pub fn masked_address(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Slack | Channel::Teams => {
            let host = Url::parse(address)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_default();
            let chars: Vec<char> = address.chars().collect();
            let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
            format!("https://{host}/…{tail}")
        }
        _ => address.to_owned(),
    }
}
