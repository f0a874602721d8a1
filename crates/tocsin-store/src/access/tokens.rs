//! Bearer API tokens: random 256-bit secrets shown once, stored hashed, revocable, with last use.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{ApiTokenId, UserId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A token as listed (never its secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// What creating a token needs; `token_hash` is SHA-256 of the secret.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub prefix: String,
    pub expires_at: Option<Timestamp>,
}

crate::sql_row! {
    struct TokenRow {
        id: Uuid,
        user_id: Uuid,
        name: String,
        prefix: String,
        created_at: i64,
        last_used_at: Option<i64>,
        expires_at: Option<i64>,
        revoked_at: Option<i64>,
    }
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> Self {
        Self {
            id: ApiTokenId(row.id),
            user_id: UserId(row.user_id),
            name: row.name,
            prefix: row.prefix,
            created_at: from_micros(row.created_at),
            last_used_at: row.last_used_at.map(from_micros),
            expires_at: row.expires_at.map(from_micros),
            revoked_at: row.revoked_at.map(from_micros),
        }
    }
}

const INSERT: &str = "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const LIST_FOR_USER: &str = "SELECT id, user_id, name, prefix, created_at, last_used_at, expires_at, revoked_at \
    FROM api_tokens WHERE user_id = $1 ORDER BY id";
const GET: &str = "SELECT id, user_id, name, prefix, created_at, last_used_at, expires_at, revoked_at \
    FROM api_tokens WHERE id = $1";
const REVOKE: &str = "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
const TOUCH: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";

/// Stores a new token and records its creation on the owner's stream (without the secret).
pub async fn create(
    tx: &mut Tx,
    token: NewApiToken,
    actor: &str,
    at: Timestamp,
) -> Result<ApiToken, StoreError> {
    let id = ApiTokenId::new(at);
    tx.execute(
        INSERT,
        crate::args![
            id.0,
            token.user_id.0,
            &token.name,
            &token.token_hash,
            &token.prefix,
            to_micros(at),
            token.expires_at.map(to_micros)
        ],
    )
    .await?;
    tx.append(NewEvent::new(
        "user",
        token.user_id.0,
        "api_token.created",
        actor,
        at,
        serde_json::json!({ "token_id": id, "name": token.name, "prefix": token.prefix }),
    ))
    .await?;
    Ok(ApiToken {
        id,
        user_id: token.user_id,
        name: token.name,
        prefix: token.prefix,
        created_at: from_micros(to_micros(at)),
        last_used_at: None,
        expires_at: token.expires_at.map(|e| from_micros(to_micros(e))),
        revoked_at: None,
    })
}

pub async fn list_for_user(reader: Reader<'_>, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
    let rows: Vec<TokenRow> = reader
        .fetch_all(LIST_FOR_USER, crate::args![user.0])
        .await?;
    Ok(rows.into_iter().map(ApiToken::from).collect())
}

pub async fn get(reader: Reader<'_>, id: ApiTokenId) -> Result<ApiToken, StoreError> {
    let row: Option<TokenRow> = reader.fetch_optional(GET, crate::args![id.0]).await?;
    row.map(ApiToken::from)
        .ok_or(StoreError::NotFound("API token"))
}

/// Revokes a token; revoking twice is a no-op but still NotFound for unknown ids.
pub async fn revoke(
    tx: &mut Tx,
    id: ApiTokenId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<TokenRow> = tx.fetch_optional(GET, crate::args![id.0]).await?;
    let token = row
        .map(ApiToken::from)
        .ok_or(StoreError::NotFound("API token"))?;
    let changed = tx
        .execute(REVOKE, crate::args![id.0, to_micros(at)])
        .await?;
    if changed > 0 {
        tx.append(NewEvent::new(
            "user",
            token.user_id.0,
            "api_token.revoked",
            actor,
            at,
            serde_json::json!({ "token_id": id, "name": token.name }),
        ))
        .await?;
    }
    Ok(())
}

/// Records the last use (callers debounce so this is not a write per request).
pub async fn touch(tx: &mut Tx, id: ApiTokenId, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(TOUCH, crate::args![id.0, to_micros(at)]).await?;
    Ok(())
}
