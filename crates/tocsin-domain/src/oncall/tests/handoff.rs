//! Handoff transitions: a daily two-person rotation, back-to-back shifts of one person from
//! different sources, gaps, overlapping people, and a property test over random shift lists.
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::{hours, layer, rotation, schedule, ts, user};
use crate::oncall::handoff::{Direction, Handoff, Transition, is_stale, next_after, transitions};
use crate::oncall::{FinalShift, Interval, Override, ShiftLength, Source, shifts_between};

fn window(from: &str, to: &str) -> Interval {
    Interval {
        start: ts(from),
        end: ts(to),
    }
}

fn shift(number: u128, start: Timestamp, end: Timestamp, source: Source) -> FinalShift {
    FinalShift {
        user: user(number),
        start,
        end,
        source,
    }
}

#[test]
fn a_daily_rotation_hands_over_at_nine_each_morning() {
    let daily = rotation(
        &[user(1), user(2)],
        ShiftLength::Days(1),
        "2026-01-01T09:00",
        "UTC",
    );
    let schedule = schedule(vec![layer("primary", daily)]);
    let window = window("2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    let found = transitions(&shifts_between(&schedule, window.start, window.end), window);
    let nine = ts("2026-01-01T09:00:00Z");
    let next_nine = ts("2026-01-02T09:00:00Z");
    assert_eq!(
        found,
        vec![
            Transition {
                user: user(2),
                at: nine,
                handoff: Handoff::OffCall {
                    next: vec![user(1)]
                },
            },
            Transition {
                user: user(1),
                at: nine,
                handoff: Handoff::OnCall {
                    until: Some(next_nine),
                    previous: vec![user(2)]
                },
            },
            Transition {
                user: user(1),
                at: next_nine,
                handoff: Handoff::OffCall {
                    next: vec![user(2)]
                },
            },
            Transition {
                user: user(2),
                at: next_nine,
                // the shift runs past the window's end: its end is not known here
                handoff: Handoff::OnCall {
                    until: None,
                    previous: vec![user(1)]
                },
            },
        ]
    );
    assert_eq!(next_after(&found, nine), Some(next_nine));
    assert_eq!(next_after(&found, next_nine), None);
}

#[test]
fn an_override_right_after_ones_own_shift_is_one_stretch_on_call() {
    let daily = rotation(
        &[user(1), user(2)],
        ShiftLength::Days(1),
        "2026-01-01T09:00",
        "UTC",
    );
    let mut schedule = schedule(vec![layer("primary", daily)]);
    // user 1 covers the first six hours of user 2's day
    schedule.overrides.push(Override {
        user: user(1),
        start: ts("2026-01-02T09:00:00Z"),
        end: ts("2026-01-02T15:00:00Z"),
    });
    let window = window("2026-01-01T12:00:00Z", "2026-01-02T20:00:00Z");
    let found = transitions(&shifts_between(&schedule, window.start, window.end), window);
    let handover = ts("2026-01-02T15:00:00Z");
    assert_eq!(
        found,
        vec![
            Transition {
                user: user(1),
                at: handover,
                handoff: Handoff::OffCall {
                    next: vec![user(2)]
                },
            },
            Transition {
                user: user(2),
                at: handover,
                handoff: Handoff::OnCall {
                    until: None,
                    previous: vec![user(1)]
                },
            },
        ],
        "no off/on pair at the 09:00 boundary between the layer and the override"
    );
}

#[test]
fn a_gap_means_no_one_next_and_no_one_before() {
    let t = |h: i64| ts("2026-01-01T00:00:00Z") + hours(h);
    let shifts = [
        shift(1, t(0), t(2), Source::Layer(0)),
        shift(2, t(4), t(6), Source::Layer(0)),
    ];
    let found = transitions(
        &shifts,
        Interval {
            start: t(0),
            end: t(8),
        },
    );
    assert_eq!(
        found,
        vec![
            Transition {
                user: user(1),
                at: t(2),
                handoff: Handoff::OffCall { next: vec![] },
            },
            Transition {
                user: user(2),
                at: t(4),
                handoff: Handoff::OnCall {
                    until: Some(t(6)),
                    previous: vec![]
                },
            },
            Transition {
                user: user(2),
                at: t(6),
                handoff: Handoff::OffCall { next: vec![] },
            },
        ]
    );
}

#[test]
fn someone_on_call_alongside_is_named_before_and_after() {
    let t = |h: i64| ts("2026-01-01T00:00:00Z") + hours(h);
    let shifts = [
        shift(1, t(0), t(10), Source::Layer(0)),
        shift(2, t(2), t(4), Source::Layer(1)),
    ];
    let found = transitions(
        &shifts,
        Interval {
            start: t(0),
            end: t(10),
        },
    );
    let on = &found[0];
    assert_eq!(on.at, t(2));
    assert_eq!(
        on.handoff,
        Handoff::OnCall {
            until: Some(t(4)),
            previous: vec![user(1)]
        }
    );
    assert_eq!(
        found[1].handoff,
        Handoff::OffCall {
            next: vec![user(1)]
        }
    );
    assert_eq!(found.len(), 2, "user 1 stays on call throughout");
}

#[test]
fn notices_older_than_the_grace_are_stale() {
    let at = ts("2026-01-01T09:00:00Z");
    let grace = SignedDuration::from_mins(15);
    assert!(!is_stale(at, at, grace));
    assert!(!is_stale(at, at + grace, grace));
    assert!(is_stale(
        at,
        at + grace + SignedDuration::from_secs(1),
        grace
    ));
    assert_eq!(Direction::parse("on_call_end"), Some(Direction::OnCallEnd));
    assert_eq!(Direction::parse("on_call"), None);
}

/// Whether `user` is on call at `at` per the raw shift list.
fn raw_on(shifts: &[FinalShift], number: u128, at: Timestamp) -> bool {
    shifts
        .iter()
        .any(|s| s.user == user(number) && s.start <= at && at < s.end)
}

fn shift_list() -> impl Strategy<Value = Vec<FinalShift>> {
    let base = ts("2026-01-01T00:00:00Z");
    prop::collection::vec((1u128..=3, 0i64..48, 1i64..12, 0usize..2), 0..12).prop_map(
        move |seeds| {
            seeds
                .into_iter()
                .map(|(number, start, length, layer)| {
                    let start = base + hours(start);
                    shift(number, start, start + hours(length), Source::Layer(layer))
                })
                .collect()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn on_and_off_alternate_and_sit_on_the_shift_boundaries(shifts in shift_list()) {
        let base = ts("2026-01-01T00:00:00Z");
        let window = Interval { start: base, end: base + hours(60) };
        let found = transitions(&shifts, window);
        let tick = SignedDuration::from_nanos(1);
        for number in 1u128..=3 {
            let own: Vec<&Transition> = found.iter().filter(|t| t.user == user(number)).collect();
            // alternating: never "on" twice without an "off" between (and vice versa)
            for pair in own.windows(2) {
                prop_assert_ne!(pair[0].handoff.direction(), pair[1].handoff.direction());
                prop_assert!(pair[0].at < pair[1].at);
            }
            for t in &own {
                prop_assert!(window.start < t.at && t.at < window.end);
                let (before, after) = (raw_on(&shifts, number, t.at - tick), raw_on(&shifts, number, t.at));
                match &t.handoff {
                    Handoff::OnCall { .. } => prop_assert!(!before && after),
                    Handoff::OffCall { .. } => prop_assert!(before && !after),
                }
            }
            // and every change of status inside the window is reported
            let mut edges: Vec<Timestamp> = shifts
                .iter()
                .filter(|s| s.user == user(number))
                .flat_map(|s| [s.start, s.end])
                .filter(|at| window.start < *at && *at < window.end)
                .filter(|at| raw_on(&shifts, number, *at - tick) != raw_on(&shifts, number, *at))
                .collect();
            edges.sort();
            edges.dedup();
            let reported: Vec<Timestamp> = own.iter().map(|t| t.at).collect();
            prop_assert_eq!(reported, edges);
        }
    }
}
