//! The provider idempotency key of one delivery: the same key on every attempt of the same
//! notification, so a provider (or a webhook receiver) can drop a repeat. It travels as the
//! `Idempotency-Key` header, the `webhook-id`, and the local part of an email's Message-ID, so it
//! is restricted to characters all three accept.
use std::fmt;

/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 128;

/// A key of 1 to 128 characters from `A-Z a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if text.is_empty() || text.len() > MAX_KEY_CHARS || !text.chars().all(allowed) {
            return Err(format!(
                "an idempotency key is 1 to {MAX_KEY_CHARS} characters of A-Z, a-z, 0-9, '.', '_' and '-'"
            ));
        }
        if text.starts_with('.') || text.ends_with('.') || text.contains("..") {
            return Err("an idempotency key cannot start or end with '.' or repeat it".into());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuid_like_and_prefixed_keys() {
        for key in [
            "msg_01890a5d-ac96-774b-bcce-b302099a8057",
            "a",
            "page.42.step-1",
        ] {
            assert_eq!(
                IdempotencyKey::parse(key).map(|k| k.to_string()),
                Ok(key.to_owned())
            );
        }
    }

    #[test]
    fn refuses_what_a_header_or_message_id_could_not_carry() {
        for key in [
            "",
            "a b",
            "a\r\nX-Injected: 1",
            "<id>",
            "a@b",
            ".a",
            "a.",
            "a..b",
        ] {
            assert!(IdempotencyKey::parse(key).is_err(), "{key:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_KEY_CHARS + 1)).is_err());
    }
}
