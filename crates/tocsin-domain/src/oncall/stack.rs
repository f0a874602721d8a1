//! Stacking: layers bottom to top, then temporary schedules, then overrides decide who is on call;
//! the final timeline is that decision over each stretch of time in which no input changes.
use jiff::Timestamp;

use super::answer::{FinalShift, Interval, LayerShift, OnCall, Source, Turn};
use super::layer::shift_at;
use super::model::{LayerMode, Schedule};
use crate::id::UserId;

/// Who is on call at `at`, given each layer's shifts around `at` (one list per layer, in order).
pub(crate) fn on_call_from(
    schedule: &Schedule,
    layer_shifts: &[Vec<LayerShift>],
    at: Timestamp,
) -> Vec<OnCall> {
    if let Some(index) = schedule
        .overrides
        .iter()
        .rposition(|over| over.start <= at && at < over.end)
        && let Some(over) = schedule.overrides.get(index)
    {
        return vec![OnCall {
            user: over.user,
            source: Source::Override(index),
            turn: None,
        }];
    }
    if let Some(index) = schedule
        .temporary
        .iter()
        .rposition(|temporary| temporary.start <= at && at < temporary.end)
        && let Some(temporary) = schedule.temporary.get(index)
    {
        let mut on_call = Vec::new();
        for shift in &temporary.shifts {
            if shift.start <= at && at < shift.end {
                add(&mut on_call, shift.user, Source::Temporary(index), None);
            }
        }
        return on_call;
    }
    let mut on_call = Vec::new();
    for (index, (layer, shifts)) in schedule.layers.iter().zip(layer_shifts).enumerate() {
        let Some(shift) = shift_at(shifts, at) else {
            continue;
        };
        if layer.mode == LayerMode::Replace {
            on_call.clear();
        }
        add(
            &mut on_call,
            shift.turn.user,
            Source::Layer(index),
            Some(shift.turn),
        );
    }
    on_call
}

/// Puts `user` on call for `source`; someone already on call is now on call for this source.
fn add(on_call: &mut Vec<OnCall>, user: UserId, source: Source, turn: Option<Turn>) {
    on_call.retain(|entry| entry.user != user);
    on_call.push(OnCall { user, source, turn });
}

/// The final timeline over `[from, to)`: the decision taken once per stretch between
/// consecutive changes of any input, with back-to-back stretches of the same user and source
/// joined. Sorted by start, then source, then user.
pub(crate) fn final_shifts(
    schedule: &Schedule,
    layer_shifts: &[Vec<LayerShift>],
    from: Timestamp,
    to: Timestamp,
) -> Vec<FinalShift> {
    let boundaries = boundaries(schedule, layer_shifts, from, to);
    let mut done = Vec::new();
    let mut open: Vec<FinalShift> = Vec::new();
    for stretch in boundaries.windows(2) {
        let &[start, end] = stretch else { continue };
        let mut still_open = Vec::new();
        for entry in on_call_from(schedule, layer_shifts, start) {
            let continued = open.iter().position(|shift| {
                shift.user == entry.user && shift.source == entry.source && shift.end == start
            });
            match continued {
                Some(position) => {
                    let mut shift = open.swap_remove(position);
                    shift.end = end;
                    still_open.push(shift);
                }
                None => still_open.push(FinalShift {
                    user: entry.user,
                    start,
                    end,
                    source: entry.source,
                }),
            }
        }
        done.append(&mut open);
        open = still_open;
    }
    done.append(&mut open);
    done.sort_by_key(|shift| (shift.start, shift.source, shift.user, shift.end));
    done
}

/// The uncovered parts of `[from, to)`: the complement of the shifts' union.
pub(crate) fn gaps(shifts: &[FinalShift], from: Timestamp, to: Timestamp) -> Vec<Interval> {
    let covered = super::answer::union(shifts.iter().map(FinalShift::interval).collect());
    let mut gaps = Vec::new();
    let mut cursor = from;
    for interval in covered {
        if interval.start > cursor {
            gaps.push(Interval {
                start: cursor,
                end: interval.start.min(to),
            });
        }
        cursor = cursor.max(interval.end);
    }
    if cursor < to {
        gaps.push(Interval {
            start: cursor,
            end: to,
        });
    }
    gaps.retain(|gap| gap.start < gap.end);
    gaps
}

/// `from`, `to`, and every instant in between at which some input starts or ends, sorted.
fn boundaries(
    schedule: &Schedule,
    layer_shifts: &[Vec<LayerShift>],
    from: Timestamp,
    to: Timestamp,
) -> Vec<Timestamp> {
    let mut instants = vec![from, to];
    let layers = layer_shifts.iter().flatten().map(|s| (s.start, s.end));
    let overrides = schedule.overrides.iter().map(|o| (o.start, o.end));
    let temporary = schedule.temporary.iter().flat_map(|temporary| {
        let shifts = temporary.shifts.iter().map(|s| (s.start, s.end));
        std::iter::once((temporary.start, temporary.end)).chain(shifts)
    });
    for (start, end) in layers.chain(overrides).chain(temporary) {
        instants.extend([start, end].into_iter().filter(|i| from < *i && *i < to));
    }
    instants.sort();
    instants.dedup();
    if from >= to {
        instants.clear();
    }
    instants
}
