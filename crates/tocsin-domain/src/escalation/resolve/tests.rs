//! Resolving steps against an in-memory directory: reasons, warnings, round-robin turns, roles.
use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

#[derive(Default)]
struct Memory {
    on_call: HashMap<ScheduleId, Vec<(UserId, String)>>,
    teams: HashMap<TeamId, Vec<UserId>>,
    skills: HashMap<String, Vec<UserId>>,
    roles: HashMap<IncidentRoleId, IncidentRole>,
    skills_of: HashMap<UserId, Vec<String>>,
    inactive: Vec<UserId>,
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
    fn role(&self, role: IncidentRoleId) -> Option<IncidentRole> {
        self.roles.get(&role).cloned()
    }
    fn person(&self, user: UserId) -> Person {
        Person {
            active: !self.inactive.contains(&user),
            skills: self.skills_of.get(&user).cloned().unwrap_or_default(),
        }
    }
    fn user_name(&self, user: UserId) -> String {
        format!("user {}", user.0.as_u128())
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

#[test]
fn a_role_pages_whoever_staffs_it_and_an_unstaffed_role_is_a_warning() {
    const ROLE: IncidentRoleId = IncidentRoleId(uuid::Uuid::from_u128(300));
    const EMPTY: IncidentRoleId = IncidentRoleId(uuid::Uuid::from_u128(301));
    let mut directory = Memory::default();
    directory.on_call.insert(
        SCHEDULE,
        vec![
            (user(1), "layer 0".to_owned()),
            (user(2), "layer 1".to_owned()),
        ],
    );
    directory.skills_of.insert(user(2), vec!["ic".into()]);
    let role = |schedule_id, backup_user_id| IncidentRole {
        slug: "incident_commander".into(),
        name: crate::values::Name::parse("IC").expect("a name"),
        instructions: String::new(),
        schedule_id,
        required_skills: vec!["ic".into()],
        backup_user_id,
    };
    directory.roles.insert(ROLE, role(Some(SCHEDULE), None));
    directory.roles.insert(EMPTY, role(None, Some(user(9))));
    directory.inactive.push(user(9));
    let step = step(vec![
        Target::Role { role_id: ROLE },
        Target::Role { role_id: EMPTY },
        Target::Role {
            role_id: IncidentRoleId(uuid::Uuid::from_u128(302)),
        },
    ]);
    let resolved = resolve_step(
        &step,
        &directory,
        &RoundRobinCursors::new(),
        Timestamp::UNIX_EPOCH,
    );
    assert_eq!(
        ids(&resolved),
        [user(2)],
        "the first qualified person on call"
    );
    assert_eq!(
        resolved.users[0].reason,
        "staffs the role IC: layer 1; passed over: user 1 lacks ic"
    );
    assert_eq!(
        resolved.warnings,
        [
            "the role IC is unstaffed: the role has no schedule, and its backup user 9 is deactivated"
                .to_owned(),
            "the incident role 00000000-0000-0000-0000-00000000012e does not exist".to_owned(),
        ]
    );
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
