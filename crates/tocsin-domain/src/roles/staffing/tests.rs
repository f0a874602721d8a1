//! Each branch of staffing: on call and qualified, passed over for skills or deactivation, the
//! backup for each reason, unstaffed with and without a backup; and a property: whoever staffs
//! the role is active, and qualified unless they are the backup.
use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::values::Name;

fn user(n: u128) -> UserId {
    UserId(uuid::Uuid::from_u128(n))
}

fn role(skills: &[&str], backup: Option<UserId>) -> IncidentRole {
    IncidentRole {
        slug: "incident_commander".into(),
        name: Name::parse("Incident commander").expect("a name"),
        instructions: String::new(),
        schedule_id: None,
        required_skills: skills.iter().map(|s| (*s).to_owned()).collect(),
        backup_user_id: backup,
    }
}

/// People by number: active unless listed in `inactive`, with the given skills.
fn people(skills: &[(u128, &[&str])], inactive: &[u128]) -> impl Fn(UserId) -> Person {
    let map: HashMap<UserId, Vec<String>> = skills
        .iter()
        .map(|(n, s)| (user(*n), s.iter().map(|x| (*x).to_owned()).collect()))
        .collect();
    let inactive: Vec<UserId> = inactive.iter().map(|n| user(*n)).collect();
    move |id| Person {
        active: !inactive.contains(&id),
        skills: map.get(&id).cloned().unwrap_or_default(),
    }
}

fn on_call(users: &[u128]) -> Vec<(UserId, String)> {
    users
        .iter()
        .map(|n| (user(*n), format!("layer {n}")))
        .collect()
}

fn name(id: UserId) -> String {
    format!("user {}", id.0.as_u128())
}

#[test]
fn the_first_qualified_person_on_call_staffs_the_role() {
    let role = role(&["ic"], Some(user(9)));
    let answer = on_call(&[1, 2, 3]);
    let staffing = staff_role(
        &role,
        Some(&answer),
        people(&[(1, &["k8s"]), (2, &["ic"]), (3, &["ic"])], &[]),
    );
    assert_eq!(staffing.user, Some(user(2)));
    assert_eq!(
        staffing.reason,
        StaffingReason::OnCall {
            on_call: "layer 2".to_owned(),
            skipped: vec![Skipped {
                user: user(1),
                because: SkippedBecause::MissingSkills {
                    missing: vec!["ic".into()]
                }
            }]
        }
    );
    assert_eq!(
        staffing.explain(String::clone, name),
        "layer 2; passed over: user 1 lacks ic"
    );
}

#[test]
fn without_required_skills_whoever_is_on_call_staffs_it() {
    let answer = on_call(&[4]);
    let staffing = staff_role(&role(&[], None), Some(&answer), people(&[], &[]));
    assert_eq!(staffing.user, Some(user(4)));
    assert_eq!(staffing.explain(String::clone, name), "layer 4");
}

#[test]
fn nobody_qualified_on_call_falls_to_the_backup() {
    let role = role(&["ic", "comms"], Some(user(9)));
    let answer = on_call(&[1, 2]);
    let staffing = staff_role(
        &role,
        Some(&answer),
        people(&[(1, &["comms"]), (2, &["ic", "comms"])], &[2]),
    );
    assert_eq!(staffing.user, Some(user(9)));
    let skipped = vec![
        Skipped {
            user: user(1),
            because: SkippedBecause::MissingSkills {
                missing: vec!["ic".into()],
            },
        },
        Skipped {
            user: user(2),
            because: SkippedBecause::Deactivated,
        },
    ];
    assert_eq!(
        staffing.reason,
        StaffingReason::Backup {
            because: NotOnCall::NotQualified { skipped }
        }
    );
    assert_eq!(
        staffing.explain(String::clone, name),
        "the role's backup, because nobody on call is qualified (user 1 lacks ic; user 2 is deactivated)"
    );
}

#[test]
fn a_gap_or_no_schedule_falls_to_the_backup() {
    let role = role(&[], Some(user(9)));
    let gap = staff_role::<String>(&role, Some(&[]), people(&[], &[]));
    assert_eq!(gap.user, Some(user(9)));
    assert_eq!(
        gap.reason,
        StaffingReason::Backup {
            because: NotOnCall::NobodyOnCall
        }
    );
    let none = staff_role::<String>(&role, None, people(&[], &[]));
    assert_eq!(
        none.reason,
        StaffingReason::Backup {
            because: NotOnCall::NoSchedule
        }
    );
}

#[test]
fn a_deactivated_backup_or_none_leaves_the_role_unstaffed() {
    let answer = on_call(&[1]);
    let staffing = staff_role(
        &role(&["ic"], Some(user(9))),
        Some(&answer),
        people(&[], &[9]),
    );
    assert_eq!(staffing.user, None);
    assert!(matches!(
        &staffing.reason,
        StaffingReason::Unstaffed {
            because: NotOnCall::NotQualified { .. },
            backup: BackupProblem::Deactivated { user: backup }
        } if *backup == user(9)
    ));
    assert_eq!(
        staffing.explain(String::clone, name),
        "unstaffed: nobody on call is qualified (user 1 lacks ic), and its backup user 9 is deactivated"
    );
    let lone = staff_role::<String>(&role(&[], None), Some(&[]), people(&[], &[]));
    assert_eq!(
        lone.reason,
        StaffingReason::Unstaffed {
            because: NotOnCall::NobodyOnCall,
            backup: BackupProblem::NoBackup
        }
    );
    assert_eq!(
        lone.explain(String::clone, name),
        "unstaffed: nobody is on call in its schedule, and it has no backup"
    );
}

proptest! {
    #[test]
    fn whoever_staffs_the_role_is_active_and_qualified_unless_the_backup(
        on in proptest::collection::vec((1u128..8, any::<bool>(), any::<bool>(), any::<bool>()), 0..6),
        backup_active in any::<bool>(),
    ) {
        let backup = user(100);
        let role = role(&["a", "b"], Some(backup));
        let entries: Vec<(UserId, String)> = on.iter().map(|(n, ..)| (user(*n), String::new())).collect();
        let facts: HashMap<UserId, Person> = on
            .iter()
            .map(|(n, active, a, b)| {
                let mut skills = Vec::new();
                if *a { skills.push("a".to_owned()); }
                if *b { skills.push("b".to_owned()); }
                (user(*n), Person { active: *active, skills })
            })
            .collect();
        let person = |id: UserId| if id == backup {
            Person { active: backup_active, skills: Vec::new() }
        } else {
            facts.get(&id).cloned().unwrap_or_default()
        };
        let staffing = staff_role(&role, Some(&entries), person);
        let qualified = |id: &UserId| {
            let p = person(*id);
            p.active && p.skills.len() == 2
        };
        let first_qualified = entries.iter().map(|(id, _)| *id).find(qualified);
        match first_qualified {
            Some(first) => prop_assert_eq!(staffing.user, Some(first)),
            None if backup_active => prop_assert_eq!(staffing.user, Some(backup)),
            None => prop_assert_eq!(staffing.user, None),
        }
    }
}
