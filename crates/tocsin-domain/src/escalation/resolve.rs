//! Resolving a step to the people it pages at an instant, and why: users as named, schedules
//! through whoever is on call, teams as all members or one member per page in turn
//! (round-robin), skills as every user with the skill. Each person is paged once per step (the
//! first reason kept); a target that pages nobody is a warning.
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::model::{EscalationStep, Target};
use crate::id::{ScheduleId, TeamId, UserId};

/// Who the people are: the store answers from the database, tests from memory.
pub trait Directory {
    /// Who is on call in `schedule` at `at`, each with why (the layer, override ...). Empty for an
    /// unknown schedule or a gap.
    fn on_call(&self, schedule: ScheduleId, at: Timestamp) -> Vec<(UserId, String)>;
    /// The active members of `team`.
    fn team_members(&self, team: TeamId) -> Vec<UserId>;
    /// The active users with `skill` (stored lowercase).
    fn users_with_skill(&self, skill: &str) -> Vec<UserId>;
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
        }
    }
    resolved
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
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Default)]
    struct Memory {
        on_call: HashMap<ScheduleId, Vec<(UserId, String)>>,
        teams: HashMap<TeamId, Vec<UserId>>,
        skills: HashMap<String, Vec<UserId>>,
    }

    impl Directory for Memory {
        fn on_call(&self, schedule: ScheduleId, _at: Timestamp) -> Vec<(UserId, String)> {
            self.on_call.get(&schedule).cloned().unwrap_or_default()
        }
        fn team_members(&self, team: TeamId) -> Vec<UserId> {
            self.teams.get(&team).cloned().unwrap_or_default()
        }
        fn users_with_skill(&self, skill: &str) -> Vec<UserId> {
            self.skills.get(skill).cloned().unwrap_or_default()
        }
    }

    fn user(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }

    fn step(targets: Vec<Target>) -> EscalationStep {
        EscalationStep {
            delay_minutes: 5,
            targets,
        }
    }

    const TEAM: TeamId = TeamId(uuid::Uuid::from_u128(100));
    const SCHEDULE: ScheduleId = ScheduleId(uuid::Uuid::from_u128(200));

    fn ids(resolved: &ResolvedStep) -> Vec<UserId> {
        resolved.users.iter().map(|paged| paged.user_id).collect()
    }

    #[test]
    fn each_person_is_paged_once_with_the_first_reason() {
        let mut directory = Memory::default();
        directory
            .on_call
            .insert(SCHEDULE, vec![(user(2), "layer 0".to_owned())]);
        directory.teams.insert(TEAM, vec![user(3), user(2)]);
        directory.skills.insert("pg".into(), vec![user(3)]);
        let step = step(vec![
            Target::User { user_id: user(1) },
            Target::Schedule {
                schedule_id: SCHEDULE,
            },
            Target::Team {
                team_id: TEAM,
                round_robin: false,
            },
            Target::Skill { skill: "pg".into() },
        ]);
        let resolved = resolve_step(
            &step,
            &directory,
            &RoundRobinCursors::new(),
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(ids(&resolved), [user(1), user(2), user(3)]);
        assert_eq!(resolved.users[1].reason, "layer 0");
        assert_eq!(resolved.users[2].reason, format!("member of team {TEAM}"));
        assert!(resolved.warnings.is_empty());
        assert!(resolved.cursor_updates.is_empty());
    }

    #[test]
    fn targets_that_page_nobody_are_warnings() {
        let step = step(vec![
            Target::Schedule {
                schedule_id: SCHEDULE,
            },
            Target::Team {
                team_id: TEAM,
                round_robin: true,
            },
            Target::Skill { skill: "pg".into() },
        ]);
        let resolved = resolve_step(
            &step,
            &Memory::default(),
            &RoundRobinCursors::new(),
            Timestamp::UNIX_EPOCH,
        );
        assert!(resolved.users.is_empty());
        assert_eq!(resolved.warnings.len(), 3);
        assert!(resolved.warnings[0].contains("has nobody on call"));
        assert!(resolved.cursor_updates.is_empty(), "no page, no turn used");
    }

    #[test]
    fn round_robin_pages_the_member_at_the_cursor_in_id_order() {
        let mut directory = Memory::default();
        directory
            .teams
            .insert(TEAM, vec![user(9), user(5), user(7)]);
        let step = step(vec![Target::Team {
            team_id: TEAM,
            round_robin: true,
        }]);
        let cursors = RoundRobinCursors::from([(TEAM, 4)]);
        let resolved = resolve_step(&step, &directory, &cursors, Timestamp::UNIX_EPOCH);
        assert_eq!(ids(&resolved), [user(7)], "4 % 3 = 1: the second by id");
        assert_eq!(resolved.cursor_updates, [(TEAM, 5)]);
    }

    proptest! {
        #[test]
        fn round_robin_spreads_pages_evenly(members in 1u128..=12, rounds in 1u32..=5, start in 0u32..1000) {
            let mut directory = Memory::default();
            directory.teams.insert(TEAM, (1..=members).map(user).collect());
            let step = step(vec![Target::Team { team_id: TEAM, round_robin: true }]);
            let mut cursors = RoundRobinCursors::from([(TEAM, start)]);
            let mut pages: HashMap<UserId, u32> = HashMap::new();
            let len = u32::try_from(members).unwrap_or(1);
            for _ in 0..(len * rounds) {
                let resolved = resolve_step(&step, &directory, &cursors, Timestamp::UNIX_EPOCH);
                prop_assert_eq!(resolved.users.len(), 1);
                *pages.entry(resolved.users[0].user_id).or_default() += 1;
                for (team, next) in resolved.cursor_updates {
                    cursors.insert(team, next);
                }
            }
            prop_assert_eq!(pages.len(), usize::try_from(members).unwrap_or(0));
            prop_assert!(pages.values().all(|count| *count == rounds));
        }
    }
}
