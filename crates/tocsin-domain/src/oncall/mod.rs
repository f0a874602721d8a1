//! On-call schedules and the pure on-call calculator: who is on call at an instant and why, the
//! final timeline over a range, each layer's drawing, the uncovered gaps, and iCalendar export.
//!
//! Precedence, lowest first (each covers what is below it where it has a say):
//! 1. Layers, in list order: the last layer is on top, as in PagerDuty (whose last-listed layer
//!    renders on top). Where a [`LayerMode::Replace`] layer has someone on call, that person
//!    replaces whoever the layers below put on call; a [`LayerMode::Alongside`] layer adds its
//!    person instead. Where a layer has no one (outside its restriction windows or its active
//!    period), the layers below show through.
//! 2. Temporary schedules: inside one, only its shifts count (no shift: no one on call). Where
//!    temporary schedules overlap, the later one in the list wins.
//! 3. Overrides: the override's user alone is on call, whoever was before (even nobody). Where
//!    overrides overlap, the later one in the list (the newer one) wins.
//!
//! Intervals are half-open: a shift from 09:00 until 17:00 holds 09:00 and not 17:00.
//! Day-based shift lengths count local calendar days, so a 09:00 handoff stays at 09:00 local
//! across daylight saving changes; a handoff or restriction time that falls in a spring-forward gap
//! moves forward by the gap, one in a fall-back fold is the earlier instant (jiff's
//! `Disambiguation::Compatible`).
//!
//! The calculator is total: it never panics, and a part of a schedule that validation refuses
//! (an empty rotation, a zero shift length, an end before its start) covers nothing, so it shows
//! as a gap rather than as a wrong person. `docs/oncall.md` explains the model and its tests.
mod answer;
pub mod handoff;
mod icalendar;
mod layer;
mod model;
mod restriction;
mod rotation;
mod stack;
mod validate;

#[cfg(test)]
mod tests;

use jiff::{SignedDuration, Timestamp};

pub use answer::{FinalShift, Interval, LayerShift, OnCall, OnCallAnswer, Source, Turn};
pub use icalendar::{CalendarShift, to_icalendar};
pub use model::{
    Layer, LayerMode, Override, Restriction, Rotation, Schedule, ShiftLength, TemporarySchedule,
    TemporaryShift,
};
pub use validate::limits;

/// Who is on call at `at`, and why (the layer and rotation turn, the temporary schedule, or the
/// override). An empty answer means no one is: a gap.
pub fn on_call_at(schedule: &Schedule, at: Timestamp) -> OnCallAnswer {
    let on_call = match at.checked_add(SignedDuration::from_nanos(1)) {
        Ok(next) => {
            let layers = layer_shifts_between(schedule, at, next);
            stack::on_call_from(schedule, &layers, at)
        }
        Err(_) => Vec::new(),
    };
    OnCallAnswer { at, on_call }
}

/// The final timeline over `[from, to)`, clipped to it: who is on call when, and from which
/// source. Back-to-back time of one user from one source is one shift. Shifts do not overlap
/// unless several people are on call at once (an alongside layer, overlapping temporary shifts).
/// Sorted by start.
pub fn shifts_between(schedule: &Schedule, from: Timestamp, to: Timestamp) -> Vec<FinalShift> {
    let layers = layer_shifts_between(schedule, from, to);
    stack::final_shifts(schedule, &layers, from, to)
}

/// Each layer's own shifts over `[from, to)`, before stacking (for drawing the layers): one
/// list per layer, in the schedule's layer order; each list sorted and not overlapping.
pub fn layer_shifts_between(
    schedule: &Schedule,
    from: Timestamp,
    to: Timestamp,
) -> Vec<Vec<LayerShift>> {
    schedule
        .layers
        .iter()
        .map(|layer| layer::layer_shifts(layer, from, to))
        .collect()
}

/// Every interval of `[from, to)` in which no one is on call, in order; adjacent uncovered time
/// is one interval.
pub fn gaps_between(schedule: &Schedule, from: Timestamp, to: Timestamp) -> Vec<Interval> {
    stack::gaps(&shifts_between(schedule, from, to), from, to)
}
