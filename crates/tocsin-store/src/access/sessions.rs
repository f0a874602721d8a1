//! Web login sessions: the cookie carries a random secret, the database only its SHA-256 hash.
//! Each session has its own CSRF token, an idle timeout and an absolute expiry.
use jiff::Timestamp;
use tocsin_domain::id::{SessionId, UserId};

use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

const INSERT: &str = "INSERT INTO sessions (token_hash, id, user_id, csrf_token, created_at, last_seen_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $5, $6)";
const REVOKE_BY_HASH: &str = "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, user_id";
const TOUCH: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";

/// Starts a session and records the sign-in on the user's stream.
pub async fn create(
    tx: &mut Tx,
    session: NewSession,
    at: Timestamp,
) -> Result<SessionId, StoreError> {
    let id = SessionId::new(at);
    tx.execute(
        INSERT,
        crate::args![
            &session.token_hash,
            id.0,
            session.user_id.0,
            &session.csrf_token,
            to_micros(at),
            to_micros(session.expires_at)
        ],
    )
    .await?;
    tx.append(NewEvent::new(
        "user",
        session.user_id.0,
        "session.started",
        &format!("user:{}", session.user_id),
        at,
        serde_json::json!({ "session_id": id }),
    ))
    .await?;
    Ok(id)
}

/// Ends the session with this secret hash, if it is live; records the sign-out.
pub async fn revoke(tx: &mut Tx, token_hash: Vec<u8>, at: Timestamp) -> Result<bool, StoreError> {
    let ended: Option<(uuid::Uuid, uuid::Uuid)> = tx
        .fetch_optional(REVOKE_BY_HASH, crate::args![&token_hash, to_micros(at)])
        .await?;
    let Some((session_id, user_id)) = ended else {
        return Ok(false);
    };
    tx.append(NewEvent::new(
        "user",
        user_id,
        "session.ended",
        &format!("user:{user_id}"),
        at,
        serde_json::json!({ "session_id": session_id }),
    ))
    .await?;
    Ok(true)
}

/// Marks the session as used now (callers debounce).
pub async fn touch(tx: &mut Tx, id: SessionId, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(TOUCH, crate::args![id.0, to_micros(at)]).await?;
    Ok(())
}

/// Sessions are kept this long after they end (expiry or sign-out), then purged.
pub const RETENTION: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 7);

const PURGE: &str = "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1";
const NEXT_END: &str = "SELECT MIN(CASE WHEN revoked_at IS NOT NULL AND revoked_at < expires_at \
    THEN revoked_at ELSE expires_at END) FROM sessions";

/// Deletes sessions that ended more than `RETENTION` before `now`; returns how many.
pub async fn purge_ended(tx: &mut Tx, now: Timestamp) -> Result<u64, StoreError> {
    tx.execute(PURGE, crate::args![to_micros(now - RETENTION)])
        .await
}

/// The earliest instant any stored session ends (is revoked or expires), if there are any.
pub async fn next_end(reader: crate::Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let earliest: Option<i64> = reader.scalar(NEXT_END, crate::args![]).await?;
    Ok(earliest.map(crate::time::from_micros))
}

const REVOKE_OTHERS: &str =
    "UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL";

/// Ends every live session of `user` except `keep` (e.g. after a password change); returns how many.
pub async fn revoke_all_except(
    tx: &mut Tx,
    user: UserId,
    keep: Option<SessionId>,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let keep = keep.map_or(uuid::Uuid::nil(), |id| id.0);
    tx.execute(REVOKE_OTHERS, crate::args![user.0, keep, to_micros(at)])
        .await
}
