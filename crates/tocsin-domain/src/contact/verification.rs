//! Proving a person owns a contact method: a 6-digit code sent to it, stored only as a SHA-256
//! hash (salted with the method's id), valid for 15 minutes; five wrong attempts kill it (a new
//! one must be requested); at most five codes are sent per method per hour.
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::id::ContactMethodId;

/// How long a code stays valid.
pub const CODE_TTL_MINUTES: i64 = 15;
/// Wrong attempts after which a code is dead.
pub const MAX_ATTEMPTS: u32 = 5;
/// Codes sent per method within one hour.
pub const MAX_SENDS_PER_HOUR: u32 = 5;
const SEND_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// A 6-digit code. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(<redacted>)")
    }
}

impl VerificationCode {
    /// A code from random bits (the caller draws them from a secure source).
    pub fn from_random(bits: u32) -> Self {
        Self(format!("{:06}", bits % 1_000_000))
    }

    /// The code to send.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The stored hash of `code` for `method` (what was submitted is trimmed first).
pub fn hash_code(method: ContactMethodId, code: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(method.0.as_bytes());
    hasher.update(code.trim().as_bytes());
    hasher.finalize().to_vec()
}

/// A code waiting to be entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    pub code_hash: Vec<u8>,
    pub expires_at: Timestamp,
    /// Wrong attempts so far.
    pub attempts: u32,
}

/// What entering a code came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Verified,
    /// Wrong; `attempts_left` more may be tried (0: the code is now dead).
    Wrong {
        attempts_left: u32,
    },
    /// The code's 15 minutes are over.
    Expired,
    /// Too many wrong attempts earlier: a new code is needed.
    Dead,
}

impl PendingCode {
    /// A code sent at `now`.
    pub fn new(method: ContactMethodId, code: &VerificationCode, now: Timestamp) -> Self {
        Self {
            code_hash: hash_code(method, code.expose()),
            expires_at: now
                .checked_add(SignedDuration::from_mins(CODE_TTL_MINUTES))
                .unwrap_or(now),
            attempts: 0,
        }
    }

    /// Checks `submitted` at `now`. The caller stores `attempts + 1` on `Wrong`.
    pub fn check(&self, method: ContactMethodId, submitted: &str, now: Timestamp) -> CheckOutcome {
        if self.attempts >= MAX_ATTEMPTS {
            return CheckOutcome::Dead;
        }
        if now >= self.expires_at {
            return CheckOutcome::Expired;
        }
        if hash_code(method, submitted) == self.code_hash {
            return CheckOutcome::Verified;
        }
        CheckOutcome::Wrong {
            attempts_left: MAX_ATTEMPTS - self.attempts - 1,
        }
    }
}

/// The codes sent to one method in the current hour-long window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    pub started_at: Timestamp,
    pub sends: u32,
}

impl SendWindow {
    /// Records a send at `now`: the window after it, or when the next send is allowed.
    pub fn record(previous: Option<SendWindow>, now: Timestamp) -> Result<SendWindow, Timestamp> {
        match previous {
            Some(window) => {
                let ends = window
                    .started_at
                    .checked_add(SEND_WINDOW)
                    .unwrap_or(window.started_at);
                if now >= ends {
                    Ok(SendWindow {
                        started_at: now,
                        sends: 1,
                    })
                } else if window.sends >= MAX_SENDS_PER_HOUR {
                    Err(ends)
                } else {
                    Ok(SendWindow {
                        started_at: window.started_at,
                        sends: window.sends + 1,
                    })
                }
            }
            None => Ok(SendWindow {
                started_at: now,
                sends: 1,
            }),
        }
    }
}
