//! Handoff notices: from a schedule's final shifts over a window, the instants each person comes
//! on call and goes off call. A person's back-to-back or overlapping shifts (whatever their
//! source: a layer, a temporary schedule, an override) are one stretch on call, so someone on two
//! shifts in a row hears neither "off" nor "on" between them.
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::answer::{FinalShift, Interval, union};
use crate::id::UserId;

/// Which way a person's on-call status changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "direction", rename_all = "snake_case")]
pub enum Handoff {
    /// Now on call, until `until` (`None`: beyond the window looked at), taking over from
    /// `previous` (those on call just before; empty after a gap).
    OnCall {
        until: Option<Timestamp>,
        previous: Vec<UserId>,
    },
    /// No longer on call; `next` are on call from this instant (empty: a gap follows).
    OffCall { next: Vec<UserId> },
}

impl Handoff {
    /// `on_call_start` or `on_call_end`: the notice's direction as stored and preferred.
    pub fn direction(&self) -> Direction {
        match self {
            Handoff::OnCall { .. } => Direction::OnCallStart,
            Handoff::OffCall { .. } => Direction::OnCallEnd,
        }
    }
}

/// The two kinds of handoff notice a person may choose to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    OnCallStart,
    OnCallEnd,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::OnCallStart => "on_call_start",
            Direction::OnCallEnd => "on_call_end",
        }
    }

    /// The direction named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<Direction> {
        [Direction::OnCallStart, Direction::OnCallEnd]
            .into_iter()
            .find(|direction| direction.as_str() == text)
    }
}

/// One person's change of on-call status at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub user: UserId,
    pub at: Timestamp,
    pub handoff: Handoff,
}

/// Which notices a person wants (PagerDuty's handoff notification setting); both by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HandoffPreference {
    pub on_call_start: bool,
    pub on_call_end: bool,
}

impl Default for HandoffPreference {
    fn default() -> Self {
        Self {
            on_call_start: true,
            on_call_end: true,
        }
    }
}

impl HandoffPreference {
    /// Whether a notice of `direction` is wanted.
    pub fn wants(&self, direction: Direction) -> bool {
        match direction {
            Direction::OnCallStart => self.on_call_start,
            Direction::OnCallEnd => self.on_call_end,
        }
    }
}

/// Each person's stretches on call: their shifts joined where they overlap or touch.
fn stretches(shifts: &[FinalShift]) -> Vec<(UserId, Interval)> {
    let mut users: Vec<UserId> = shifts.iter().map(|shift| shift.user).collect();
    users.sort();
    users.dedup();
    users
        .into_iter()
        .flat_map(|user| {
            let own = shifts
                .iter()
                .filter(|shift| shift.user == user)
                .map(FinalShift::interval)
                .collect();
            union(own).into_iter().map(move |interval| (user, interval))
        })
        .collect()
}

/// The people on call at `at` (`just_before`: during the instant before it), sorted.
fn on_call(stretches: &[(UserId, Interval)], at: Timestamp, just_before: bool) -> Vec<UserId> {
    let mut users: Vec<UserId> = stretches
        .iter()
        .filter(|(_, i)| {
            if just_before {
                i.start < at && at <= i.end
            } else {
                i.contains(at)
            }
        })
        .map(|(user, _)| *user)
        .collect();
    users.sort();
    users.dedup();
    users
}

/// Every handoff strictly inside `window` (a shift starting at the window's start, or ending at
/// its end, was clipped there and is no handoff), given the schedule's final shifts over the
/// window (`shifts_between(schedule, window.start, window.end)`). Sorted by instant, those going
/// off call before those coming on, then by user.
pub fn transitions(shifts: &[FinalShift], window: Interval) -> Vec<Transition> {
    let stretches = stretches(shifts);
    let mut found = Vec::new();
    for (user, stretch) in &stretches {
        if window.start < stretch.start && stretch.start < window.end {
            found.push(Transition {
                user: *user,
                at: stretch.start,
                handoff: Handoff::OnCall {
                    until: (stretch.end < window.end).then_some(stretch.end),
                    previous: on_call(&stretches, stretch.start, true),
                },
            });
        }
        if window.start < stretch.end && stretch.end < window.end {
            found.push(Transition {
                user: *user,
                at: stretch.end,
                handoff: Handoff::OffCall {
                    next: on_call(&stretches, stretch.end, false),
                },
            });
        }
    }
    found.sort_by_key(|t| {
        (
            t.at,
            t.handoff.direction() == Direction::OnCallStart,
            t.user,
        )
    });
    found
}

/// The first handoff after `after` among `transitions` (when the engine must wake next).
pub fn next_after(transitions: &[Transition], after: Timestamp) -> Option<Timestamp> {
    transitions
        .iter()
        .map(|t| t.at)
        .filter(|at| *at > after)
        .min()
}

/// Whether a notice due at `at` is too old to send at `now` (the node was down past `grace`):
/// it is recorded as skipped instead of sent late.
pub fn is_stale(at: Timestamp, now: Timestamp, grace: SignedDuration) -> bool {
    now.duration_since(at) > grace
}
