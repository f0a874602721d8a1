//! Turns a presented credential (token hash, session hash, integration key) into who is calling.
use jiff::Timestamp;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{ApiTokenId, IntegrationKeyId, ServiceId, SessionId, UserId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};

/// The user behind a live credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialOwner {
    pub user_id: UserId,
    pub role: OrgRole,
    pub name: String,
    pub email: String,
    /// The IANA time zone of their profile (the console shows instants on this clock).
    pub time_zone: String,
}

/// A live API token.
#[derive(Debug, Clone)]
pub struct TokenLogin {
    pub token_id: ApiTokenId,
    pub owner: CredentialOwner,
    pub last_used_at: Option<Timestamp>,
}

/// A live web session.
#[derive(Debug, Clone)]
pub struct SessionLogin {
    pub session_id: SessionId,
    pub owner: CredentialOwner,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
}

const TOKEN: &str = "SELECT t.id, t.last_used_at, u.id, u.role, u.name, u.email, u.time_zone FROM api_tokens t \
    JOIN users u ON u.id = t.user_id \
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active";
const SESSION: &str = "SELECT s.id, s.csrf_token, s.last_seen_at, u.id, u.role, u.name, u.email, u.time_zone FROM sessions s \
    JOIN users u ON u.id = s.user_id \
    WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active";
const KEY: &str =
    "SELECT id, service_id FROM integration_keys WHERE secret = $1 AND revoked_at IS NULL";

/// A user row as the two logins read it: id, role, name, email and time zone.
type OwnerRow = (Uuid, String, String, String, String);
/// A token row: id, last used, then the owner's columns.
type TokenRow = (Uuid, Option<i64>, Uuid, String, String, String, String);
/// A session row: id, CSRF token, last seen, then the owner's columns.
type SessionRow = (Uuid, String, i64, Uuid, String, String, String, String);

fn owner((id, role, name, email, time_zone): OwnerRow) -> Option<CredentialOwner> {
    // A role the binary does not know (from a newer version) grants nothing.
    let role = OrgRole::parse(&role).ok()?;
    Some(CredentialOwner {
        user_id: UserId(id),
        role,
        name,
        email,
        time_zone,
    })
}

/// The live, unexpired token with this hash, and its active user.
pub async fn token(
    reader: Reader<'_>,
    token_hash: &[u8],
    now: Timestamp,
) -> Result<Option<TokenLogin>, StoreError> {
    let row: Option<TokenRow> = reader
        .fetch_optional(TOKEN, crate::args![token_hash, to_micros(now)])
        .await?;
    Ok(row.and_then(
        |(token_id, last_used, user_id, role, name, email, time_zone)| {
            Some(TokenLogin {
                token_id: ApiTokenId(token_id),
                owner: owner((user_id, role, name, email, time_zone))?,
                last_used_at: last_used.map(from_micros),
            })
        },
    ))
}

/// The live session with this hash: not revoked, not past its expiry, used within `idle_since`.
pub async fn session(
    reader: Reader<'_>,
    token_hash: &[u8],
    now: Timestamp,
    idle_since: Timestamp,
) -> Result<Option<SessionLogin>, StoreError> {
    let row: Option<SessionRow> = reader
        .fetch_optional(
            SESSION,
            crate::args![token_hash, to_micros(now), to_micros(idle_since)],
        )
        .await?;
    Ok(row.and_then(
        |(session_id, csrf_token, last_seen, user_id, role, name, email, time_zone)| {
            Some(SessionLogin {
                session_id: SessionId(session_id),
                owner: owner((user_id, role, name, email, time_zone))?,
                csrf_token,
                last_seen_at: from_micros(last_seen),
            })
        },
    ))
}

/// The live integration key with this secret and its service.
pub async fn integration_key(
    reader: Reader<'_>,
    secret: &str,
) -> Result<Option<(IntegrationKeyId, ServiceId)>, StoreError> {
    let row: Option<(Uuid, Uuid)> = reader.fetch_optional(KEY, crate::args![secret]).await?;
    Ok(row.map(|(key, service)| (IntegrationKeyId(key), ServiceId(service))))
}
