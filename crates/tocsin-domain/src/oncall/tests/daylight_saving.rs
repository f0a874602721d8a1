//! Named daylight saving cases: a weekly 09:00 handoff in New York across both changes, handoffs
//! in a gap and a fold, hour-based shifts, a short night, and a first handoff decades back.
use jiff::civil::Time;

use super::{NEW_YORK, hours, layer, local, nine, rotation, schedule, ts, user, zone_of};
use crate::oncall::{
    Layer, Restriction, ShiftLength, layer_shifts_between, on_call_at, shifts_between,
};

#[test]
fn a_weekly_0900_handoff_stays_0900_in_new_york_across_both_changes() {
    let (a, b, c) = (user(1), user(2), user(3));
    let weekly = rotation(
        &[a, b, c],
        ShiftLength::Weeks(1),
        "2026-03-02T09:00",
        NEW_YORK,
    );
    let schedule = schedule(vec![layer("primary", weekly)]);

    let expect = |at: &str, who, number, start: &str, end: &str, length| {
        let answer = on_call_at(&schedule, local(at, NEW_YORK));
        let turn = answer.on_call[0].turn.expect("a layer names its turn");
        assert_eq!((answer.users(), turn.number), (vec![who], number));
        assert_eq!((turn.start, turn.end), (ts(start), ts(end)));
        assert_eq!(turn.end.duration_since(turn.start), hours(length));
    };
    // Clocks spring forward on Sunday 8 March 2026: 09:00 EST to 09:00 EDT is 167 hours.
    expect(
        "2026-03-08T12:00",
        a,
        0,
        "2026-03-02T14:00:00Z",
        "2026-03-09T13:00:00Z",
        167,
    );
    // Clocks fall back on Sunday 1 November 2026: 09:00 EDT to 09:00 EST is 169 hours.
    expect(
        "2026-11-01T12:00",
        b,
        34,
        "2026-10-26T13:00:00Z",
        "2026-11-02T14:00:00Z",
        169,
    );

    // Every handoff of the year happens at 09:00 in New York.
    let year = shifts_between(
        &schedule,
        ts("2026-01-01T05:00:00Z"),
        ts("2027-01-01T05:00:00Z"),
    );
    assert_eq!(
        year.len(),
        53,
        "a partial first week and 52 Monday handoffs"
    );
    let zone = zone_of(NEW_YORK);
    assert!(
        year.iter()
            .skip(1)
            .all(|shift| zone.to_datetime(shift.start).time() == nine())
    );
}

#[test]
fn a_handoff_in_the_spring_gap_moves_forward_and_one_in_the_fold_takes_the_first() {
    let daily = |time: &str| rotation(&[user(1), user(2)], ShiftLength::Days(1), time, NEW_YORK);
    // 02:30 does not exist on 8 March 2026: that handoff is at 03:30 EDT.
    let gap = schedule(vec![layer("gap", daily("2026-03-01T02:30"))]);
    let turn = on_call_at(&gap, ts("2026-03-08T12:00:00Z")).on_call[0]
        .turn
        .expect("turn");
    assert_eq!(turn.start, ts("2026-03-08T07:30:00Z"));
    assert_eq!(
        turn.end,
        ts("2026-03-09T06:30:00Z"),
        "back at 02:30, now EDT"
    );
    // 01:30 happens twice on 1 November 2026: the handoff is at the first, 01:30 EDT.
    let fold = schedule(vec![layer("fold", daily("2026-10-01T01:30"))]);
    let turn = on_call_at(&fold, ts("2026-11-01T12:00:00Z")).on_call[0]
        .turn
        .expect("turn");
    assert_eq!(turn.start, ts("2026-11-01T05:30:00Z"));
    assert_eq!(turn.end.duration_since(turn.start), hours(25));
}

#[test]
fn hour_based_shifts_are_elapsed_time_so_the_local_handoff_moves() {
    let twelve = rotation(
        &[user(1), user(2)],
        ShiftLength::Hours(12),
        "2026-03-07T08:00",
        NEW_YORK,
    );
    let schedule = schedule(vec![layer("halves", twelve)]);
    let shifts = shifts_between(
        &schedule,
        ts("2026-03-07T13:00:00Z"),
        ts("2026-03-09T01:00:00Z"),
    );
    let starts: Vec<_> = shifts
        .iter()
        .map(|s| zone_of(NEW_YORK).to_datetime(s.start).time())
        .collect();
    assert_eq!(starts, [8, 20, 9].map(|hour| Time::constant(hour, 0, 0, 0)));
    assert!(
        shifts
            .iter()
            .all(|s| s.end.duration_since(s.start) == hours(12))
    );
}

#[test]
fn the_turn_is_computed_directly_even_with_a_first_handoff_decades_back() {
    let minutes = rotation(
        &[user(1), user(2), user(3)],
        ShiftLength::Custom { seconds: 60 },
        "1990-01-01T00:00",
        "UTC",
    );
    let answer = on_call_at(
        &schedule(vec![layer("minutes", minutes)]),
        ts("2026-01-01T00:00:30Z"),
    );
    let turn = answer.on_call[0].turn.expect("turn");
    let expected_number = 13_149 * 24 * 60; // days from 1990-01-01 to 2026-01-01, in minutes
    assert_eq!(turn.number, expected_number);
    assert_eq!(
        answer.users(),
        vec![user(1 + (expected_number % 3) as u128)]
    );
}

#[test]
fn a_restriction_window_keeps_its_local_end_on_a_short_night() {
    let nights = Layer {
        restrictions: vec![Restriction::Daily {
            start: Time::constant(22, 0, 0, 0),
            duration_seconds: 8 * 3600,
        }],
        ..layer(
            "nights",
            rotation(
                &[user(1), user(2)],
                ShiftLength::Days(1),
                "2026-03-01T22:00",
                NEW_YORK,
            ),
        )
    };
    let schedule = schedule(vec![nights]);
    let drawn = layer_shifts_between(
        &schedule,
        local("2026-03-07T12:00", NEW_YORK),
        local("2026-03-08T12:00", NEW_YORK),
    );
    let [shift] = drawn[0].as_slice() else {
        panic!("one night: {drawn:?}")
    };
    assert_eq!(shift.start, local("2026-03-07T22:00", NEW_YORK));
    assert_eq!(shift.end, local("2026-03-08T06:00", NEW_YORK));
    assert_eq!(
        shift.end.duration_since(shift.start),
        hours(7),
        "the night lost its hour"
    );
}
