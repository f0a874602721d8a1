//! A deliberately simple, slow oracle for the calculator, written apart from it: it walks handoffs
//! one at a time from the first handoff with jiff's zoned conversion, checks every restriction
//! window near the instant one by one, and applies the precedence rules literally.
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::id::UserId;
use crate::oncall::{LayerMode, Restriction, Rotation, Schedule, ShiftLength, Source};

/// The rotation's turn holding `at`, found by walking: its number, start and end, and the local
/// date-time its handoff was meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleTurn {
    pub number: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub intended_local_start: DateTime,
}

pub fn turn_at(rotation: &Rotation, at: Timestamp) -> OracleTurn {
    let zone = TimeZone::get(rotation.time_zone.as_str()).expect("zone");
    let first = rotation.first_handoff;
    let elapsed = |seconds: i64| SignedDuration::from_secs(seconds);
    match rotation.shift {
        ShiftLength::Hours(hours) => {
            walk_elapsed(&zone, first, elapsed(i64::from(hours) * 3600), at)
        }
        ShiftLength::Custom { seconds } => walk_elapsed(
            &zone,
            first,
            elapsed(i64::try_from(seconds).expect("small")),
            at,
        ),
        ShiftLength::Days(days) => walk_days(&zone, first, i64::from(days), at),
        ShiftLength::Weeks(weeks) => walk_days(&zone, first, 7 * i64::from(weeks), at),
    }
}

fn walk_elapsed(
    zone: &TimeZone,
    first: DateTime,
    step: SignedDuration,
    at: Timestamp,
) -> OracleTurn {
    let mut number = 0;
    let mut start = first
        .to_zoned_datetime(zone.clone())
        .expect("in range")
        .timestamp();
    while start > at {
        start -= step;
        number -= 1;
    }
    while start + step <= at {
        start += step;
        number += 1;
    }
    OracleTurn {
        number,
        start,
        end: start + step,
        intended_local_start: zone.to_datetime(start),
    }
}

fn walk_days(zone: &TimeZone, first: DateTime, days: i64, at: Timestamp) -> OracleTurn {
    let handoff_on = |date: Date| {
        date.to_datetime(first.time())
            .to_zoned_datetime(zone.clone())
            .expect("in range")
            .timestamp()
    };
    let mut number = 0;
    let mut date = first.date();
    while handoff_on(date) > at {
        date = date.checked_sub(days.days()).expect("in range");
        number -= 1;
    }
    loop {
        let next = date.checked_add(days.days()).expect("in range");
        if handoff_on(next) > at {
            return OracleTurn {
                number,
                start: handoff_on(date),
                end: handoff_on(next),
                intended_local_start: date.to_datetime(first.time()),
            };
        }
        date = next;
        number += 1;
    }
}

/// The participant whose turn holds `at`.
pub fn participant_at(rotation: &Rotation, at: Timestamp) -> UserId {
    let number = turn_at(rotation, at).number;
    let count = i64::try_from(rotation.participants.len()).expect("small");
    rotation.participants[usize::try_from(number.rem_euclid(count)).expect("small")]
}

/// Whether some restriction window holds `at`: every window starting on a local date from ten
/// days before `at`'s local date to three days after it is tried.
pub fn inside_restrictions(restrictions: &[Restriction], zone: &TimeZone, at: Timestamp) -> bool {
    let today = zone.to_datetime(at).date();
    (-10..=3).any(|offset| {
        let date = today.checked_add(offset.days()).expect("in range");
        restrictions.iter().any(|restriction| {
            if restriction
                .day()
                .is_some_and(|day| day.to_weekday() != date.weekday())
            {
                return false;
            }
            let (start, duration) = (restriction.start(), restriction.duration_seconds());
            let local_start = date.to_datetime(start);
            let local_end = local_start + SignedDuration::from_secs(i64::from(duration));
            let begins = local_start
                .to_zoned_datetime(zone.clone())
                .expect("in range")
                .timestamp();
            let ends = local_end
                .to_zoned_datetime(zone.clone())
                .expect("in range")
                .timestamp();
            begins <= at && at < ends
        })
    })
}

/// Who is on call at `at` and from which source, by the precedence rules read literally; sorted.
pub fn on_call_at(schedule: &Schedule, at: Timestamp) -> Vec<(UserId, Source)> {
    let holds = |start: Timestamp, end: Timestamp| start <= at && at < end;
    let mut result: Vec<(UserId, Source)> = Vec::new();
    if let Some((index, over)) = schedule
        .overrides
        .iter()
        .enumerate()
        .rev()
        .find(|(_, o)| holds(o.start, o.end))
    {
        result.push((over.user, Source::Override(index)));
    } else if let Some((index, temporary)) = schedule
        .temporary
        .iter()
        .enumerate()
        .rev()
        .find(|(_, t)| holds(t.start, t.end))
    {
        for shift in temporary.shifts.iter().filter(|s| holds(s.start, s.end)) {
            if !result.iter().any(|(user, _)| *user == shift.user) {
                result.push((shift.user, Source::Temporary(index)));
            }
        }
    } else {
        for (index, layer) in schedule.layers.iter().enumerate() {
            let zone = TimeZone::get(layer.rotation.time_zone.as_str()).expect("zone");
            let active = holds(layer.starts_at, layer.ends_at.unwrap_or(Timestamp::MAX));
            let allowed = layer.restrictions.is_empty()
                || inside_restrictions(&layer.restrictions, &zone, at);
            if !(active && allowed) {
                continue;
            }
            let user = participant_at(&layer.rotation, at);
            if layer.mode == LayerMode::Replace {
                result.clear();
            }
            result.retain(|(someone, _)| *someone != user);
            result.push((user, Source::Layer(index)));
        }
    }
    result.sort();
    result
}
