//! Named stacking cases: follow-the-sun, gap detection, a handoff-continuity layer, an override
//! in the middle of a shift, a temporary schedule, and a person listed twice.
use jiff::civil::Time;

use super::{NEW_YORK, layer, local, nine, rotation, schedule, ts, user};
use crate::alerting::maintenance::DayOfWeek;
use crate::oncall::{
    FinalShift, Interval, Layer, LayerMode, Override, Restriction, Schedule, ShiftLength, Source,
    TemporarySchedule, TemporaryShift, gaps_between, layer_shifts_between, on_call_at,
    shifts_between,
};

fn business_hours(zone: &str, start: &str, participants: [u128; 2], hours_long: u32) -> Layer {
    let start_time: Time = start.parse().expect("time");
    let daily = rotation(
        &participants.map(user),
        ShiftLength::Days(1),
        &format!("2026-01-01T{start}"),
        zone,
    );
    Layer {
        restrictions: vec![Restriction::Daily {
            start: start_time,
            duration_seconds: hours_long * 3600,
        }],
        ..layer(zone, daily)
    }
}

/// Kolkata from 05:30, London from 08:00, New York from 11:00 local, `hours_long` each.
fn follow_the_sun(hours_long: u32) -> Schedule {
    schedule(vec![
        business_hours("Asia/Kolkata", "05:30", [1, 2], hours_long),
        business_hours("Europe/London", "08:00", [3, 4], hours_long),
        business_hours(NEW_YORK, "11:00", [5, 6], hours_long),
    ])
}

#[test]
fn follow_the_sun_with_overlapping_nine_hour_days_covers_the_whole_year() {
    let schedule = follow_the_sun(9);
    assert_eq!(
        gaps_between(
            &schedule,
            ts("2026-01-01T00:00:00Z"),
            ts("2027-01-01T00:00:00Z")
        ),
        []
    );
    let source_at = |at: &str| on_call_at(&schedule, ts(at)).on_call[0].source;
    assert_eq!(
        source_at("2026-01-15T03:00:00Z"),
        Source::Layer(0),
        "08:30 in Kolkata"
    );
    assert_eq!(
        source_at("2026-07-15T07:30:00Z"),
        Source::Layer(1),
        "London (08:30 BST) covers Kolkata"
    );
    assert_eq!(
        source_at("2026-07-15T23:30:00Z"),
        Source::Layer(2),
        "19:30 in New York"
    );
    let day = shifts_between(
        &schedule,
        ts("2026-07-15T00:00:00Z"),
        ts("2026-07-16T00:00:00Z"),
    );
    let sources: Vec<_> = day.iter().map(|shift| shift.source).collect();
    assert_eq!(sources, [0, 1, 2].map(Source::Layer));
}

#[test]
fn gaps_name_every_uncovered_interval() {
    // Eight-hour days meet exactly in winter; in summer New York and London end an hour earlier
    // in UTC and 23:00 to 00:00 UTC is uncovered.
    let schedule = follow_the_sun(8);
    assert_eq!(
        gaps_between(
            &schedule,
            ts("2026-01-10T00:00:00Z"),
            ts("2026-01-20T00:00:00Z")
        ),
        []
    );
    let gap = |start: &str, end: &str| Interval {
        start: ts(start),
        end: ts(end),
    };
    assert_eq!(
        gaps_between(
            &schedule,
            ts("2026-07-15T00:00:00Z"),
            ts("2026-07-16T12:00:00Z")
        ),
        [gap("2026-07-15T23:00:00Z", "2026-07-16T00:00:00Z"),]
    );
    // New York changes on 8 March, three weeks before London: the gap opens that evening.
    assert_eq!(
        gaps_between(
            &schedule,
            ts("2026-03-07T00:00:00Z"),
            ts("2026-03-09T00:00:00Z")
        ),
        [gap("2026-03-08T23:00:00Z", "2026-03-09T00:00:00Z")]
    );
    // A layer that has not started yet leaves the time before it uncovered.
    let mut later = schedule_with_one_person();
    later.layers[0].starts_at = ts("2026-05-01T12:00:00Z");
    assert_eq!(
        gaps_between(
            &later,
            ts("2026-05-01T00:00:00Z"),
            ts("2026-05-02T00:00:00Z")
        ),
        [gap("2026-05-01T00:00:00Z", "2026-05-01T12:00:00Z")]
    );
}

fn schedule_with_one_person() -> Schedule {
    schedule(vec![layer(
        "solo",
        rotation(&[user(1)], ShiftLength::Days(1), "2026-01-01T09:00", "UTC"),
    )])
}

#[test]
fn a_continuity_layer_keeps_the_outgoing_person_on_call_for_an_hour_after_handoff() {
    let (a, b) = (user(1), user(2));
    let primary = rotation(&[a, b], ShiftLength::Weeks(1), "2026-03-02T09:00", NEW_YORK);
    // The same rotation handing off an hour later, only on Mondays from 09:00 to 10:00.
    let outgoing = rotation(&[a, b], ShiftLength::Weeks(1), "2026-03-02T10:00", NEW_YORK);
    let continuity = Layer {
        mode: LayerMode::Alongside,
        restrictions: vec![Restriction::Weekly {
            day: DayOfWeek::Monday,
            start: nine(),
            duration_seconds: 3600,
        }],
        ..layer("continuity", outgoing)
    };
    let schedule = schedule(vec![layer("primary", primary), continuity]);
    let mut during = on_call_at(&schedule, local("2026-03-09T09:30", NEW_YORK)).users();
    during.sort();
    assert_eq!(during, [a, b], "b takes over at 09:00, a stays until 10:00");
    let shifts = shifts_between(
        &schedule,
        local("2026-03-09T08:00", NEW_YORK),
        local("2026-03-09T11:00", NEW_YORK),
    );
    let shift = |who, from: &str, to: &str, source| FinalShift {
        user: who,
        start: local(from, NEW_YORK),
        end: local(to, NEW_YORK),
        source,
    };
    assert_eq!(
        shifts,
        [
            shift(a, "2026-03-09T08:00", "2026-03-09T09:00", Source::Layer(0)),
            shift(b, "2026-03-09T09:00", "2026-03-09T11:00", Source::Layer(0)),
            shift(a, "2026-03-09T09:00", "2026-03-09T10:00", Source::Layer(1)),
        ]
    );
}

#[test]
fn an_override_in_the_middle_of_a_shift_splits_it() {
    let (a, b, c) = (user(1), user(2), user(3));
    let mut schedule = schedule(vec![layer(
        "daily",
        rotation(&[a, b], ShiftLength::Days(1), "2026-06-01T09:00", "UTC"),
    )]);
    schedule.overrides.push(Override {
        user: c,
        start: ts("2026-06-01T12:00:00Z"),
        end: ts("2026-06-01T15:00:00Z"),
    });
    let answer = on_call_at(&schedule, ts("2026-06-01T13:00:00Z"));
    assert_eq!(
        (answer.users(), answer.on_call[0].source),
        (vec![c], Source::Override(0))
    );
    let shift = |who, from: &str, to: &str, source| FinalShift {
        user: who,
        start: ts(from),
        end: ts(to),
        source,
    };
    assert_eq!(
        shifts_between(
            &schedule,
            ts("2026-06-01T09:00:00Z"),
            ts("2026-06-02T12:00:00Z")
        ),
        [
            shift(
                a,
                "2026-06-01T09:00:00Z",
                "2026-06-01T12:00:00Z",
                Source::Layer(0)
            ),
            shift(
                c,
                "2026-06-01T12:00:00Z",
                "2026-06-01T15:00:00Z",
                Source::Override(0)
            ),
            shift(
                a,
                "2026-06-01T15:00:00Z",
                "2026-06-02T09:00:00Z",
                Source::Layer(0)
            ),
            shift(
                b,
                "2026-06-02T09:00:00Z",
                "2026-06-02T12:00:00Z",
                Source::Layer(0)
            ),
        ]
    );
}

#[test]
fn a_temporary_schedule_replaces_the_layers_for_its_period_gaps_included() {
    let (a, d, e) = (user(1), user(4), user(5));
    let mut schedule = schedule_with_one_person();
    schedule.temporary.push(TemporarySchedule {
        start: ts("2026-06-10T00:00:00Z"),
        end: ts("2026-06-12T00:00:00Z"),
        shifts: vec![
            TemporaryShift {
                user: d,
                start: ts("2026-06-10T00:00:00Z"),
                end: ts("2026-06-11T00:00:00Z"),
            },
            TemporaryShift {
                user: e,
                start: ts("2026-06-11T06:00:00Z"),
                end: ts("2026-06-12T00:00:00Z"),
            },
        ],
    });
    let source_at = |at: &str| {
        on_call_at(&schedule, ts(at))
            .on_call
            .first()
            .map(|entry| (entry.user, entry.source))
    };
    assert_eq!(
        source_at("2026-06-09T23:00:00Z"),
        Some((a, Source::Layer(0)))
    );
    assert_eq!(
        source_at("2026-06-10T12:00:00Z"),
        Some((d, Source::Temporary(0)))
    );
    assert_eq!(
        source_at("2026-06-11T03:00:00Z"),
        None,
        "inside the period, between its shifts"
    );
    assert_eq!(
        source_at("2026-06-12T00:00:00Z"),
        Some((a, Source::Layer(0)))
    );
    assert_eq!(
        gaps_between(
            &schedule,
            ts("2026-06-09T00:00:00Z"),
            ts("2026-06-13T00:00:00Z")
        ),
        [Interval {
            start: ts("2026-06-11T00:00:00Z"),
            end: ts("2026-06-11T06:00:00Z")
        }]
    );
}

#[test]
fn a_person_listed_twice_in_a_row_gets_one_final_shift_but_two_turns() {
    let (a, b) = (user(1), user(2));
    let schedule = schedule(vec![layer(
        "doubles",
        rotation(&[a, a, b], ShiftLength::Days(1), "2026-01-01T00:00", "UTC"),
    )]);
    let (from, to) = (ts("2026-01-01T00:00:00Z"), ts("2026-01-04T00:00:00Z"));
    let turns: Vec<_> = layer_shifts_between(&schedule, from, to)[0]
        .iter()
        .map(|s| s.turn.number)
        .collect();
    assert_eq!(turns, [0, 1, 2]);
    let users: Vec<_> = shifts_between(&schedule, from, to)
        .iter()
        .map(|s| (s.user, s.end))
        .collect();
    assert_eq!(users, [(a, ts("2026-01-03T00:00:00Z")), (b, to)]);
}
