//! Unit tests of the status-update cadence.
use super::*;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + minutes * 60).expect("valid")
}

fn p1_from(minute: i64) -> Vec<(Timestamp, Option<Priority>)> {
    vec![(at(minute), Some(Priority::P1))]
}

fn run(priorities: &[(Timestamp, Option<Priority>)], updates: &[i64], now: i64) -> Cadence {
    let updates: Vec<Timestamp> = updates.iter().map(|m| at(*m)).collect();
    cadence(
        &CadencePolicy::default(),
        CadenceFacts {
            priorities,
            updates: &updates,
        },
        at(now),
    )
}

#[test]
fn a_p1_incident_owes_an_update_every_30_minutes_reminded_5_before() {
    let c = run(&p1_from(0), &[], 10);
    assert_eq!(c.interval, Some(SignedDuration::from_mins(30)));
    assert_eq!(c.next_due_at, Some(at(30)));
    assert_eq!(c.reminder_at, Some(at(25)));
    assert_eq!(c.missed_intervals, 0);
    assert_eq!(c.on_time_percent(), None);
}

#[test]
fn a_due_instant_passed_without_update_is_missed_and_the_next_starts_from_it() {
    let c = run(&p1_from(0), &[], 30);
    assert_eq!(c.missed_intervals, 1);
    assert_eq!(c.last_missed_at, Some(at(30)));
    assert_eq!(c.next_due_at, Some(at(60)));
    assert_eq!(c.reminder_at, Some(at(55)));
    assert_eq!(c.overdue_since, Some(at(30)));
}

#[test]
fn several_missed_intervals_are_each_counted() {
    let c = run(&p1_from(0), &[], 100);
    assert_eq!(c.missed_intervals, 3);
    assert_eq!(c.last_missed_at, Some(at(90)));
    assert_eq!(c.next_due_at, Some(at(120)));
    assert_eq!(c.overdue_since, Some(at(30)));
    assert_eq!(c.on_time_percent(), Some(0));
}

#[test]
fn a_late_update_is_late_from_the_first_missed_due_and_restarts_the_interval() {
    let c = run(&p1_from(0), &[40], 45);
    assert_eq!(c.missed_intervals, 1);
    assert_eq!(
        c.updates,
        vec![UpdateRecord {
            at: at(40),
            due_at: Some(at(30)),
            on_time: false,
            late_by_seconds: 600,
        }]
    );
    assert_eq!(c.next_due_at, Some(at(70)));
    assert_eq!(c.reminder_at, Some(at(65)));
    assert_eq!(c.overdue_since, None);
    assert_eq!(c.last_update_at, Some(at(40)));
}

#[test]
fn an_update_exactly_at_the_due_instant_is_on_time() {
    let c = run(&p1_from(0), &[30, 60], 61);
    assert_eq!(c.missed_intervals, 0);
    assert!(
        c.updates
            .iter()
            .all(|u| u.on_time && u.late_by_seconds == 0)
    );
    assert_eq!(c.updates[1].due_at, Some(at(60)));
    assert_eq!(c.next_due_at, Some(at(90)));
    assert_eq!(c.on_time_percent(), Some(100));
}

#[test]
fn compliance_counts_on_time_updates_against_missed_intervals() {
    // missed at 30, late at 40, on time at 70 (due 70), missed at 100
    let c = run(&p1_from(0), &[40, 70], 105);
    assert_eq!(c.missed_intervals, 2);
    assert_eq!(c.updates.len(), 2);
    assert!(!c.updates[0].on_time);
    assert!(c.updates[1].on_time);
    assert_eq!(c.on_time_percent(), Some(33));
}

#[test]
fn raising_the_priority_midway_owes_an_update_sooner() {
    let priorities = vec![(at(0), Some(Priority::P3)), (at(60), Some(Priority::P1))];
    let c = run(&priorities, &[], 61);
    assert_eq!(c.next_due_at, Some(at(90)));
    assert_eq!(c.reminder_at, Some(at(85)));
    assert_eq!(c.missed_intervals, 0);
}

#[test]
fn lowering_the_priority_keeps_the_update_already_owed() {
    let priorities = vec![(at(0), Some(Priority::P1)), (at(10), Some(Priority::P3))];
    let c = run(&priorities, &[], 20);
    assert_eq!(c.next_due_at, Some(at(30)));
    let later = run(&priorities, &[25], 30);
    assert_eq!(later.next_due_at, Some(at(25 + 240)));
}

#[test]
fn a_priority_without_cadence_owes_nothing_and_a_late_one_is_forgiven() {
    let priorities = vec![(at(0), Some(Priority::P1)), (at(40), Some(Priority::P4))];
    let c = run(&priorities, &[50], 100);
    assert_eq!(c.next_due_at, None);
    assert_eq!(c.reminder_at, None);
    assert_eq!(c.missed_intervals, 1);
    assert_eq!(c.updates[0].due_at, None);
    assert!(c.updates[0].on_time);
}

#[test]
fn no_priority_yet_means_no_cadence_until_one_is_set() {
    let c = run(&[], &[5], 500);
    assert_eq!(c.next_due_at, None);
    let set_later = vec![(at(100), Some(Priority::P2))];
    let c = run(&set_later, &[], 120);
    assert_eq!(c.next_due_at, Some(at(160)));
}

#[test]
fn the_reminder_never_precedes_the_start_of_its_interval() {
    let policy = CadencePolicy {
        status_update_minutes: BTreeMap::from([("P1".to_owned(), 3)]),
        ..CadencePolicy::default()
    };
    let priorities = p1_from(0);
    let c = cadence(
        &policy,
        CadenceFacts {
            priorities: &priorities,
            updates: &[at(10)],
        },
        at(11),
    );
    assert_eq!(c.next_due_at, Some(at(13)));
    assert_eq!(c.reminder_at, Some(at(10)));
}

#[test]
fn facts_after_now_are_ignored() {
    let c = run(&p1_from(0), &[40], 20);
    assert!(c.updates.is_empty());
    assert_eq!(c.next_due_at, Some(at(30)));
}

#[test]
fn the_policy_names_every_bad_field() {
    let policy = CadencePolicy {
        status_update_minutes: BTreeMap::from([("P9".to_owned(), 30), ("P1".to_owned(), 0)]),
        reminder_minutes_before: -1,
        escalation_window_minutes: BTreeMap::from([("P2".to_owned(), -5)]),
        management_levels: vec![ManagementLevel {
            name: " ".to_owned(),
            user_ids: vec![],
        }],
    };
    let errors = policy.validate().expect_err("invalid");
    let pointers: Vec<&str> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/status_update_minutes/P1",
            "/status_update_minutes/P9",
            "/escalation_window_minutes/P2",
            "/reminder_minutes_before",
            "/management_levels/0/name",
            "/management_levels/0/user_ids",
        ]
    );
    assert!(CadencePolicy::default().validate().is_ok());
}
