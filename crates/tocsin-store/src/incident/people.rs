//! The people on an incident: its participants, and who holds which role. A role has one holder at
//! a time (the incident commander above all); handing it over needs a briefing note for the new
//! holder, and the timeline records the handover and how long the previous holder held it.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::roles::STANDARD_ROLES;
use uuid::Uuid;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// Adds `user` as a participant (nothing happens if they already are one).
pub async fn add_participant(
    tx: &mut Tx,
    incident: IncidentId,
    user: UserId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let added = tx
        .execute(
            "INSERT INTO incident_participants (incident_id, user_id, joined_at, added_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            crate::args![incident.0, user.0, to_micros(at), actor],
        )
        .await?;
    if added > 0 {
        let payload = serde_json::json!({ "user_id": user });
        tx.append(event(
            incident,
            "incident.participant_added",
            actor,
            at,
            payload,
        ))
        .await?;
    }
    Ok(())
}

/// A participant as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Participant {
    pub user_id: UserId,
    pub name: String,
    pub joined_at: Timestamp,
    pub added_by: String,
}

pub async fn participants(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<Participant>, StoreError> {
    let rows: Vec<(Uuid, String, i64, String)> = reader
        .fetch_all(
            "SELECT p.user_id, u.name, p.joined_at, p.added_by FROM incident_participants p \
             JOIN users u ON u.id = p.user_id WHERE p.incident_id = $1 ORDER BY p.joined_at, u.name",
            crate::args![incident.0],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user, name, joined, added_by)| Participant {
            user_id: UserId(user),
            name,
            joined_at: from_micros(joined),
            added_by,
        })
        .collect())
}

/// A role assignment, current (`ended_at` none) or past.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleAssignment {
    pub role: String,
    pub user_id: UserId,
    pub user_name: String,
    pub briefing: String,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

/// Every assignment of the incident's roles, oldest first.
pub async fn role_assignments(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<RoleAssignment>, StoreError> {
    type Row = (String, Uuid, String, String, i64, Option<i64>);
    let rows: Vec<Row> = reader
        .fetch_all(
            "SELECT a.role, a.user_id, u.name, a.briefing, a.started_at, a.ended_at \
             FROM incident_role_assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.incident_id = $1 ORDER BY a.started_at, a.id",
            crate::args![incident.0],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(role, user, name, briefing, started, ended)| RoleAssignment {
                role,
                user_id: UserId(user),
                user_name: name,
                briefing,
                started_at: from_micros(started),
                ended_at: ended.map(from_micros),
            },
        )
        .collect())
}

/// The role's name: a standard role, or one defined under `/api/v1/incident-roles`.
pub(super) async fn role_name(tx: &mut Tx, slug: &str) -> Result<String, StoreError> {
    if let Some(standard) = STANDARD_ROLES.iter().find(|r| r.slug == slug) {
        return Ok(standard.name.to_owned());
    }
    let custom: Option<String> = tx
        .scalar_optional(
            "SELECT name FROM incident_roles WHERE slug = $1",
            crate::args![slug.to_owned()],
        )
        .await?;
    custom.ok_or_else(|| {
        StoreError::Invalid(tocsin_domain::ValidationError::field(
            "/role",
            "no such role: use a standard role (incident_commander, communications_lead, \
             technical_lead, scribe, liaison) or one defined under /api/v1/incident-roles",
        ))
    })
}

/// Ends the role's current assignment, if any; answers its holder and how long they held it.
async fn end_current(
    tx: &mut Tx,
    incident: IncidentId,
    role: &str,
    at: Timestamp,
) -> Result<Option<(UserId, i64)>, StoreError> {
    let current: Option<(Uuid, Uuid, i64)> = tx
        .fetch_optional(
            "SELECT id, user_id, started_at FROM incident_role_assignments \
             WHERE incident_id = $1 AND role = $2 AND ended_at IS NULL",
            crate::args![incident.0, role.to_owned()],
        )
        .await?;
    let Some((assignment, user, started)) = current else {
        return Ok(None);
    };
    let now = to_micros(at);
    tx.execute(
        "UPDATE incident_role_assignments SET ended_at = $2 WHERE id = $1",
        crate::args![assignment, now],
    )
    .await?;
    let held_seconds = (now - started).max(0) / 1_000_000;
    Ok(Some((UserId(user), held_seconds)))
}

/// Gives `role` to `user`. Taking over from a current holder needs a `briefing` (the handover
/// note); the previous holder's time in the role goes on the timeline.
pub async fn assign_role(
    tx: &mut Tx,
    incident: IncidentId,
    role: &str,
    user: UserId,
    briefing: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let name = role_name(tx, role).await?;
    let active: Option<bool> = tx
        .scalar_optional(
            "SELECT active FROM users WHERE id = $1",
            crate::args![user.0],
        )
        .await?;
    if active != Some(true) {
        return Err(StoreError::Invalid(tocsin_domain::ValidationError::field(
            "/user_id",
            "no such active user",
        )));
    }
    let holder: Option<Uuid> = tx
        .scalar_optional(
            "SELECT user_id FROM incident_role_assignments \
             WHERE incident_id = $1 AND role = $2 AND ended_at IS NULL",
            crate::args![incident.0, role.to_owned()],
        )
        .await?;
    if holder == Some(user.0) {
        return Err(StoreError::refused(
            "/user_id",
            format!("they already hold the role {name}"),
        ));
    }
    if holder.is_some() && briefing.trim().is_empty() {
        return Err(StoreError::Invalid(tocsin_domain::ValidationError::field(
            "/briefing",
            "handing a role over needs a briefing note for the new holder",
        )));
    }
    let previous = end_current(tx, incident, role, at).await?;
    tx.execute(
        "INSERT INTO incident_role_assignments (id, incident_id, role, user_id, briefing, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        crate::args![
            Uuid::now_v7(),
            incident.0,
            role.to_owned(),
            user.0,
            briefing.trim().to_owned(),
            to_micros(at)
        ],
    )
    .await?;
    add_participant(tx, incident, user, actor, at).await?;
    let (kind, reason) = match previous {
        Some(_) => ("incident.role_handed_over", format!("{name} handed over")),
        None => ("incident.role_assigned", format!("{name} assigned")),
    };
    let payload = serde_json::json!({
        "role": role, "role_name": name, "user_id": user, "briefing": briefing.trim(),
        "previous_user_id": previous.map(|(u, _)| u),
        "previous_held_seconds": previous.map(|(_, s)| s),
        "reason": reason,
    });
    tx.append(event(incident, kind, actor, at, payload)).await?;
    Ok(())
}

/// Ends the role's current assignment without a successor.
pub async fn release_role(
    tx: &mut Tx,
    incident: IncidentId,
    role: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let Some((user, held)) = end_current(tx, incident, role, at).await? else {
        return Err(StoreError::NotFound("role holder"));
    };
    let payload = serde_json::json!({
        "role": role, "user_id": user, "held_seconds": held,
        "reason": format!("{role} released"),
    });
    tx.append(event(
        incident,
        "incident.role_released",
        actor,
        at,
        payload,
    ))
    .await?;
    Ok(())
}
