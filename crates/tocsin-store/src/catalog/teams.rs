//! Teams: groups of people that own services. Names are unique regardless of letter case.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tocsin_domain::id::TeamId;
use tocsin_domain::values::{Description, Name};
use uuid::Uuid;

use super::{check_version, corrupt, payload, unique_as};
use crate::Reader;
use crate::error::StoreError;
use crate::escalation::{RefKind, policies_naming};
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A team as the catalog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub name: Name,
    pub description: Description,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewTeam {
    pub name: Name,
    pub description: Description,
}

/// A change to a team; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    pub name: Option<Name>,
    pub description: Option<Description>,
}

crate::sql_row! {
    struct TeamRow {
        id: Uuid,
        name: String,
        description: String,
        version: i64,
        created_at: i64,
        updated_at: i64,
    }
}

impl TryFrom<TeamRow> for Team {
    type Error = StoreError;
    fn try_from(row: TeamRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: TeamId(row.id),
            name: Name::parse(&row.name).map_err(|e| corrupt("team name", e))?,
            description: Description::parse(&row.description)
                .map_err(|e| corrupt("team description", e))?,
            version: row.version,
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
        })
    }
}

const INSERT: &str = "INSERT INTO teams (id, name, name_key, description, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, 1, $5, $5)";
const SELECT_BY_ID: &str =
    "SELECT id, name, description, version, created_at, updated_at FROM teams WHERE id = $1";
const LIST: &str = "SELECT id, name, description, version, created_at, updated_at FROM teams \
    WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2";
const UPDATE: &str = "UPDATE teams SET name = $3, name_key = $4, description = $5, \
    version = version + 1, updated_at = $6 WHERE id = $1 AND version = $2";
const OWNED_SERVICES: &str = "SELECT COUNT(*) FROM services WHERE team_id = $1";
const OWNED_SCHEDULES: &str = "SELECT COUNT(*) FROM schedules WHERE team_id = $1";
const DELETE: &str = "DELETE FROM teams WHERE id = $1";

/// The case-insensitive key team names are unique by.
pub(crate) fn name_key(name: &Name) -> String {
    name.as_str().to_lowercase()
}

fn name_taken(name: &Name) -> impl FnOnce() -> String + '_ {
    move || format!("a team named {name} already exists")
}

/// Creates a team and appends `team.created`.
pub async fn create_team(
    tx: &mut Tx,
    new: NewTeam,
    actor: &str,
    at: Timestamp,
) -> Result<Team, StoreError> {
    let team = Team {
        id: TeamId::new(at),
        name: new.name,
        description: new.description,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                team.id.0,
                team.name.as_str(),
                name_key(&team.name),
                team.description.as_str(),
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, name_taken(&team.name))?;
    tx.append(NewEvent::new(
        "team",
        team.id.0,
        "team.created",
        actor,
        at,
        payload(&team)?,
    ))
    .await?;
    Ok(team)
}

/// Reads a team inside a write transaction.
pub(crate) async fn load(tx: &mut Tx, id: TeamId) -> Result<Option<Team>, StoreError> {
    let row: Option<TeamRow> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    row.map(Team::try_from).transpose()
}

pub async fn get_team(reader: Reader<'_>, id: TeamId) -> Result<Team, StoreError> {
    let row: Option<TeamRow> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    row.ok_or(StoreError::NotFound("team"))?.try_into()
}

/// Teams in id order after `after`, at most `limit`.
pub async fn list_teams(
    reader: Reader<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Team>, StoreError> {
    let rows: Vec<TeamRow> = reader.fetch_all(LIST, crate::args![after, limit]).await?;
    rows.into_iter().map(Team::try_from).collect()
}

/// Applies `patch`. A patch that changes nothing returns the team as is (no event, same version).
pub async fn update_team(
    tx: &mut Tx,
    id: TeamId,
    patch: TeamPatch,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<Team, StoreError> {
    let current = load(tx, id).await?.ok_or(StoreError::NotFound("team"))?;
    check_version(expected_version, current.version)?;
    let mut changed = Map::new();
    if let Some(name) = patch.name.as_ref().filter(|n| **n != current.name) {
        changed.insert("name".into(), json!(name));
    }
    if let Some(text) = patch
        .description
        .as_ref()
        .filter(|d| **d != current.description)
    {
        changed.insert("description".into(), json!(text));
    }
    if changed.is_empty() {
        return Ok(current);
    }
    let next = Team {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.unwrap_or(current.description),
        version: current.version + 1,
        updated_at: at,
        ..current
    };
    let updated = tx
        .execute(
            UPDATE,
            crate::args![
                id.0,
                current.version,
                next.name.as_str(),
                name_key(&next.name),
                next.description.as_str(),
                to_micros(at)
            ],
        )
        .await;
    if unique_as(updated, name_taken(&next.name))? == 0 {
        let current = load(tx, id).await?.ok_or(StoreError::NotFound("team"))?;
        return Err(StoreError::StaleVersion {
            current: current.version,
        });
    }
    tx.append(NewEvent::new(
        "team",
        id.0,
        "team.updated",
        actor,
        at,
        Value::Object(changed),
    ))
    .await?;
    Ok(next)
}

/// Deletes a team that owns no services (its memberships go with it): appends `team.deleted`,
/// then removes the projection row.
pub async fn delete_team(
    tx: &mut Tx,
    id: TeamId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load(tx, id).await?.ok_or(StoreError::NotFound("team"))?;
    check_version(expected_version, current.version)?;
    let owned: i64 = tx.scalar(OWNED_SERVICES, crate::args![id.0]).await?;
    if owned > 0 {
        return Err(StoreError::Conflict(format!(
            "team {} still owns {owned} service(s); move or delete them first",
            current.name
        )));
    }
    let schedules: i64 = tx.scalar(OWNED_SCHEDULES, crate::args![id.0]).await?;
    if schedules > 0 {
        return Err(StoreError::Conflict(format!(
            "team {} still owns {schedules} schedule(s); move or delete them first",
            current.name
        )));
    }
    let policies = policies_naming(tx, RefKind::Team, id.0).await?;
    if !policies.is_empty() {
        return Err(StoreError::Conflict(format!(
            "team {} owns or is paged by the escalation policies {}; change them first",
            current.name,
            policies.join(", ")
        )));
    }
    let body = json!({ "name": current.name, "version": current.version });
    tx.append(NewEvent::new("team", id.0, "team.deleted", actor, at, body))
        .await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_ignore_case() {
        let upper = Name::parse("Payments SRE").expect("valid");
        let lower = Name::parse("payments sre").expect("valid");
        assert_eq!(name_key(&upper), name_key(&lower));
    }
}
