//! Verification codes as stored: requesting one (under the per-method send limit) keeps only its
//! hash; checking one counts wrong attempts, and a right one verifies the method (and gives the
//! user a default high-urgency rule through it when they have no rules yet). Each step appends an
//! event to the user's stream; the code itself is never recorded.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::contact::{CheckOutcome, PendingCode, SendWindow};
use tocsin_domain::delivery::{Outcome, Urgency};
use tocsin_domain::id::{ContactMethodId, UserId};

use super::StoredContactMethod;
use super::methods::load_contact_method;
use super::rules::insert_rule;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// What requesting a code came to.
#[derive(Debug, Clone)]
pub enum VerificationRequest {
    /// The code's hash is stored; send the code to this method now.
    Send(StoredContactMethod),
    /// Five codes went out this hour; the next may go at this instant.
    RateLimited { next_send_at: Timestamp },
}

/// What entering a code came to.
#[derive(Debug, Clone)]
pub enum VerificationAttempt {
    Verified(StoredContactMethod),
    Wrong {
        attempts_left: u32,
    },
    /// Expired, dead after too many wrong attempts, or never requested: a new code is needed.
    Gone(&'static str),
}

type PendingRow = (Option<Vec<u8>>, Option<i64>, i64, i64, i64);

const SELECT: &str = "SELECT code_hash, expires_at, attempts, window_started_at, sends_in_window \
    FROM contact_verifications WHERE contact_method_id = $1";
const UPSERT: &str = "INSERT INTO contact_verifications \
    (contact_method_id, code_hash, expires_at, attempts, window_started_at, sends_in_window) \
    VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (contact_method_id) DO UPDATE SET \
    code_hash = $2, expires_at = $3, attempts = 0, window_started_at = $4, sends_in_window = $5";
const COUNT_ATTEMPT: &str =
    "UPDATE contact_verifications SET attempts = attempts + 1 WHERE contact_method_id = $1";
const CLEAR_CODE: &str = "UPDATE contact_verifications SET code_hash = NULL, expires_at = NULL \
    WHERE contact_method_id = $1";
const VERIFY: &str = "UPDATE contact_methods SET verified_at = $2, updated_at = $2 WHERE id = $1";
const RULE_COUNT: &str = "SELECT COUNT(*) FROM notification_rules WHERE user_id = $1";

fn event(
    user: UserId,
    kind: &'static str,
    body: serde_json::Value,
    actor: &str,
    at: Timestamp,
) -> NewEvent {
    NewEvent::new("user", user.0, kind, actor, at, body)
}

/// Stores a new code's hash for `id` (replacing a pending one) unless five went out this hour,
/// and appends `user.contact_verification_requested`.
pub async fn request_verification(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
    code: &PendingCode,
    actor: &str,
    at: Timestamp,
) -> Result<VerificationRequest, StoreError> {
    let stored = load_contact_method(tx, user, id).await?;
    let row: Option<PendingRow> = tx.fetch_optional(SELECT, crate::args![id.0]).await?;
    let previous = row.map(|(_, _, _, started, sends)| SendWindow {
        started_at: from_micros(started),
        sends: u32::try_from(sends).unwrap_or(u32::MAX),
    });
    let window = match SendWindow::record(previous, at) {
        Ok(window) => window,
        Err(next_send_at) => return Ok(VerificationRequest::RateLimited { next_send_at }),
    };
    tx.execute(
        UPSERT,
        crate::args![
            id.0,
            code.code_hash.clone(),
            to_micros(code.expires_at),
            to_micros(window.started_at),
            i64::from(window.sends)
        ],
    )
    .await?;
    let body = json!({ "contact_method_id": id, "channel": stored.method.channel,
                       "expires_at": code.expires_at });
    tx.append(event(
        user,
        "user.contact_verification_requested",
        body,
        actor,
        at,
    ))
    .await?;
    Ok(VerificationRequest::Send(stored))
}

/// Appends the outcome of a message sent to a method on request (never its content):
/// `user.contact_verification_sent` for a code, `user.contact_method_tested` for a test.
pub async fn record_sending(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
    test: bool,
    outcome: &Outcome,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let kind = if test {
        "user.contact_method_tested"
    } else {
        "user.contact_verification_sent"
    };
    let body = match outcome {
        Outcome::Delivered { receipt } => json!({
            "contact_method_id": id, "outcome": "delivered", "receipt": receipt }),
        Outcome::Retryable { reason, .. } => json!({
            "contact_method_id": id, "outcome": "retryable", "reason": reason }),
        Outcome::Permanent { reason } => json!({
            "contact_method_id": id, "outcome": "permanent", "reason": reason }),
    };
    tx.append(event(user, kind, body, actor, at)).await?;
    Ok(())
}

/// Checks an entered code. A right one verifies the method (appending
/// `user.contact_method_verified`, and a default rule when the user had none); a wrong one counts
/// (appending `user.contact_verification_failed`).
pub async fn check_verification(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
    submitted: &str,
    actor: &str,
    at: Timestamp,
) -> Result<VerificationAttempt, StoreError> {
    let mut stored = load_contact_method(tx, user, id).await?;
    let row: Option<PendingRow> = tx.fetch_optional(SELECT, crate::args![id.0]).await?;
    let pending = match row {
        Some((Some(code_hash), Some(expires_at), attempts, _, _)) => PendingCode {
            code_hash,
            expires_at: from_micros(expires_at),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        },
        _ => return Ok(VerificationAttempt::Gone("no code is pending: request one")),
    };
    match pending.check(id, submitted, at) {
        CheckOutcome::Expired => Ok(VerificationAttempt::Gone(
            "the code expired: request a new one",
        )),
        CheckOutcome::Dead => Ok(VerificationAttempt::Gone(
            "too many wrong attempts: request a new code",
        )),
        CheckOutcome::Wrong { attempts_left } => {
            tx.execute(COUNT_ATTEMPT, crate::args![id.0]).await?;
            let body = json!({ "contact_method_id": id, "attempts_left": attempts_left });
            tx.append(event(
                user,
                "user.contact_verification_failed",
                body,
                actor,
                at,
            ))
            .await?;
            Ok(VerificationAttempt::Wrong { attempts_left })
        }
        CheckOutcome::Verified => {
            tx.execute(CLEAR_CODE, crate::args![id.0]).await?;
            tx.execute(VERIFY, crate::args![id.0, to_micros(at)])
                .await?;
            stored.method.verified = true;
            stored.verified_at = Some(from_micros(to_micros(at)));
            stored.updated_at = from_micros(to_micros(at));
            let body = json!({ "contact_method_id": id, "channel": stored.method.channel });
            tx.append(event(user, "user.contact_method_verified", body, actor, at))
                .await?;
            let rules: i64 = tx.scalar(RULE_COUNT, crate::args![user.0]).await?;
            if rules == 0 {
                insert_rule(tx, user, id, Urgency::High, 0, actor, at).await?;
            }
            Ok(VerificationAttempt::Verified(stored))
        }
    }
}
