//! Restriction windows as intervals of time: each occurrence starts and ends at local wall-clock
//! times in the rotation's zone, resolved like handoffs (a time in a gap moves forward by the gap,
//! a time in a fold is the earlier instant).
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::answer::{Interval, union};
use super::model::Restriction;

/// The union of the restriction windows, clipped to `[from, to)`, sorted and merged: touching or
/// overlapping windows form one interval.
pub(crate) fn allowed_intervals(
    restrictions: &[Restriction],
    zone: &TimeZone,
    from: Timestamp,
    to: Timestamp,
) -> Vec<Interval> {
    let mut windows = Vec::new();
    if from >= to {
        return windows;
    }
    // A window lasts at most a week, so one starting more than 8 local days before `from`
    // cannot reach it; the day after `to`'s local date guards against folds.
    let first_date = zone.to_datetime(from).date().checked_sub(8.days()).ok();
    let last_date = zone.to_datetime(to).date().checked_add(1.days()).ok();
    let (Some(mut date), Some(last_date)) = (first_date, last_date) else {
        return windows;
    };
    while date <= last_date {
        for restriction in restrictions {
            if let Some(window) = occurrence_on(restriction, date, zone)
                && window.end > from
                && window.start < to
            {
                windows.push(Interval {
                    start: window.start.max(from),
                    end: window.end.min(to),
                });
            }
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    union(windows)
}

/// The restriction's window starting on local `date`, if it has one that day and it is not empty.
fn occurrence_on(restriction: &Restriction, date: Date, zone: &TimeZone) -> Option<Interval> {
    if restriction
        .day()
        .is_some_and(|day| day.to_weekday() != date.weekday())
    {
        return None;
    }
    // An overlong window (refused by validation) counts as its whole period.
    let duration_seconds = restriction
        .duration_seconds()
        .min(restriction.period_seconds());
    local_window(date, restriction.start(), duration_seconds, zone)
}

/// `[date at start, date at start + duration)` in local wall-clock time, as instants; `None` when
/// daylight saving makes it empty (a short window starting in a gap).
fn local_window(
    date: Date,
    start: Time,
    duration_seconds: u32,
    zone: &TimeZone,
) -> Option<Interval> {
    let local_start = date.to_datetime(start);
    let local_end = local_start
        .checked_add(SignedDuration::from_secs(i64::from(duration_seconds)))
        .ok()?;
    let window = Interval {
        start: zone.to_timestamp(local_start).ok()?,
        end: zone.to_timestamp(local_end).ok()?,
    };
    (window.end > window.start).then_some(window)
}
