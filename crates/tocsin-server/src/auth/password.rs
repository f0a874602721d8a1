//! Password hashing with Argon2id (OWASP parameters), run off the async threads.
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The active user registered under `email` and their password hash, if they have one. An email
/// that does not parse is simply not registered.
pub async fn stored_hash(
    reader: tocsin_store::Reader<'_>,
    email: &str,
) -> Result<Option<(tocsin_domain::id::UserId, String)>, tocsin_store::StoreError> {
    let Ok(email) = tocsin_domain::values::Email::parse(email) else {
        return Ok(None);
    };
    let found = tocsin_store::catalog::users::find_user_by_email(reader, &email).await?;
    Ok(found.and_then(|(user, hash)| Some((user.id, hash?)).filter(|_| user.active)))
}

/// Hashes a password to a PHC string. CPU-heavy: call from `spawn_blocking`.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a PHC string; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same effort as a real check, for logins to accounts that do not exist, so the
/// answer time does not reveal whether an email is registered.
pub fn verify_against_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy =
        DUMMY.get_or_init(|| hash("not a real password, only for timing").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_differ_per_salt() {
        let first = hash("correct horse battery staple").expect("hash");
        let second = hash("correct horse battery staple").expect("hash");
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify("correct horse battery staple", &first));
        assert!(!verify("correct horse battery stapler", &first));
        assert!(!verify("anything", "not a phc string"));
    }
}
