//! Random secrets (API tokens, integration keys, session ids, CSRF tokens) and their hashes.
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Prefix of personal API tokens, so leaked tokens are recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "tocsin_pat_";
/// Prefix of integration keys (ingest only).
pub const INTEGRATION_KEY_PREFIX: &str = "tocsin_ik_";
/// Prefix of heartbeat ping keys (they can only ping their heartbeat).
pub const HEARTBEAT_KEY_PREFIX: &str = "tocsin_hb_";
/// Prefix of guest passes (an external responder's access to one incident).
pub const GUEST_PASS_PREFIX: &str = "tocsin_gp_";

/// `prefix` followed by 256 random bits, base64url-encoded.
pub fn random_secret(prefix: &str) -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// SHA-256 of a secret: how tokens and session ids are stored and looked up. The secrets carry 256
/// bits of entropy, so a fast hash is enough (no password-style stretching needed).
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The recognisable start of a secret, safe to display and log.
pub fn display_prefix(secret: &str) -> String {
    secret
        .chars()
        .take(secret.find('_').map_or(0, |_| API_TOKEN_PREFIX.len()) + 6)
        .collect()
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_256_bit() {
        let a = random_secret(API_TOKEN_PREFIX);
        let b = random_secret(API_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with(API_TOKEN_PREFIX));
        assert_eq!(a.len(), API_TOKEN_PREFIX.len() + 43);
        assert_eq!(hash_secret(&a).len(), 32);
        assert!(a.starts_with(&display_prefix(&a)));
        assert!(display_prefix(&a).len() < 20);
    }

    #[test]
    fn secret_comparison_is_exact() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
