//! Overrides: one user on call instead of whoever the schedule says, for a period. Stored as rows
//! of their own so they can be listed and removed one by one; [`with_overrides`] folds the ones
//! touching a range into the domain `Schedule` (oldest first, so the newest wins where they
//! overlap).
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::{Override, Schedule};
use uuid::Uuid;

use super::StoredSchedule;
use super::members::check_user;
use super::reads::load;
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// What adding an override needs.
#[derive(Debug, Clone)]
pub struct NewOverride {
    pub user_id: UserId,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// An override as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleOverride {
    pub id: Uuid,
    pub schedule_id: ScheduleId,
    pub user_id: UserId,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The actor who added it (`user:<id>`).
    pub created_by: String,
    pub created_at: Timestamp,
}

type Row = (Uuid, Uuid, Uuid, i64, i64, String, i64);

fn from_row(row: Row) -> ScheduleOverride {
    let (id, schedule_id, user_id, start, end, created_by, created_at) = row;
    ScheduleOverride {
        id,
        schedule_id: ScheduleId(schedule_id),
        user_id: UserId(user_id),
        start: from_micros(start),
        end: from_micros(end),
        created_by,
        created_at: from_micros(created_at),
    }
}

const INSERT: &str = "INSERT INTO schedule_overrides \
    (id, schedule_id, user_id, starts_at, ends_at, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const SELECT_ONE: &str = "SELECT id, schedule_id, user_id, starts_at, ends_at, created_by, created_at \
    FROM schedule_overrides WHERE id = $1 AND schedule_id = $2";
const IN_RANGE: &str = "SELECT id, schedule_id, user_id, starts_at, ends_at, created_by, created_at \
    FROM schedule_overrides WHERE schedule_id = $1 AND ends_at > $2 AND starts_at < $3 ORDER BY id";
const DELETE: &str = "DELETE FROM schedule_overrides WHERE id = $1";

/// Adds an override to a schedule and appends `schedule.override_added`. The user must exist and
/// be active (`/user_id`), and the override must end after it starts (`/end`).
pub async fn add_override(
    tx: &mut Tx,
    schedule: ScheduleId,
    new: NewOverride,
    actor: &str,
    at: Timestamp,
) -> Result<ScheduleOverride, StoreError> {
    load(tx, schedule).await?;
    let mut problems = Collector::default();
    check_user(tx, &mut problems, "/user_id", new.user_id).await?;
    let (start, end) = (to_micros(new.start), to_micros(new.end));
    if end <= start {
        problems.push(FieldError::new("/end", "must be after start"));
    }
    problems.finish()?;
    let added = ScheduleOverride {
        id: tocsin_domain::id::uuid_v7_at(at),
        schedule_id: schedule,
        user_id: new.user_id,
        start: from_micros(start),
        end: from_micros(end),
        created_by: actor.to_owned(),
        created_at: from_micros(to_micros(at)),
    };
    tx.execute(
        INSERT,
        crate::args![
            added.id,
            schedule.0,
            added.user_id.0,
            start,
            end,
            actor,
            to_micros(at)
        ],
    )
    .await?;
    let body = json!({
        "override_id": added.id, "user_id": added.user_id, "start": added.start, "end": added.end,
    });
    tx.append(NewEvent::new(
        "schedule",
        schedule.0,
        "schedule.override_added",
        actor,
        at,
        body,
    ))
    .await?;
    Ok(added)
}

/// Removes one override of a schedule and appends `schedule.override_removed`.
pub async fn remove_override(
    tx: &mut Tx,
    schedule: ScheduleId,
    id: Uuid,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<Row> = tx
        .fetch_optional(SELECT_ONE, crate::args![id, schedule.0])
        .await?;
    let removed = from_row(row.ok_or(StoreError::NotFound("override"))?);
    tx.execute(DELETE, crate::args![id]).await?;
    let body = json!({
        "override_id": removed.id, "user_id": removed.user_id, "start": removed.start,
        "end": removed.end,
    });
    tx.append(NewEvent::new(
        "schedule",
        schedule.0,
        "schedule.override_removed",
        actor,
        at,
        body,
    ))
    .await?;
    Ok(())
}

/// The schedule's overrides that overlap `[from, to)`, oldest first.
pub async fn list_overrides(
    reader: Reader<'_>,
    schedule: ScheduleId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ScheduleOverride>, StoreError> {
    let args = crate::args![schedule.0, to_micros(from), to_micros(to)];
    let rows: Vec<Row> = reader.fetch_all(IN_RANGE, args).await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// [`with_overrides`] inside a write transaction (for the escalation engine).
pub(crate) async fn with_overrides_in(
    tx: &mut Tx,
    schedule: &StoredSchedule,
    from: Timestamp,
    to: Timestamp,
) -> Result<Schedule, StoreError> {
    let args = crate::args![schedule.id.0, to_micros(from), to_micros(to)];
    let rows: Vec<Row> = tx.fetch_all(IN_RANGE, args).await?;
    let overrides: Vec<ScheduleOverride> = rows.into_iter().map(from_row).collect();
    Ok(fold(schedule, &overrides))
}

/// The definition with `overrides` folded in, in order.
fn fold(schedule: &StoredSchedule, overrides: &[ScheduleOverride]) -> Schedule {
    let mut definition = schedule.definition.clone();
    definition.overrides = overrides
        .iter()
        .map(|o| Override {
            user: o.user_id,
            start: o.start,
            end: o.end,
        })
        .collect();
    definition
}

/// The schedule's definition with its overrides that overlap `[from, to)` folded in, oldest first
/// (the newest wins where they overlap), and those overrides: `Source::Override(i)` of an answer
/// is `overrides[i]`.
pub async fn with_overrides(
    reader: Reader<'_>,
    schedule: &StoredSchedule,
    from: Timestamp,
    to: Timestamp,
) -> Result<(Schedule, Vec<ScheduleOverride>), StoreError> {
    let overrides = list_overrides(reader, schedule.id, from, to).await?;
    Ok((fold(schedule, &overrides), overrides))
}
