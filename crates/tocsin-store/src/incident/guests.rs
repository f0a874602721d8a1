//! Guest passes for external responders (table `incident_guests`): invited and revoked in the
//! same transaction as the timeline event that records it (`incident.guest_invited`,
//! `incident.guest_revoked`); only the hash of the pass is stored. A pass is looked up by its
//! hash and is valid until it expires or is revoked.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::guests::Guest;
use uuid::Uuid;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The guest columns, in `Row` order, followed by `$tail`.
macro_rules! select_guests {
    ($tail:literal) => {
        concat!(
            "SELECT id, incident_id, name, email, organisation, may_write, invited_by, ",
            "created_at, expires_at, revoked_at, revoked_by FROM incident_guests",
            $tail
        )
    };
}

/// A guest pass as stored (never the pass itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuestPass {
    pub id: Uuid,
    pub incident_id: IncidentId,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub may_write: bool,
    pub invited_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<String>,
}

impl GuestPass {
    /// Whether the pass opens its incident's guest routes at `now`.
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

type Row = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);

fn pass_of(row: Row) -> GuestPass {
    let (id, incident, name, email, organisation, may_write, invited_by, created, expires) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    GuestPass {
        id,
        incident_id: IncidentId(incident),
        name,
        email,
        organisation,
        may_write: may_write != 0,
        invited_by,
        created_at: from_micros(created),
        expires_at: from_micros(expires),
        revoked_at: row.9.map(from_micros),
        revoked_by: row.10,
    }
}

/// Invites `guest` to `incident` with the pass whose hash is `token_hash`; answers the pass.
pub async fn invite_guest(
    tx: &mut Tx,
    incident: IncidentId,
    guest: &Guest,
    token_hash: &[u8],
    actor: &str,
    at: Timestamp,
) -> Result<GuestPass, StoreError> {
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO incident_guests (id, incident_id, name, email, organisation, may_write, \
         token_hash, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        crate::args![
            id,
            incident.0,
            guest.name.clone(),
            guest.email.clone(),
            guest.organisation.clone(),
            i64::from(guest.may_write),
            token_hash.to_vec(),
            actor.to_owned(),
            to_micros(at),
            to_micros(guest.expires_at)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "guest_id": id, "name": guest.name, "organisation": guest.organisation,
        "may_write": guest.may_write, "expires_at": guest.expires_at,
        "reason": format!("{} of {} invited as a guest until {}", guest.name,
            guest.organisation, guest.expires_at),
    });
    tx.append(event(
        incident,
        "incident.guest_invited",
        actor,
        at,
        payload,
    ))
    .await?;
    let row: Row = tx
        .fetch_optional(select_guests!(" WHERE id = $1"), crate::args![id])
        .await?
        .ok_or(StoreError::NotFound("guest"))?;
    Ok(pass_of(row))
}

/// The incident's guest passes, oldest first.
pub async fn guests(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<GuestPass>, StoreError> {
    let rows: Vec<Row> = reader
        .fetch_all(
            select_guests!(" WHERE incident_id = $1 ORDER BY created_at, id"),
            crate::args![incident.0],
        )
        .await?;
    Ok(rows.into_iter().map(pass_of).collect())
}

/// The pass with this hash, valid or not.
pub async fn guest_by_token(
    reader: Reader<'_>,
    token_hash: &[u8],
) -> Result<Option<GuestPass>, StoreError> {
    let row: Option<Row> = reader
        .fetch_optional(
            select_guests!(" WHERE token_hash = $1"),
            crate::args![token_hash.to_vec()],
        )
        .await?;
    Ok(row.map(pass_of))
}

/// The pass `id`, valid or not.
pub async fn guest(reader: Reader<'_>, id: Uuid) -> Result<Option<GuestPass>, StoreError> {
    let row: Option<Row> = reader
        .fetch_optional(select_guests!(" WHERE id = $1"), crate::args![id])
        .await?;
    Ok(row.map(pass_of))
}

/// Revokes the pass `guest` of `incident` at once; revoking it again changes nothing.
pub async fn revoke_guest(
    tx: &mut Tx,
    incident: IncidentId,
    guest: Uuid,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let name: Option<String> = tx
        .scalar_optional(
            "SELECT name FROM incident_guests WHERE id = $1 AND incident_id = $2",
            crate::args![guest, incident.0],
        )
        .await?;
    let name = name.ok_or(StoreError::NotFound("guest"))?;
    let revoked = tx
        .execute(
            "UPDATE incident_guests SET revoked_at = $2, revoked_by = $3 \
             WHERE id = $1 AND revoked_at IS NULL",
            crate::args![guest, to_micros(at), actor.to_owned()],
        )
        .await?;
    if revoked > 0 {
        let payload = serde_json::json!({
            "guest_id": guest, "name": name,
            "reason": format!("the guest pass of {name} was revoked"),
        });
        tx.append(event(
            incident,
            "incident.guest_revoked",
            actor,
            at,
            payload,
        ))
        .await?;
    }
    Ok(())
}
