//! One layer drawn over a range: its rotation's turns, cut to the layer's active period and to its
//! restriction windows.
use jiff::Timestamp;

use super::answer::{Interval, LayerShift};
use super::model::Layer;
use super::restriction::allowed_intervals;
use super::rotation::Handoffs;

/// The layer's shifts overlapping `[from, to)`, clipped to it, in order and not overlapping.
pub(crate) fn layer_shifts(layer: &Layer, from: Timestamp, to: Timestamp) -> Vec<LayerShift> {
    let start = from.max(layer.starts_at);
    let end = layer.ends_at.map_or(to, |ends_at| ends_at.min(to));
    let Some(handoffs) = Handoffs::new(&layer.rotation) else {
        return Vec::new();
    };
    if start >= end {
        return Vec::new();
    }
    let allowed = if layer.restrictions.is_empty() {
        vec![Interval { start, end }]
    } else {
        allowed_intervals(&layer.restrictions, handoffs.zone(), start, end)
    };
    let mut shifts = Vec::new();
    let mut first_window = 0;
    for turn in handoffs.turns_overlapping(start, end) {
        while allowed
            .get(first_window)
            .is_some_and(|window| window.end <= turn.start)
        {
            first_window += 1;
        }
        let windows = allowed.get(first_window..).unwrap_or_default();
        for window in windows.iter().take_while(|window| window.start < turn.end) {
            let piece_start = window.start.max(turn.start);
            let piece_end = window.end.min(turn.end);
            if piece_start < piece_end {
                shifts.push(LayerShift {
                    start: piece_start,
                    end: piece_end,
                    turn,
                });
            }
        }
    }
    shifts
}

/// The shift of `shifts` (sorted, not overlapping) that holds `at`.
pub(crate) fn shift_at(shifts: &[LayerShift], at: Timestamp) -> Option<&LayerShift> {
    let index = shifts.partition_point(|shift| shift.end <= at);
    shifts.get(index).filter(|shift| shift.start <= at)
}
