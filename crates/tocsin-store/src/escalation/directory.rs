//! Resolving a policy's step against the database: who is on call in each schedule it names (the
//! on-call calculator over the schedule with its overrides), each team's active members, the
//! active users with each skill, each incident role with what staffing it needs (its schedule,
//! and whether the people on call and its backup are active and qualified), and the team
//! round-robin cursors. The queries per step are bounded by its targets (at most two per schedule,
//! one per team or skill, a few per role, plus the cursors).
use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use tocsin_domain::escalation::{
    self, Directory, EscalationPolicy, EscalationPosition, EscalationStep, ResolvedStep,
    RoundRobinCursors, Target,
};
use tocsin_domain::id::{EscalationPolicyId, IncidentRoleId, ScheduleId, TeamId, UserId};
use tocsin_domain::oncall::{self, OnCall, Schedule, Source};
use tocsin_domain::roles::{IncidentRole, Person};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::escalation::skills::OF_USER as SKILLS_OF_USER;
use crate::roles;
use crate::schedule;
use crate::sql::Arg;
use crate::tx::Tx;

const TEAM_MEMBERS: &str = "SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id \
    WHERE m.team_id = $1 AND u.active = $2 ORDER BY m.user_id";
const WITH_SKILL: &str = "SELECT s.user_id FROM user_skills s JOIN users u ON u.id = s.user_id \
    WHERE s.skill = $1 AND u.active = $2 ORDER BY s.user_id";
const CURSORS: &str = "SELECT team_id, next_index FROM round_robin_cursors \
    WHERE policy_id = $1 AND step_index = $2";
const SAVE_CURSOR: &str = "INSERT INTO round_robin_cursors (policy_id, step_index, team_id, next_index) \
    VALUES ($1, $2, $3, $4) ON CONFLICT (policy_id, step_index, team_id) \
    DO UPDATE SET next_index = excluded.next_index";
const USER: &str = "SELECT active, name FROM users WHERE id = $1";

/// Where the directory is read from: inside the engine's write, or the read pool (previews).
pub(crate) enum Db<'t, 'r> {
    Tx(&'t mut Tx),
    Read(Reader<'r>),
}

impl Db<'_, '_> {
    async fn ids(&mut self, sql: &'static str, args: Vec<Arg>) -> Result<Vec<Uuid>, StoreError> {
        match self {
            Db::Tx(tx) => tx.scalars(sql, args).await,
            Db::Read(reader) => reader.scalars(sql, args).await,
        }
    }

    /// Whether `user` is active, their skills and their name (unknown: inactive, "unknown user").
    pub(crate) async fn person(&mut self, user: UserId) -> Result<(Person, String), StoreError> {
        let args = crate::args![user.0];
        let row: Option<(bool, String)> = match self {
            Db::Tx(tx) => tx.fetch_optional(USER, args).await?,
            Db::Read(reader) => reader.fetch_optional(USER, args).await?,
        };
        let Some((active, name)) = row else {
            return Ok((Person::default(), "unknown user".to_owned()));
        };
        let args = crate::args![user.0];
        let skills = match self {
            Db::Tx(tx) => tx.scalars(SKILLS_OF_USER, args).await?,
            Db::Read(reader) => reader.scalars(SKILLS_OF_USER, args).await?,
        };
        Ok((Person { active, skills }, name))
    }

    /// The incident role; `None` when it no longer exists.
    async fn role(&mut self, id: IncidentRoleId) -> Result<Option<IncidentRole>, StoreError> {
        let stored = match self {
            Db::Tx(tx) => roles::load(tx, id).await,
            Db::Read(reader) => roles::get_role(*reader, id).await,
        };
        match stored {
            Ok(stored) => Ok(Some(stored.role)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn cursors(
        &mut self,
        policy: EscalationPolicyId,
        step: usize,
    ) -> Result<RoundRobinCursors, StoreError> {
        let args = crate::args![policy.0, step];
        let rows: Vec<(Uuid, i64)> = match self {
            Db::Tx(tx) => tx.fetch_all(CURSORS, args).await?,
            Db::Read(reader) => reader.fetch_all(CURSORS, args).await?,
        };
        let cursor = |next: i64| u32::try_from(next).unwrap_or(0);
        Ok(rows
            .into_iter()
            .map(|(team, next)| (TeamId(team), cursor(next)))
            .collect())
    }

    /// The schedule's name and definition with the overrides in force at `at`; `None` when it
    /// no longer exists.
    async fn schedule(
        &mut self,
        id: ScheduleId,
        at: Timestamp,
    ) -> Result<Option<(String, Schedule)>, StoreError> {
        let next = at.checked_add(SignedDuration::from_micros(1)).unwrap_or(at);
        let stored = match self {
            Db::Tx(tx) => schedule::load(tx, id).await,
            Db::Read(reader) => schedule::get_schedule(*reader, id).await,
        };
        let stored = match stored {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let definition = match self {
            Db::Tx(tx) => schedule::with_overrides_in(tx, &stored, at, next).await?,
            Db::Read(reader) => {
                schedule::with_overrides(*reader, &stored, at, next)
                    .await?
                    .0
            }
        };
        Ok(Some((stored.name.to_string(), definition)))
    }
}

/// What a step's targets need from the database, read once.
#[derive(Debug, Default)]
struct Snapshot {
    schedules: HashMap<ScheduleId, (String, Schedule)>,
    teams: HashMap<TeamId, Vec<UserId>>,
    skills: HashMap<String, Vec<UserId>>,
    roles: HashMap<IncidentRoleId, IncidentRole>,
    people: HashMap<UserId, (Person, String)>,
}

impl Directory for Snapshot {
    fn on_call(&self, schedule: ScheduleId, at: Timestamp) -> Vec<(UserId, String)> {
        let Some((name, definition)) = self.schedules.get(&schedule) else {
            return Vec::new();
        };
        oncall::on_call_at(definition, at)
            .on_call
            .iter()
            .map(|entry| (entry.user, why(name, definition, entry)))
            .collect()
    }

    fn team_members(&self, team: TeamId) -> Vec<UserId> {
        self.teams.get(&team).cloned().unwrap_or_default()
    }

    fn users_with_skill(&self, skill: &str) -> Vec<UserId> {
        self.skills.get(skill).cloned().unwrap_or_default()
    }

    fn role(&self, role: IncidentRoleId) -> Option<IncidentRole> {
        self.roles.get(&role).cloned()
    }

    fn person(&self, user: UserId) -> Person {
        self.people
            .get(&user)
            .map(|(person, _)| person.clone())
            .unwrap_or_default()
    }

    fn user_name(&self, user: UserId) -> String {
        self.people
            .get(&user)
            .map_or_else(|| user.to_string(), |(_, name)| name.clone())
    }
}

/// Why someone is on call in a schedule, in words.
fn why(name: &str, definition: &Schedule, entry: &OnCall) -> String {
    let source = match entry.source {
        Source::Layer(index) => {
            let layer = definition.layers.get(index).map_or("", |l| l.name.as_str());
            match entry.turn {
                Some(turn) => format!("layer \"{layer}\", rotation turn {}", turn.number),
                None => format!("layer \"{layer}\""),
            }
        }
        Source::Temporary(index) => format!("temporary schedule {index}"),
        Source::Override(index) => definition.overrides.get(index).map_or_else(
            || "an override".to_owned(),
            |o| format!("an override until {}", o.end),
        ),
    };
    format!("on call in schedule \"{name}\" ({source})")
}

async fn gather(
    db: &mut Db<'_, '_>,
    step: &EscalationStep,
    at: Timestamp,
) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot::default();
    let users = |ids: Vec<Uuid>| ids.into_iter().map(UserId).collect::<Vec<_>>();
    for target in &step.targets {
        match target {
            Target::User { .. } => {}
            Target::Schedule { schedule_id } => {
                if let Some(found) = db.schedule(*schedule_id, at).await? {
                    snapshot.schedules.insert(*schedule_id, found);
                }
            }
            Target::Team { team_id, .. } => {
                let members = db.ids(TEAM_MEMBERS, crate::args![team_id.0, true]).await?;
                snapshot.teams.insert(*team_id, users(members));
            }
            Target::Skill { skill } => {
                let ids = db
                    .ids(WITH_SKILL, crate::args![skill.as_str(), true])
                    .await?;
                snapshot.skills.insert(skill.clone(), users(ids));
            }
            Target::Role { role_id } => gather_role(db, &mut snapshot, *role_id, at).await?,
        }
    }
    Ok(snapshot)
}

/// The role, its schedule, and the people staffing may choose from: those on call and the backup.
async fn gather_role(
    db: &mut Db<'_, '_>,
    snapshot: &mut Snapshot,
    role_id: IncidentRoleId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let Some(role) = db.role(role_id).await? else {
        return Ok(());
    };
    let mut candidates: Vec<UserId> = role.backup_user_id.into_iter().collect();
    if let Some(schedule_id) = role.schedule_id {
        if !snapshot.schedules.contains_key(&schedule_id)
            && let Some(found) = db.schedule(schedule_id, at).await?
        {
            snapshot.schedules.insert(schedule_id, found);
        }
        if let Some((_, definition)) = snapshot.schedules.get(&schedule_id) {
            candidates.extend(oncall::on_call_at(definition, at).users());
        }
    }
    for user in candidates {
        if let std::collections::hash_map::Entry::Vacant(entry) = snapshot.people.entry(user) {
            entry.insert(db.person(user).await?);
        }
    }
    snapshot.roles.insert(role_id, role);
    Ok(())
}

/// Whom the step at `position` pages at `at`, for the engine: resolved inside its write, with the
/// round-robin cursors advanced and stored. A position past the policy's end pages nobody.
pub async fn resolve_step(
    tx: &mut Tx,
    policy_id: EscalationPolicyId,
    policy: &EscalationPolicy,
    position: EscalationPosition,
    at: Timestamp,
) -> Result<ResolvedStep, StoreError> {
    let Some(step) = escalation::step_at(policy, position) else {
        return Ok(ResolvedStep::default());
    };
    let mut db = Db::Tx(&mut *tx);
    let cursors = db.cursors(policy_id, position.step).await?;
    let snapshot = gather(&mut db, step, at).await?;
    let resolved = escalation::resolve_step(step, &snapshot, &cursors, at);
    for (team, next) in &resolved.cursor_updates {
        let args = crate::args![policy_id.0, position.step, team.0, i64::from(*next)];
        tx.execute(SAVE_CURSOR, args).await?;
    }
    Ok(resolved)
}

/// Whom step `step` of the policy would page at `at`, without advancing any round-robin cursor
/// (a preview; the on-call answer).
pub async fn preview_step(
    reader: Reader<'_>,
    policy_id: EscalationPolicyId,
    policy: &EscalationPolicy,
    step: usize,
    at: Timestamp,
) -> Result<ResolvedStep, StoreError> {
    let Some(found) = policy.steps.get(step) else {
        return Ok(ResolvedStep::default());
    };
    let mut db = Db::Read(reader);
    let cursors = db.cursors(policy_id, step).await?;
    let snapshot = gather(&mut db, found, at).await?;
    Ok(escalation::resolve_step(found, &snapshot, &cursors, at))
}
