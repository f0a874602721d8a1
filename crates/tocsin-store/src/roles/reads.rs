//! Reading incident roles (one, a page, all), the roles a schedule staffs, and the people facts
//! staffing needs.
use std::collections::{BTreeSet, HashMap};

use tocsin_domain::id::{IncidentRoleId, ScheduleId, UserId};
use tocsin_domain::roles::{IncidentRole, Person};
use tocsin_domain::values::Name;
use uuid::Uuid;

use super::StoredRole;
use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::escalation::Db;
use crate::time::from_micros;
use crate::tx::Tx;

crate::sql_row! {
    struct RoleRow {
        id: Uuid,
        slug: String,
        name: String,
        instructions: String,
        schedule_id: Option<Uuid>,
        required_skills: String,
        backup_user_id: Option<Uuid>,
        version: i64,
        created_at: i64,
        updated_at: i64,
    }
}

impl TryFrom<RoleRow> for StoredRole {
    type Error = StoreError;
    fn try_from(row: RoleRow) -> Result<Self, StoreError> {
        let required_skills: Vec<String> = serde_json::from_str(&row.required_skills)
            .map_err(|e| corrupt("incident role skills", e))?;
        Ok(Self {
            id: IncidentRoleId(row.id),
            role: IncidentRole {
                slug: row.slug,
                name: Name::parse(&row.name).map_err(|e| corrupt("incident role name", e))?,
                instructions: row.instructions,
                schedule_id: row.schedule_id.map(ScheduleId),
                required_skills,
                backup_user_id: row.backup_user_id.map(UserId),
            },
            version: row.version,
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
        })
    }
}

/// A query over every column of `incident_roles`, with `$tail` (a filter, an order).
macro_rules! select_roles {
    ($tail:literal) => {
        concat!(
            "SELECT id, slug, name, instructions, schedule_id, required_skills, backup_user_id, \
             version, created_at, updated_at FROM incident_roles ",
            $tail
        )
    };
}

const SELECT_BY_ID: &str = select_roles!("WHERE id = $1");
const LIST: &str = select_roles!("WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
const ALL: &str = select_roles!("ORDER BY slug");
const OF_SCHEDULE: &str = "SELECT name FROM incident_roles WHERE schedule_id = $1 ORDER BY slug";

fn parse_all(rows: Vec<RoleRow>) -> Result<Vec<StoredRole>, StoreError> {
    rows.into_iter().map(StoredRole::try_from).collect()
}

/// Reads a role inside a write transaction.
pub(crate) async fn load(tx: &mut Tx, id: IncidentRoleId) -> Result<StoredRole, StoreError> {
    let row: Option<RoleRow> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("incident role"))?.try_into()
}

pub async fn get_role(reader: Reader<'_>, id: IncidentRoleId) -> Result<StoredRole, StoreError> {
    let row: Option<RoleRow> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    row.ok_or(StoreError::NotFound("incident role"))?.try_into()
}

/// Roles in id order after `after`, at most `limit`.
pub async fn list_roles(
    reader: Reader<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredRole>, StoreError> {
    parse_all(reader.fetch_all(LIST, crate::args![after, limit]).await?)
}

/// Every role, by slug: for the on-call answer.
pub async fn list_all_roles(reader: Reader<'_>) -> Result<Vec<StoredRole>, StoreError> {
    parse_all(reader.fetch_all(ALL, crate::args![]).await?)
}

/// The names of the roles `schedule` staffs. Read inside a write, so a deletion can refuse.
pub async fn roles_naming_schedule(
    tx: &mut Tx,
    schedule: ScheduleId,
) -> Result<Vec<String>, StoreError> {
    tx.scalars(OF_SCHEDULE, crate::args![schedule.0]).await
}

/// Whether each of `users` is active, their skills and name (an unknown user: inactive, named
/// "unknown user").
pub async fn people(
    reader: Reader<'_>,
    users: impl IntoIterator<Item = UserId>,
) -> Result<HashMap<UserId, (Person, String)>, StoreError> {
    let mut db = Db::Read(reader);
    let mut found = HashMap::new();
    for user in users.into_iter().collect::<BTreeSet<_>>() {
        found.insert(user, db.person(user).await?);
    }
    Ok(found)
}
