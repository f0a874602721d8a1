//! Masking a destination's address for the incident timeline: enough to recognise it, not enough
//! to use it (webhook URLs are credentials; phone numbers and emails are personal data).
use super::channel::Channel;

/// The address as the timeline shows it: an email's first letter and domain, a number's last
/// four digits, an URL's host only.
pub fn mask_address(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Email => match address.rsplit_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        },
        Channel::Sms | Channel::Voice => {
            let digits: Vec<char> = address.chars().filter(char::is_ascii_digit).collect();
            let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
            format!("***{tail}")
        }
        Channel::Webhook | Channel::Slack | Channel::Teams => url::Url::parse(address)
            .ok()
            .and_then(|url| {
                url.host_str()
                    .map(|host| format!("{}://{host}/***", url.scheme()))
            })
            .unwrap_or_else(|| "***".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_recognises_the_address() {
        assert_eq!(
            mask_address(Channel::Email, "alice@example.com"),
            "a***@example.com"
        );
        assert_eq!(mask_address(Channel::Sms, "+14155550100"), "***0100");
        assert_eq!(
            mask_address(
                Channel::Slack,
                "https://hooks.slack.com/services/T0/B0/SECRET"
            ),
            "https://hooks.slack.com/***"
        );
        assert_eq!(mask_address(Channel::Webhook, "not a url"), "***");
        assert_eq!(mask_address(Channel::Email, "nobody"), "***");
    }
}
