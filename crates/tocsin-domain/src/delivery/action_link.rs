//! Signed action links: a token that lets the person paged acknowledge or resolve an incident
//! without signing in. The token carries the link id, incident, paged user, action and expiry,
//! HMAC-SHA256-signed with the server's key, as base64url; verification compares in constant time.
//! Single use is the store's business (the link id).
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use uuid::Uuid;

/// How long a link works by default.
pub const DEFAULT_TTL: SignedDuration = SignedDuration::from_hours(24);

/// link id, incident id, user id (nil: none), action, expiry (unix seconds).
const CLAIM_BYTES: usize = 16 + 16 + 16 + 1 + 8;
const MAC_BYTES: usize = 32;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Acknowledge,
    Resolve,
}

impl LinkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Acknowledge => "acknowledge",
            LinkAction::Resolve => "resolve",
        }
    }

    fn code(self) -> u8 {
        match self {
            LinkAction::Acknowledge => 1,
            LinkAction::Resolve => 2,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(LinkAction::Acknowledge),
            2 => Some(LinkAction::Resolve),
            _ => None,
        }
    }
}

/// What a token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkClaim {
    pub link_id: Uuid,
    pub incident_id: Uuid,
    /// The person the link was sent to, who acts when it is followed.
    pub user_id: Option<Uuid>,
    pub action: LinkAction,
    pub expires_at: Timestamp,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token, or not signed with this key (answered as "not found").
    #[error("no such action link")]
    Invalid,
    /// Signed, but past its expiry.
    #[error("the action link has expired")]
    Expired,
}

fn mac(key: &[u8], claim: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(claim);
    mac
}

impl LinkClaim {
    fn encode(&self) -> [u8; CLAIM_BYTES] {
        let mut out = [0u8; CLAIM_BYTES];
        out[..16].copy_from_slice(self.link_id.as_bytes());
        out[16..32].copy_from_slice(self.incident_id.as_bytes());
        out[32..48].copy_from_slice(self.user_id.unwrap_or_default().as_bytes());
        out[48] = self.action.code();
        out[49..].copy_from_slice(&self.expires_at.as_second().to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let uuid = |range: std::ops::Range<usize>| Uuid::from_slice(bytes.get(range)?).ok();
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(bytes.get(49..CLAIM_BYTES)?);
        let user = uuid(32..48)?;
        Some(Self {
            link_id: uuid(0..16)?,
            incident_id: uuid(16..32)?,
            user_id: (!user.is_nil()).then_some(user),
            action: LinkAction::from_code(*bytes.get(48)?)?,
            expires_at: Timestamp::from_second(i64::from_be_bytes(expiry)).ok()?,
        })
    }

    /// The token for this claim, signed with `key`.
    pub fn sign(&self, key: &[u8]) -> String {
        let claim = self.encode();
        let mut token = claim.to_vec();
        token.extend_from_slice(&mac(key, &claim).finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(token)
    }

    /// The claim of a token signed with `key`, if it has not expired by `now`.
    pub fn verify(token: &str, key: &[u8], now: Timestamp) -> Result<Self, LinkError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| LinkError::Invalid)?;
        if bytes.len() != CLAIM_BYTES + MAC_BYTES {
            return Err(LinkError::Invalid);
        }
        let (claim, signature) = bytes.split_at(CLAIM_BYTES);
        mac(key, claim)
            .verify_slice(signature)
            .map_err(|_| LinkError::Invalid)?;
        let claim = Self::decode(claim).ok_or(LinkError::Invalid)?;
        if claim.expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    fn claim(action: LinkAction) -> LinkClaim {
        LinkClaim {
            link_id: Uuid::from_u128(1),
            incident_id: Uuid::from_u128(2),
            user_id: Some(Uuid::from_u128(3)),
            action,
            expires_at: at(0) + DEFAULT_TTL,
        }
    }

    #[test]
    fn a_signed_token_verifies_to_its_claim() {
        let token = claim(LinkAction::Resolve).sign(KEY);
        assert_eq!(
            LinkClaim::verify(&token, KEY, at(60)),
            Ok(claim(LinkAction::Resolve))
        );
        assert!(!token.contains(['+', '/', '=']), "{token}");
    }

    #[test]
    fn a_tampered_token_or_another_key_is_invalid() {
        let token = claim(LinkAction::Acknowledge).sign(KEY);
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).expect("base64url");
        bytes[48] = LinkAction::Resolve.code();
        let tampered = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            LinkClaim::verify(&tampered, KEY, at(0)),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            LinkClaim::verify(&token, b"another key", at(0)),
            Err(LinkError::Invalid)
        );
        for junk in ["", "not a token!", "AAAA", &token[..token.len() - 2]] {
            assert_eq!(LinkClaim::verify(junk, KEY, at(0)), Err(LinkError::Invalid));
        }
    }

    #[test]
    fn the_action_is_part_of_the_signature() {
        let ack = claim(LinkAction::Acknowledge).sign(KEY);
        let resolve = claim(LinkAction::Resolve).sign(KEY);
        assert_ne!(ack, resolve);
        let verified = LinkClaim::verify(&ack, KEY, at(0)).expect("valid");
        assert_eq!(verified.action, LinkAction::Acknowledge);
    }

    #[test]
    fn a_token_expires_at_its_expiry() {
        let token = claim(LinkAction::Acknowledge).sign(KEY);
        let expiry = at(0) + DEFAULT_TTL;
        assert!(LinkClaim::verify(&token, KEY, expiry - SignedDuration::from_secs(1)).is_ok());
        assert_eq!(
            LinkClaim::verify(&token, KEY, expiry),
            Err(LinkError::Expired)
        );
    }
}
