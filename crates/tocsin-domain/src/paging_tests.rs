//! The escalation engine's decisions: walking steps and rounds, acknowledgement timeouts,
//! resolution, and a shortened policy.
use proptest::prelude::*;

use super::*;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + minutes * 60).expect("valid")
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn policy(delays: &[i64], repeat: u32, ack_timeout: Option<i64>) -> PolicyShape {
    PolicyShape {
        step_delays: delays.iter().copied().map(minutes).collect(),
        repeat,
        ack_timeout: ack_timeout.map(minutes),
    }
}

fn position(cycle: u32, round: u32, step: u32) -> Position {
    Position { cycle, round, step }
}

#[test]
fn a_triggered_incident_pages_the_step_and_arms_the_next_after_its_delay() {
    let shape = policy(&[5, 10], 0, None);
    let decision = decide(
        TimerKind::Step,
        position(0, 0, 0),
        Phase::Triggered,
        &shape,
        at(0),
    );
    assert_eq!(
        decision,
        Decision::Page {
            position: position(0, 0, 0),
            next: Some(NextTimer {
                kind: TimerKind::Step,
                position: position(0, 0, 1),
                due_at: at(5),
            }),
            reescalated: false,
        }
    );
}

#[test]
fn the_last_step_pages_without_a_next_timer_unless_the_policy_repeats() {
    let once = policy(&[5, 10], 0, None);
    let last = decide(
        TimerKind::Step,
        position(0, 0, 1),
        Phase::Triggered,
        &once,
        at(5),
    );
    assert!(
        matches!(last, Decision::Page { next: None, .. }),
        "{last:?}"
    );

    let twice = policy(&[5, 10], 1, None);
    let repeated = decide(
        TimerKind::Step,
        position(0, 0, 1),
        Phase::Triggered,
        &twice,
        at(5),
    );
    let Decision::Page {
        next: Some(next), ..
    } = repeated
    else {
        panic!("expected a next round, got {repeated:?}");
    };
    assert_eq!(next.position, position(0, 1, 0));
    assert_eq!(
        next.due_at,
        at(15),
        "the last step's own delay still applies"
    );
}

#[test]
fn resolution_stops_everything() {
    let shape = policy(&[5], 3, Some(30));
    for kind in [TimerKind::Step, TimerKind::AckTimeout] {
        assert_eq!(
            decide(kind, position(0, 0, 0), Phase::Resolved, &shape, at(0)),
            Decision::Stop(StopReason::Resolved)
        );
    }
}

#[test]
fn acknowledgement_without_a_timeout_stops() {
    let shape = policy(&[5], 0, None);
    let acked = Phase::Acknowledged { at: at(1) };
    assert_eq!(
        decide(TimerKind::Step, position(0, 0, 0), acked, &shape, at(5)),
        Decision::Stop(StopReason::Acknowledged)
    );
}

#[test]
fn acknowledgement_with_a_timeout_waits_then_reescalates_from_the_top_in_a_new_cycle() {
    let shape = policy(&[5, 10], 0, Some(30));
    let acked = Phase::Acknowledged { at: at(2) };
    let waiting = decide(TimerKind::Step, position(0, 0, 1), acked, &shape, at(5));
    assert_eq!(
        waiting,
        Decision::Rearm(NextTimer {
            kind: TimerKind::AckTimeout,
            position: position(0, 0, 1),
            due_at: at(32),
        })
    );
    let timed_out = decide(
        TimerKind::AckTimeout,
        position(0, 0, 1),
        acked,
        &shape,
        at(32),
    );
    assert_eq!(
        timed_out,
        Decision::Page {
            position: position(1, 0, 0),
            next: Some(NextTimer {
                kind: TimerKind::Step,
                position: position(1, 0, 1),
                due_at: at(37),
            }),
            reescalated: true,
        }
    );
}

#[test]
fn a_newer_acknowledgement_moves_the_timeout_later() {
    let shape = policy(&[5], 0, Some(30));
    let reacked = Phase::Acknowledged { at: at(20) };
    assert_eq!(
        decide(
            TimerKind::AckTimeout,
            position(0, 0, 0),
            reacked,
            &shape,
            at(32)
        ),
        Decision::Rearm(NextTimer {
            kind: TimerKind::AckTimeout,
            position: position(0, 0, 0),
            due_at: at(50),
        })
    );
}

#[test]
fn a_timer_past_a_shortened_policy_stops() {
    let shape = policy(&[5], 0, None);
    assert_eq!(
        decide(
            TimerKind::Step,
            position(0, 0, 3),
            Phase::Triggered,
            &shape,
            at(0)
        ),
        Decision::Stop(StopReason::PolicyExhausted)
    );
}

#[test]
fn step_keys_name_cycle_round_and_step() {
    assert_eq!(position(1, 2, 3).step_key(), "c1.r2.s3");
    assert_eq!(position(0, 0, 0).level(), 1);
}

#[test]
fn severity_sets_urgency() {
    assert_eq!(urgency_for(Severity::Critical), Urgency::High);
    assert_eq!(urgency_for(Severity::Error), Urgency::High);
    assert_eq!(urgency_for(Severity::Warning), Urgency::Low);
    assert_eq!(urgency_for(Severity::Info), Urgency::Low);
}

proptest! {
    /// Walking a triggered incident's timers from the first step pages every step of every
    /// round exactly once, in order, each after the previous step's delay, then stops.
    #[test]
    fn an_unacknowledged_incident_pages_every_step_of_every_round_once(
        delays in prop::collection::vec(1i64..=120, 1..6),
        repeat in 0u32..4,
    ) {
        let shape = policy(&delays, repeat, None);
        let mut timer = Some(NextTimer { kind: TimerKind::Step, position: Position::start_of(0), due_at: at(0) });
        let mut paged = Vec::new();
        while let Some(current) = timer {
            match decide(current.kind, current.position, Phase::Triggered, &shape, current.due_at) {
                Decision::Page { position, next, reescalated } => {
                    prop_assert!(!reescalated);
                    if let Some(next) = next {
                        let step = usize::try_from(position.step).expect("small");
                        prop_assert_eq!(next.due_at, current.due_at + minutes(delays[step]));
                    }
                    paged.push(position);
                    timer = next;
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
            prop_assert!(paged.len() <= delays.len() * (repeat as usize + 1));
        }
        let expected: Vec<Position> = (0..=repeat)
            .flat_map(|round| (0..delays.len()).map(move |step| position(0, round, u32::try_from(step).expect("small"))))
            .collect();
        prop_assert_eq!(paged, expected);
    }
}
