//! Creating, replacing and deleting schedules. The caller has validated the definition's shape and
//! rules (`alerting::from_json::<Schedule>`); here the references are checked against stored
//! state: the owning team exists, every user named exists and is active.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::{ScheduleId, TeamId};
use tocsin_domain::oncall::Schedule;
use tocsin_domain::values::{Description, Name};

use super::StoredSchedule;
use super::members::{check_users, write_members};
use super::reads::load;
use crate::catalog::graph::check_references;
use crate::catalog::{check_version, payload, unique_as};
use crate::error::StoreError;
use crate::escalation::{RefKind, policies_naming};
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

/// What a schedule is made of, as created or as a whole replacement (PUT).
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub name: Name,
    pub description: Description,
    pub team_id: Option<TeamId>,
    /// Its `overrides` are ignored: overrides are added one by one.
    pub definition: Schedule,
}

/// A replacement of a schedule: the same fields as a new one.
pub type ScheduleChange = NewSchedule;

const INSERT: &str = "INSERT INTO schedules \
    (id, name, name_key, description, team_id, time_zone, definition, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)";
const UPDATE: &str = "UPDATE schedules SET name = $3, name_key = $4, description = $5, team_id = $6, \
    time_zone = $7, definition = $8, version = version + 1, updated_at = $9 WHERE id = $1 AND version = $2";
const DELETE: &str = "DELETE FROM schedules WHERE id = $1";
const REVOKE_SUBSCRIPTIONS: &str = "UPDATE calendar_subscriptions SET revoked_at = $2 \
    WHERE kind = 'schedule' AND target_id = $1 AND revoked_at IS NULL";

fn name_taken(name: &Name) -> impl FnOnce() -> String + '_ {
    move || format!("a schedule named {name} already exists")
}

fn definition_json(definition: &Schedule) -> Result<String, StoreError> {
    serde_json::to_string(definition)
        .map_err(|e| StoreError::Corrupt(format!("schedule not serialisable: {e}")))
}

/// The definition as stored: without overrides.
fn without_overrides(mut definition: Schedule) -> Schedule {
    definition.overrides.clear();
    definition
}

async fn check_all_references(tx: &mut Tx, new: &NewSchedule) -> Result<(), StoreError> {
    check_references(tx, new.team_id, None).await?;
    check_users(tx, &new.definition).await
}

/// Creates a schedule and appends `schedule.created` (with the whole definition).
pub async fn create_schedule(
    tx: &mut Tx,
    new: NewSchedule,
    actor: &str,
    at: Timestamp,
) -> Result<StoredSchedule, StoreError> {
    check_all_references(tx, &new).await?;
    let schedule = StoredSchedule {
        id: ScheduleId::new(at),
        name: new.name,
        description: new.description,
        team_id: new.team_id,
        definition: without_overrides(new.definition),
        version: 1,
        created_at: crate::from_micros(to_micros(at)),
        updated_at: crate::from_micros(to_micros(at)),
    };
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                schedule.id.0,
                schedule.name.as_str(),
                crate::catalog::teams::name_key(&schedule.name),
                schedule.description.as_str(),
                schedule.team_id.map(|t| t.0),
                schedule.definition.time_zone.as_str(),
                definition_json(&schedule.definition)?,
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, name_taken(&schedule.name))?;
    write_members(tx, schedule.id, &schedule.definition).await?;
    tx.append(NewEvent::new(
        "schedule",
        schedule.id.0,
        "schedule.created",
        actor,
        at,
        payload(&schedule)?,
    ))
    .await?;
    Ok(schedule)
}

/// Replaces a schedule's name, description, team and definition (If-Match via
/// `expected_version`) and appends `schedule.updated` with the new state. A replacement identical
/// to the stored schedule changes nothing.
pub async fn update_schedule(
    tx: &mut Tx,
    id: ScheduleId,
    change: ScheduleChange,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<StoredSchedule, StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    check_all_references(tx, &change).await?;
    let next = StoredSchedule {
        name: change.name,
        description: change.description,
        team_id: change.team_id,
        definition: without_overrides(change.definition),
        version: current.version + 1,
        updated_at: crate::from_micros(to_micros(at)),
        ..current.clone()
    };
    let unchanged = next.name == current.name
        && next.description == current.description
        && next.team_id == current.team_id
        && next.definition == current.definition;
    if unchanged {
        return Ok(current);
    }
    let updated = tx
        .execute(
            UPDATE,
            crate::args![
                id.0,
                current.version,
                next.name.as_str(),
                crate::catalog::teams::name_key(&next.name),
                next.description.as_str(),
                next.team_id.map(|t| t.0),
                next.definition.time_zone.as_str(),
                definition_json(&next.definition)?,
                to_micros(at)
            ],
        )
        .await;
    if unique_as(updated, name_taken(&next.name))? == 0 {
        return Err(StoreError::StaleVersion {
            current: load(tx, id).await?.version,
        });
    }
    if next.definition != current.definition {
        write_members(tx, id, &next.definition).await?;
    }
    tx.append(NewEvent::new(
        "schedule",
        id.0,
        "schedule.updated",
        actor,
        at,
        payload(&next)?,
    ))
    .await?;
    Ok(next)
}

/// Deletes a schedule: appends `schedule.deleted`, revokes its calendar subscriptions, and removes
/// the projection rows (its overrides and member rows go with it).
pub async fn delete_schedule(
    tx: &mut Tx,
    id: ScheduleId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let policies = policies_naming(tx, RefKind::Schedule, id.0).await?;
    if !policies.is_empty() {
        return Err(StoreError::Conflict(format!(
            "the schedule {} is paged by the escalation policies {}; take it out of them first",
            current.name,
            policies.join(", ")
        )));
    }
    let roles = crate::roles::roles_naming_schedule(tx, id).await?;
    if !roles.is_empty() {
        return Err(StoreError::Conflict(format!(
            "the schedule {} staffs the incident roles {}; give them another schedule first",
            current.name,
            roles.join(", ")
        )));
    }
    let body = json!({ "name": current.name, "version": current.version });
    tx.append(NewEvent::new(
        "schedule",
        id.0,
        "schedule.deleted",
        actor,
        at,
        body,
    ))
    .await?;
    tx.execute(REVOKE_SUBSCRIPTIONS, crate::args![id.0, to_micros(at)])
        .await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    Ok(())
}
