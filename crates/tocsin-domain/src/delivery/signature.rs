//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the secret is `whsec_`
//! followed by base64 key bytes; the signed content is `{webhook-id}.{webhook-timestamp}.{body}`;
//! the `webhook-signature` header is `v1,<base64 HMAC-SHA256>` (several may be given, separated by
//! spaces, while a secret is rotated).
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The prefix of a secret's text form.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest key bytes accepted (the specification asks for 24 to 64).
pub const MIN_SECRET_BYTES: usize = 24;
/// The most key bytes accepted.
pub const MAX_SECRET_BYTES: usize = 64;

/// A webhook signing secret. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(whsec_<redacted>)")
    }
}

/// Why a secret or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a webhook secret starts with whsec_ followed by base64")]
    SecretFormat,
    #[error("a webhook secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, not {0}")]
    SecretLength(usize),
    #[error("no v1 signature matches")]
    NoMatch,
    #[error("the timestamp is outside the tolerance")]
    Timestamp,
}

impl WebhookSecret {
    /// Parses `whsec_<base64>`.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SignatureError::SecretFormat)?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SignatureError::SecretFormat)?;
        Self::from_bytes(key)
    }

    /// A secret from raw key bytes (freshly generated ones, say).
    pub fn from_bytes(key: Vec<u8>) -> Result<Self, SignatureError> {
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(SignatureError::SecretLength(key.len()));
        }
        Ok(Self(key))
    }

    /// The `whsec_...` text, to show the owner once or to store.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` header value for a message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Checks a received message as a receiver would: one of the header's `v1` signatures must
    /// match (compared in constant time) and the timestamp must be within `tolerance_secs` of
    /// `now_secs`.
    pub fn verify(
        &self,
        id: &str,
        timestamp: i64,
        body: &[u8],
        header: &str,
        now_secs: i64,
        tolerance_secs: i64,
    ) -> Result<(), SignatureError> {
        if now_secs.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
            return Err(SignatureError::Timestamp);
        }
        let matches = header
            .split(' ')
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|encoded| STANDARD.decode(encoded).ok())
            .any(|tag| self.mac(id, timestamp, body).verify_slice(&tag).is_ok());
        if matches {
            Ok(())
        } else {
            Err(SignatureError::NoMatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The example of the Standard Webhooks reference implementations' test suites.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).expect("valid")
    }

    #[test]
    fn signs_the_specifications_example_exactly() {
        assert_eq!(
            spec_secret().sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn verifies_any_matching_signature_of_a_rotation_header() {
        let header = format!("v1,bm90IGl0 v2,abc {SPEC_SIGNATURE}");
        let secret = spec_secret();
        let check =
            |header: &str, now| secret.verify(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header, now, 300);
        assert_eq!(check(&header, SPEC_TIMESTAMP + 10), Ok(()));
        assert_eq!(
            check("v1,bm90IGl0", SPEC_TIMESTAMP),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            check(SPEC_SIGNATURE, SPEC_TIMESTAMP + 301),
            Err(SignatureError::Timestamp)
        );
    }

    #[test]
    fn secrets_need_the_prefix_base64_and_a_sane_length() {
        assert_eq!(
            WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(SignatureError::SecretFormat)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_!!!"),
            Err(SignatureError::SecretFormat)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_c2hvcnQ="),
            Err(SignatureError::SecretLength(5))
        );
        assert_eq!(spec_secret().expose(), SPEC_SECRET);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let shown = format!("{:?}", spec_secret());
        assert!(!shown.contains("MfKQ9r8"), "{shown}");
    }

    proptest! {
        #[test]
        fn a_changed_body_id_or_timestamp_fails(
            key in proptest::collection::vec(any::<u8>(), 24..64),
            body in proptest::collection::vec(any::<u8>(), 0..200),
            flip in any::<prop::sample::Index>(),
        ) {
            let secret = WebhookSecret::from_bytes(key).expect("length");
            let header = secret.sign("msg_1", 1_700_000_000, &body);
            prop_assert!(secret.verify("msg_1", 1_700_000_000, &body, &header, 1_700_000_000, 5).is_ok());
            prop_assert!(secret.verify("msg_2", 1_700_000_000, &body, &header, 1_700_000_000, 5).is_err());
            prop_assert!(secret.verify("msg_1", 1_700_000_001, &body, &header, 1_700_000_000, 5).is_err());
            if !body.is_empty() {
                let mut changed = body.clone();
                let at = flip.index(changed.len());
                changed[at] ^= 0x01;
                prop_assert!(secret.verify("msg_1", 1_700_000_000, &changed, &header, 1_700_000_000, 5).is_err());
            }
        }
    }
}
