//! Validation names every broken rule by its field; JSON input round-trips.
use jiff::civil::Time;
use serde_json::json;

use super::{layer, rotation, schedule, ts, user};
use crate::alerting::config::{Validate, from_json};
use crate::oncall::{
    Override, Restriction, Schedule, ShiftLength, TemporarySchedule, TemporaryShift,
};

fn pointers(schedule: &Schedule) -> Vec<String> {
    schedule
        .validate()
        .expect_err("invalid")
        .0
        .into_iter()
        .map(|error| error.pointer)
        .collect()
}

fn valid() -> Schedule {
    schedule(vec![layer(
        "primary",
        rotation(
            &[user(1), user(2)],
            ShiftLength::Weeks(1),
            "2026-03-02T09:00",
            "Europe/Berlin",
        ),
    )])
}

#[test]
fn a_well_formed_schedule_is_valid() {
    assert_eq!(valid().validate(), Ok(()));
}

#[test]
fn every_broken_rule_is_named_by_its_field() {
    let mut broken = valid();
    let first = &mut broken.layers[0];
    first.name = "  ".into();
    first.rotation.participants.clear();
    first.rotation.shift = ShiftLength::Days(0);
    first.ends_at = Some(first.starts_at);
    first.restrictions = vec![
        Restriction::Daily {
            start: Time::midnight(),
            duration_seconds: 0,
        },
        Restriction::Daily {
            start: Time::midnight(),
            duration_seconds: 24 * 3600 + 1,
        },
        Restriction::Daily {
            start: Time::midnight(),
            duration_seconds: 24 * 3600,
        },
        Restriction::Weekly {
            day: crate::alerting::maintenance::DayOfWeek::Friday,
            start: Time::midnight(),
            duration_seconds: 7 * 24 * 3600 + 1,
        },
    ];
    broken.overrides.push(Override {
        user: user(3),
        start: ts("2026-05-01T10:00:00Z"),
        end: ts("2026-05-01T09:00:00Z"),
    });
    assert_eq!(
        pointers(&broken),
        [
            "/layers/0/name",
            "/layers/0/rotation/participants",
            "/layers/0/rotation/shift/days",
            "/layers/0/ends_at",
            "/layers/0/restrictions/0/duration_seconds",
            "/layers/0/restrictions/1/duration_seconds",
            "/layers/0/restrictions/3/duration_seconds",
            "/overrides/0/end",
        ]
    );
}

#[test]
fn shift_lengths_run_from_a_minute_to_a_year() {
    let with_shift = |shift| {
        let mut schedule = valid();
        schedule.layers[0].rotation.shift = shift;
        schedule.validate().is_ok()
    };
    assert!(with_shift(ShiftLength::Custom { seconds: 60 }));
    assert!(!with_shift(ShiftLength::Custom { seconds: 59 }));
    assert!(with_shift(ShiftLength::Hours(8760)));
    assert!(!with_shift(ShiftLength::Hours(8761)));
    assert!(with_shift(ShiftLength::Weeks(52)));
    assert!(!with_shift(ShiftLength::Weeks(53)));
    assert!(!with_shift(ShiftLength::Hours(0)));
}

#[test]
fn temporary_schedules_hold_their_shifts_and_do_not_overlap() {
    let mut schedule = valid();
    let period = |start: &str, end: &str, shifts| TemporarySchedule {
        start: ts(start),
        end: ts(end),
        shifts,
    };
    let shift = |start: &str, end: &str| TemporaryShift {
        user: user(4),
        start: ts(start),
        end: ts(end),
    };
    schedule.temporary = vec![
        period(
            "2026-06-01T00:00:00Z",
            "2026-06-03T00:00:00Z",
            vec![
                shift("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"),
                shift("2026-06-02T00:00:00Z", "2026-06-04T00:00:00Z"),
                shift("2026-06-02T12:00:00Z", "2026-06-02T12:00:00Z"),
            ],
        ),
        period("2026-06-02T00:00:00Z", "2026-06-05T00:00:00Z", Vec::new()),
        period("2026-06-06T00:00:00Z", "2026-06-05T00:00:00Z", Vec::new()),
    ];
    assert_eq!(
        pointers(&schedule),
        [
            "/temporary/0/shifts/1",
            "/temporary/0/shifts/2/end",
            "/temporary/2/end",
            "/temporary/1",
        ],
        "each schedule's own rules first, then overlaps between them"
    );
}

#[test]
fn json_input_is_checked_field_by_field_and_round_trips() {
    let input = json!({
        "time_zone": "Europe/Berlin",
        "layers": [{
            "name": "primary",
            "rotation": {
                "participants": [user(1), user(2)],
                "shift": {"weeks": 1},
                "first_handoff": "2026-03-02T09:00:00",
                "time_zone": "Europe/Berlin"
            },
            "restrictions": [{"kind": "weekly", "day": "monday", "start": "09:00:00", "duration_seconds": 3600}],
            "mode": "alongside",
            "starts_at": "2026-03-01T00:00:00Z"
        }],
        "overrides": [{"user": user(3), "start": "2026-05-01T09:00:00Z", "end": "2026-05-01T10:00:00Z"}]
    });
    let parsed: Schedule = from_json(input.clone()).expect("valid");
    let again: Schedule =
        from_json(serde_json::to_value(&parsed).expect("serializes")).expect("valid");
    assert_eq!(again, parsed);
    assert_eq!(parsed.layers[0].rotation.shift, ShiftLength::Weeks(1));

    let mut unknown_zone = input.clone();
    unknown_zone["layers"][0]["rotation"]["time_zone"] = json!("Mars/Olympus_Mons");
    let error = from_json::<Schedule>(unknown_zone).expect_err("unknown zone");
    assert_eq!(error.0[0].pointer, "/layers/0/rotation/time_zone");

    let mut empty = input;
    empty["layers"][0]["rotation"]["participants"] = json!([]);
    let error = from_json::<Schedule>(empty).expect_err("no participants");
    assert_eq!(error.0[0].pointer, "/layers/0/rotation/participants");
}
