//! Creating, replacing and deleting incident roles. The caller has validated the role
//! (`alerting::from_json::<IncidentRole>`); here the references are checked against stored
//! state: the schedule exists, the backup exists and is active. A role an escalation policy pages
//! cannot be deleted.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::IncidentRoleId;
use tocsin_domain::roles::IncidentRole;

use super::StoredRole;
use super::reads::load;
use crate::catalog::{check_version, payload, unique_as};
use crate::error::StoreError;
use crate::escalation::{RefKind, policies_naming};
use crate::events::NewEvent;
use crate::schedule::check_user;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

const INSERT: &str = "INSERT INTO incident_roles (id, slug, name, instructions, schedule_id, \
    required_skills, backup_user_id, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)";
const UPDATE: &str = "UPDATE incident_roles SET slug = $3, name = $4, instructions = $5, \
    schedule_id = $6, required_skills = $7, backup_user_id = $8, version = version + 1, \
    updated_at = $9 WHERE id = $1 AND version = $2";
const DELETE: &str = "DELETE FROM incident_roles WHERE id = $1";
const SCHEDULE_EXISTS: &str = "SELECT COUNT(*) FROM schedules WHERE id = $1";

fn slug_taken(role: &IncidentRole) -> impl FnOnce() -> String + '_ {
    move || {
        format!(
            "an incident role with the slug {} already exists",
            role.slug
        )
    }
}

/// The columns after the id (and version), in statement order, without the timestamp.
fn columns(role: &IncidentRole) -> Result<Vec<crate::sql::Arg>, StoreError> {
    let skills = serde_json::to_string(&role.required_skills)
        .map_err(|e| StoreError::Corrupt(format!("skills not serialisable: {e}")))?;
    Ok(crate::args![
        role.slug.as_str(),
        role.name.as_str(),
        role.instructions.as_str(),
        role.schedule_id.map(|s| s.0),
        skills,
        role.backup_user_id.map(|u| u.0)
    ])
}

/// Refuses a missing schedule, and a missing or deactivated backup.
async fn check_references(tx: &mut Tx, role: &IncidentRole) -> Result<(), StoreError> {
    let mut problems = Collector::default();
    if let Some(schedule) = role.schedule_id {
        let found: i64 = tx.scalar(SCHEDULE_EXISTS, crate::args![schedule.0]).await?;
        if found == 0 {
            problems.push(FieldError::new(
                "/schedule_id",
                format!("no schedule has the id {schedule}"),
            ));
        }
    }
    if let Some(backup) = role.backup_user_id {
        check_user(tx, &mut problems, "/backup_user_id", backup).await?;
    }
    problems.finish().map_err(StoreError::Invalid)
}

async fn append(
    tx: &mut Tx,
    id: IncidentRoleId,
    event: &'static str,
    actor: &str,
    at: Timestamp,
    body: serde_json::Value,
) -> Result<(), StoreError> {
    let event = NewEvent::new("incident_role", id.0, event, actor, at, body);
    tx.append(event).await.map(|_| ())
}

/// Creates a role and appends `incident_role.created`.
pub async fn create_role(
    tx: &mut Tx,
    role: IncidentRole,
    actor: &str,
    at: Timestamp,
) -> Result<StoredRole, StoreError> {
    let role = role.normalised();
    check_references(tx, &role).await?;
    let at = from_micros(to_micros(at));
    let stored = StoredRole {
        id: IncidentRoleId::new(at),
        role,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let mut args = crate::args![stored.id.0];
    args.extend(columns(&stored.role)?);
    args.push(to_micros(at).into());
    unique_as(tx.execute(INSERT, args).await, slug_taken(&stored.role))?;
    let body = payload(&stored)?;
    append(tx, stored.id, "incident_role.created", actor, at, body).await?;
    Ok(stored)
}

/// Replaces a role (If-Match via `expected_version`) and appends `incident_role.updated` with the
/// new state. A replacement identical to the stored role changes nothing.
pub async fn update_role(
    tx: &mut Tx,
    id: IncidentRoleId,
    role: IncidentRole,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<StoredRole, StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let role = role.normalised();
    if role == current.role {
        return Ok(current);
    }
    check_references(tx, &role).await?;
    let next = StoredRole {
        role,
        version: current.version + 1,
        updated_at: from_micros(to_micros(at)),
        ..current.clone()
    };
    let mut args = crate::args![id.0, current.version];
    args.extend(columns(&next.role)?);
    args.push(to_micros(at).into());
    if unique_as(tx.execute(UPDATE, args).await, slug_taken(&next.role))? == 0 {
        return Err(StoreError::StaleVersion {
            current: load(tx, id).await?.version,
        });
    }
    let body = payload(&next)?;
    append(tx, id, "incident_role.updated", actor, at, body).await?;
    Ok(next)
}

/// Deletes a role no escalation policy pages: appends `incident_role.deleted` and removes the row.
pub async fn delete_role(
    tx: &mut Tx,
    id: IncidentRoleId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let policies = policies_naming(tx, RefKind::Role, id.0).await?;
    if !policies.is_empty() {
        return Err(StoreError::Conflict(format!(
            "the incident role {} is paged by the escalation policies {}; take it out of them \
             first",
            current.role.slug,
            policies.join(", ")
        )));
    }
    let body = json!({ "slug": current.role.slug, "version": current.version });
    append(tx, id, "incident_role.deleted", actor, at, body).await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    Ok(())
}
