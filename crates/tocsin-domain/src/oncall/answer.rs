//! What the calculator answers: who is on call, during which interval, and why.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::id::UserId;

/// Where someone's time on call comes from. Indexes point into the schedule's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Source {
    /// `schedule.layers[i]`.
    Layer(usize),
    /// A shift of `schedule.temporary[i]`.
    Temporary(usize),
    /// `schedule.overrides[i]`.
    Override(usize),
}

/// A half-open interval of time: from `start` (included) until `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// Sorts intervals and joins those that overlap or touch.
pub(crate) fn union(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        match merged.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => merged.push(interval),
        }
    }
    merged
}

/// One turn of a rotation: its `number` counts handoffs from the first handoff (0), negative
/// before it; the turn goes to `participants[participant]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Turn {
    pub number: i64,
    pub participant: usize,
    pub user: UserId,
    /// The handoff that starts the turn.
    pub start: Timestamp,
    /// The next handoff.
    pub end: Timestamp,
}

/// A piece of a layer's drawing: part of a turn inside the layer's active period, its
/// restriction windows and the asked range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerShift {
    pub start: Timestamp,
    pub end: Timestamp,
    pub turn: Turn,
}

/// A piece of the final timeline: `user` on call from `start` until `end` because of `source`.
/// Back-to-back time of the same user from the same source is one shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FinalShift {
    pub user: UserId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub source: Source,
}

impl FinalShift {
    pub fn interval(&self) -> Interval {
        Interval {
            start: self.start,
            end: self.end,
        }
    }
}

/// One person on call at an instant, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OnCall {
    pub user: UserId,
    pub source: Source,
    /// The rotation turn, when the source is a layer.
    pub turn: Option<Turn>,
}

/// Who is on call at `at`: nobody (a gap), one person, or several (an alongside layer or
/// overlapping temporary shifts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallAnswer {
    pub at: Timestamp,
    pub on_call: Vec<OnCall>,
}

impl OnCallAnswer {
    /// The people on call, in the answer's order.
    pub fn users(&self) -> Vec<UserId> {
        self.on_call.iter().map(|entry| entry.user).collect()
    }
}
