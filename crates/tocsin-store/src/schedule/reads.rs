//! Reading schedules: one by id (inside or outside a write), pages of them, all of them (for the
//! on-call answer), and the schedules a user appears in (for their calendar).
use jiff::Timestamp;
use tocsin_domain::id::{ScheduleId, TeamId, UserId};
use tocsin_domain::oncall::Schedule;
use tocsin_domain::values::{Description, Name};
use uuid::Uuid;

use super::StoredSchedule;
use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

crate::sql_row! {
    struct ScheduleRow {
        id: Uuid,
        name: String,
        description: String,
        team_id: Option<Uuid>,
        definition: String,
        version: i64,
        created_at: i64,
        updated_at: i64,
    }
}

impl TryFrom<ScheduleRow> for StoredSchedule {
    type Error = StoreError;
    fn try_from(row: ScheduleRow) -> Result<Self, StoreError> {
        let definition: Schedule =
            serde_json::from_str(&row.definition).map_err(|e| corrupt("schedule definition", e))?;
        Ok(Self {
            id: ScheduleId(row.id),
            name: Name::parse(&row.name).map_err(|e| corrupt("schedule name", e))?,
            description: Description::parse(&row.description)
                .map_err(|e| corrupt("schedule description", e))?,
            team_id: row.team_id.map(TeamId),
            definition,
            version: row.version,
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
        })
    }
}

const SELECT_BY_ID: &str = "SELECT id, name, description, team_id, definition, version, created_at, updated_at \
    FROM schedules WHERE id = $1";
const LIST: &str = "SELECT id, name, description, team_id, definition, version, created_at, updated_at \
    FROM schedules WHERE ($1 IS NULL OR team_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3";
const ALL: &str = "SELECT id, name, description, team_id, definition, version, created_at, updated_at \
    FROM schedules ORDER BY name_key";
const OF_USER: &str = "SELECT id, name, description, team_id, definition, version, created_at, updated_at \
    FROM schedules WHERE id IN \
    (SELECT schedule_id FROM schedule_members WHERE user_id = $1 \
     UNION SELECT schedule_id FROM schedule_overrides WHERE user_id = $1 AND ends_at > $2 AND starts_at < $3) \
    ORDER BY name_key";

fn parse_all(rows: Vec<ScheduleRow>) -> Result<Vec<StoredSchedule>, StoreError> {
    rows.into_iter().map(StoredSchedule::try_from).collect()
}

/// Reads a schedule inside a write transaction.
pub(crate) async fn load(tx: &mut Tx, id: ScheduleId) -> Result<StoredSchedule, StoreError> {
    let row: Option<ScheduleRow> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("schedule"))?.try_into()
}

pub async fn get_schedule(
    reader: Reader<'_>,
    id: ScheduleId,
) -> Result<StoredSchedule, StoreError> {
    let row: Option<ScheduleRow> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    row.ok_or(StoreError::NotFound("schedule"))?.try_into()
}

/// Schedules in id order after `after` (optionally one team's), at most `limit` (the caller asks
/// for one more than a page to know whether another page follows).
pub async fn list_schedules(
    reader: Reader<'_>,
    team: Option<TeamId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredSchedule>, StoreError> {
    let rows = reader
        .fetch_all(LIST, crate::args![team.map(|t| t.0), after, limit])
        .await?;
    parse_all(rows)
}

/// Every schedule, by name: for the on-call answer across schedules.
pub async fn list_all_schedules(reader: Reader<'_>) -> Result<Vec<StoredSchedule>, StoreError> {
    parse_all(reader.fetch_all(ALL, crate::args![]).await?)
}

/// The schedules that may put `user` on call during `[from, to)`: those naming them in a rotation
/// or temporary shift, and those with an override for them in the range. By name.
pub async fn schedules_of_user(
    reader: Reader<'_>,
    user: UserId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<StoredSchedule>, StoreError> {
    let args = crate::args![user.0, to_micros(from), to_micros(to)];
    parse_all(reader.fetch_all(OF_USER, args).await?)
}
