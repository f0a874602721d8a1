//! What the delivery worker reads to build a notification (the incident as it is now, with its
//! latest alert), the action-link signing key, and the single-use record of action links.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::{IncidentId, UserId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

/// The alert a notification mentions: the incident's latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertContext {
    pub summary: String,
    pub severity: String,
    pub source: Option<String>,
}

/// The incident a notification is about, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeContext {
    pub number: i64,
    pub title: String,
    pub service: String,
    pub status: String,
    pub alert: Option<AlertContext>,
}

/// The incident's number, title, service name, status and latest alert.
pub async fn notice_context(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<NoticeContext, StoreError> {
    // Two reads at once, on two of the pool's connections.
    type IncidentRow = (i64, String, String, String);
    type AlertRow = (String, String, Option<String>);
    let (row, alert): (Option<IncidentRow>, Option<AlertRow>) = futures::try_join!(
        reader.fetch_optional(
            "SELECT i.number, i.title, s.name, i.status FROM incidents i \
             JOIN services s ON s.id = i.service_id WHERE i.id = $1",
            crate::args![incident.0],
        ),
        reader.fetch_optional(
            "SELECT summary, severity, source FROM alerts WHERE incident_id = $1 \
             ORDER BY id DESC LIMIT 1",
            crate::args![incident.0],
        ),
    )?;
    let (number, title, service, status) = row.ok_or(StoreError::NotFound("incident"))?;
    Ok(NoticeContext {
        number,
        title,
        service,
        status,
        alert: alert.map(|(summary, severity, source)| AlertContext {
            summary,
            severity,
            source,
        }),
    })
}

/// The name of the action-link key in `signing_keys`.
const ACTION_LINK_KEY: &str = "action_links";

/// The action-link signing key, if one was made.
pub async fn signing_key(reader: Reader<'_>) -> Result<Option<Vec<u8>>, StoreError> {
    reader
        .scalar_optional(
            "SELECT key FROM signing_keys WHERE name = $1",
            crate::args![ACTION_LINK_KEY],
        )
        .await
}

/// The action-link signing key, storing `candidate` (fresh random bytes) if none exists yet.
pub async fn ensure_signing_key(
    tx: &mut Tx,
    candidate: Vec<u8>,
    at: Timestamp,
) -> Result<Vec<u8>, StoreError> {
    let created = tx
        .execute(
            "INSERT INTO signing_keys (name, key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
            crate::args![ACTION_LINK_KEY, candidate, to_micros(at)],
        )
        .await?;
    if created > 0 {
        let payload = json!({ "name": ACTION_LINK_KEY, "reason": "first signed action link" });
        tx.append(NewEvent::new(
            "signing_key",
            Uuid::nil(),
            "signing_key.created",
            "system:tocsin",
            at,
            payload,
        ))
        .await?;
    }
    tx.scalar(
        "SELECT key FROM signing_keys WHERE name = $1",
        crate::args![ACTION_LINK_KEY],
    )
    .await
}

/// The conflict answered when an action link's person is no longer active.
pub const LINK_USER_INACTIVE: &str = "link_user_inactive";

/// Marks an action link used by `actor`; a link already used answers `Conflict("link_used")`. A
/// link sent to a person acts as them, so it is refused with `Conflict("link_user_inactive")` (and
/// stays unused) once that person is deactivated or gone, as their API tokens are.
pub async fn use_action_link(
    tx: &mut Tx,
    link: Uuid,
    user: Option<UserId>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if let Some(user) = user {
        let active = match crate::catalog::users::get_user_in(tx, user).await {
            Ok(found) => found.active,
            Err(StoreError::NotFound(_)) => false,
            Err(error) => return Err(error),
        };
        if !active {
            return Err(StoreError::Conflict(LINK_USER_INACTIVE.into()));
        }
    }
    let inserted = tx
        .execute(
            "INSERT INTO action_link_uses (link_id, used_at, actor) VALUES ($1, $2, $3) \
             ON CONFLICT (link_id) DO NOTHING",
            crate::args![link, to_micros(at), actor],
        )
        .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict("link_used".into()));
    }
    Ok(())
}
