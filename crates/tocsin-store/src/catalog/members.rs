//! Team membership: who belongs to which team, in which team role. Membership events go to the
//! team's stream.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use tocsin_domain::catalog::TeamRole;
use tocsin_domain::id::{TeamId, UserId};
use tocsin_domain::values::{Email, Name};
use uuid::Uuid;

use super::corrupt;
use super::teams::load as load_team;
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// One member of a team, with the user's name and email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub user_id: UserId,
    pub name: Name,
    pub email: Email,
    pub role: TeamRole,
    pub added_at: Timestamp,
}

crate::sql_row! {
    struct MemberRow {
        user_id: Uuid,
        name: String,
        email: String,
        role: String,
        added_at: i64,
    }
}

impl TryFrom<MemberRow> for TeamMember {
    type Error = StoreError;
    fn try_from(row: MemberRow) -> Result<Self, StoreError> {
        Ok(Self {
            user_id: UserId(row.user_id),
            name: Name::parse(&row.name).map_err(|e| corrupt("user name", e))?,
            email: Email::parse(&row.email).map_err(|e| corrupt("user email", e))?,
            role: TeamRole::parse(&row.role).map_err(|e| corrupt("team role", e))?,
            added_at: from_micros(row.added_at),
        })
    }
}

const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE id = $1";
const TEAM_EXISTS: &str = "SELECT COUNT(*) FROM teams WHERE id = $1";
const CURRENT_ROLE: &str = "SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2";
const UPSERT: &str = "INSERT INTO team_members (team_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role";
const DELETE: &str = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
const LIST: &str = "SELECT m.user_id, u.name, u.email, m.role, m.added_at \
    FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.name, m.user_id";
const TEAMS_OF_USER: &str =
    "SELECT team_id, role FROM team_members WHERE user_id = $1 ORDER BY team_id";

/// Adds `user` to `team` with `role`, or changes their role. Appends `team.member_added` or
/// `team.member_role_changed`; giving a member the role they have is a no-op.
pub async fn put_member(
    tx: &mut Tx,
    team: TeamId,
    user: UserId,
    role: TeamRole,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    load_team(tx, team)
        .await?
        .ok_or(StoreError::NotFound("team"))?;
    let users: i64 = tx.scalar(USER_EXISTS, crate::args![user.0]).await?;
    if users == 0 {
        return Err(StoreError::NotFound("user"));
    }
    let current: Option<String> = tx
        .scalar_optional(CURRENT_ROLE, crate::args![team.0, user.0])
        .await?;
    let (kind, body) = match current.as_deref().map(TeamRole::parse) {
        Some(Ok(previous)) if previous == role => return Ok(()),
        Some(previous) => (
            "team.member_role_changed",
            json!({ "user_id": user, "role": role, "previous_role": previous.ok() }),
        ),
        None => (
            "team.member_added",
            json!({ "user_id": user, "role": role }),
        ),
    };
    tx.execute(
        UPSERT,
        crate::args![team.0, user.0, role.as_str(), to_micros(at)],
    )
    .await?;
    tx.append(NewEvent::new("team", team.0, kind, actor, at, body))
        .await?;
    Ok(())
}

/// Removes `user` from `team` and appends `team.member_removed`.
pub async fn remove_member(
    tx: &mut Tx,
    team: TeamId,
    user: UserId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    load_team(tx, team)
        .await?
        .ok_or(StoreError::NotFound("team"))?;
    let removed = tx.execute(DELETE, crate::args![team.0, user.0]).await?;
    if removed == 0 {
        return Err(StoreError::NotFound("team member"));
    }
    let body = json!({ "user_id": user });
    tx.append(NewEvent::new(
        "team",
        team.0,
        "team.member_removed",
        actor,
        at,
        body,
    ))
    .await?;
    Ok(())
}

/// A team's members ordered by name; NotFound when the team does not exist.
pub async fn list_members(reader: Reader<'_>, team: TeamId) -> Result<Vec<TeamMember>, StoreError> {
    let rows: Vec<MemberRow> = reader.fetch_all(LIST, crate::args![team.0]).await?;
    if rows.is_empty() {
        let teams: i64 = reader.scalar(TEAM_EXISTS, crate::args![team.0]).await?;
        if teams == 0 {
            return Err(StoreError::NotFound("team"));
        }
    }
    rows.into_iter().map(TeamMember::try_from).collect()
}

/// The teams `user` belongs to and their role in each (for the access policy).
pub async fn teams_of_user(
    reader: Reader<'_>,
    user: UserId,
) -> Result<Vec<(TeamId, TeamRole)>, StoreError> {
    let rows: Vec<(Uuid, String)> = reader
        .fetch_all(TEAMS_OF_USER, crate::args![user.0])
        .await?;
    rows.into_iter()
        .map(|(team, role)| {
            let role = TeamRole::parse(&role).map_err(|e| corrupt("team role", e))?;
            Ok((TeamId(team), role))
        })
        .collect()
}
