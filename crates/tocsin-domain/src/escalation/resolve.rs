//! Resolving a step to the people it pages at an instant, and why: users as named, schedules
//! through whoever is on call, teams as all members or one member per page in turn
//! (round-robin), skills as every user with the skill, roles through whoever staffs them
//! ([`crate::roles::staff_role`]). Each person is paged once per step (the first reason kept); a
//! target that pages nobody is a warning.
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::model::{EscalationStep, Target};
use crate::id::{IncidentRoleId, ScheduleId, TeamId, UserId};
use crate::roles::{IncidentRole, Person, staff_role};

/// Who the people are: the store answers from the database, tests from memory.
pub trait Directory {
    /// Who is on call in `schedule` at `at`, each with why (the layer, override ...). Empty for an
    /// unknown schedule or a gap.
    fn on_call(&self, schedule: ScheduleId, at: Timestamp) -> Vec<(UserId, String)>;
    /// The active members of `team`.
    fn team_members(&self, team: TeamId) -> Vec<UserId>;
    /// The active users with `skill` (stored lowercase).
    fn users_with_skill(&self, skill: &str) -> Vec<UserId>;
    /// The incident role; `None` when unknown.
    fn role(&self, role: IncidentRoleId) -> Option<IncidentRole>;
    /// Whether `user` is active, and their skills (for staffing a role).
    fn person(&self, user: UserId) -> Person;
    /// The user's name, for reasons in words.
    fn user_name(&self, user: UserId) -> String;
}

/// The next round-robin index of each team of a step (absent: 0).
pub type RoundRobinCursors = BTreeMap<TeamId, u32>;

/// One person a step pages, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagedUser {
    pub user_id: UserId,
    pub reason: String,
}

/// Whom a step pages at an instant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResolvedStep {
    /// Each person once, with the reason of the first target that named them.
    pub users: Vec<PagedUser>,
    /// Targets that page nobody ("schedule X has nobody on call").
    pub warnings: Vec<String>,
    /// The round-robin cursors to store once the page goes out: (team, next cursor).
    pub cursor_updates: Vec<(TeamId, u32)>,
}

impl ResolvedStep {
    fn page(&mut self, user_id: UserId, reason: String) {
        if !self.users.iter().any(|paged| paged.user_id == user_id) {
            self.users.push(PagedUser { user_id, reason });
        }
    }
}

/// Resolves `step` at `at`. A round-robin team pages member `cursor % members` (members in id
/// order) and reports the next cursor, `cursor + 1`; the caller decides whether to store it (a
/// page does, a preview does not).
pub fn resolve_step(
    step: &EscalationStep,
    directory: &impl Directory,
    cursors: &RoundRobinCursors,
    at: Timestamp,
) -> ResolvedStep {
    let mut resolved = ResolvedStep::default();
    for target in &step.targets {
        match target {
            Target::User { user_id } => resolved.page(*user_id, "named in the step".to_owned()),
            Target::Schedule { schedule_id } => {
                let on_call = directory.on_call(*schedule_id, at);
                if on_call.is_empty() {
                    let warning = format!("schedule {schedule_id} has nobody on call");
                    resolved.warnings.push(warning);
                }
                for (user, why) in on_call {
                    resolved.page(user, why);
                }
            }
            Target::Team {
                team_id,
                round_robin,
            } => team(&mut resolved, directory, cursors, *team_id, *round_robin),
            Target::Skill { skill } => {
                let users = directory.users_with_skill(skill);
                if users.is_empty() {
                    let warning = format!("nobody has the skill {skill}");
                    resolved.warnings.push(warning);
                }
                for user in users {
                    resolved.page(user, format!("has the skill {skill}"));
                }
            }
            Target::Role { role_id } => role(&mut resolved, directory, *role_id, at),
        }
    }
    resolved
}

/// Pages whoever staffs the role at `at`, with the staffing in words; an unstaffed or unknown
/// role is a warning.
fn role(
    resolved: &mut ResolvedStep,
    directory: &impl Directory,
    role_id: IncidentRoleId,
    at: Timestamp,
) {
    let Some(role) = directory.role(role_id) else {
        resolved
            .warnings
            .push(format!("the incident role {role_id} does not exist"));
        return;
    };
    let on_call = role
        .schedule_id
        .map(|schedule| directory.on_call(schedule, at));
    let staffing = staff_role(&role, on_call.as_deref(), |user| directory.person(user));
    let words = staffing.explain(String::clone, |user| directory.user_name(user));
    match staffing.user {
        Some(user) => resolved.page(user, format!("staffs the role {}: {words}", role.name)),
        None => resolved
            .warnings
            .push(format!("the role {} is {words}", role.name)),
    }
}

fn team(
    resolved: &mut ResolvedStep,
    directory: &impl Directory,
    cursors: &RoundRobinCursors,
    team_id: TeamId,
    round_robin: bool,
) {
    let mut members = directory.team_members(team_id);
    members.sort();
    members.dedup();
    if members.is_empty() {
        resolved
            .warnings
            .push(format!("team {team_id} has no members"));
        return;
    }
    if !round_robin {
        for user in members {
            resolved.page(user, format!("member of team {team_id}"));
        }
        return;
    }
    let cursor = cursors.get(&team_id).copied().unwrap_or(0);
    let len = u32::try_from(members.len()).unwrap_or(u32::MAX);
    let index = usize::try_from(cursor % len).unwrap_or(0);
    if let Some(user) = members.get(index) {
        let reason = format!(
            "member {} of {len} of team {team_id}, in round-robin turn",
            index + 1
        );
        resolved.page(*user, reason);
    }
    resolved
        .cursor_updates
        .push((team_id, cursor.wrapping_add(1)));
}

#[cfg(test)]
mod tests;
