//! What an on-call schedule is made of, as users define it and the store persists it (JSON).
use jiff::Timestamp;
use jiff::civil::{DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::alerting::maintenance::DayOfWeek;
use crate::id::UserId;
use crate::values::TimeZoneName;

/// An on-call schedule: layers of rotations, then temporary schedules, then overrides, each
/// covering what is below it (see [`crate::oncall`] for the precedence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The zone the schedule is shown in. Each rotation carries its own zone for its handoffs
    /// and restrictions, so follow-the-sun layers can live in different zones.
    pub time_zone: TimeZoneName,
    /// Bottom first: a later layer covers the earlier ones where it has someone on call.
    pub layers: Vec<Layer>,
    /// Later overrides win where they overlap.
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub temporary: Vec<TemporarySchedule>,
}

/// One layer: a rotation, active from `starts_at` until `ends_at`, optionally only inside its
/// restriction windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub name: String,
    pub rotation: Rotation,
    /// Empty: on call around the clock. Otherwise on call only inside one of the windows.
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
    #[serde(default)]
    pub mode: LayerMode,
    pub starts_at: Timestamp,
    /// `None`: the layer never ends.
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
}

/// How a layer combines with the layers below it where both have someone on call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerMode {
    /// Its person replaces whoever the layers below put on call (PagerDuty's layers).
    #[default]
    Replace,
    /// Its person is on call together with whoever the layers below put on call (Opsgenie's
    /// rotations, GoAlert's rules): for overlapping shifts at a handoff, or a shadow.
    Alongside,
}

/// Participants taking turns, one shift each, in order, starting again from the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// In order; a person may appear more than once (for a longer or more frequent turn).
    pub participants: Vec<UserId>,
    pub shift: ShiftLength,
    /// The local date and time of a handoff, to the first participant. Every handoff keeps this
    /// time of day for day-based shift lengths; shifts before it continue the rotation backwards.
    pub first_handoff: DateTime,
    /// The zone of the handoff and of the layer's restrictions.
    pub time_zone: TimeZoneName,
}

/// How long one turn lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ShiftLength {
    /// Elapsed hours: a 12-hour shift is 12 hours even across a daylight saving change.
    Hours(u32),
    /// Local calendar days: the handoff stays at the same local time, so a day may be 23 or 25
    /// hours long.
    Days(u32),
    /// Local calendar weeks (7 local days each).
    Weeks(u32),
    /// Elapsed seconds.
    Custom { seconds: u64 },
}

/// A recurring window, in the rotation's time zone, outside which a layer has no one on call.
/// Both ends are local wall-clock times: a 09:00 to 17:00 window ends at 17:00 local even on a
/// day whose clocks change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Restriction {
    /// Every day from `start`, for `duration_seconds` of wall-clock time (up to a day).
    Daily { start: Time, duration_seconds: u32 },
    /// Every week from `start` on `day`, for `duration_seconds` of wall-clock time (up to a
    /// week).
    Weekly {
        day: DayOfWeek,
        start: Time,
        duration_seconds: u32,
    },
}

/// `user` is on call from `start` until `end`, instead of whoever the schedule says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub user: UserId,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// From `start` until `end` the schedule's layers are set aside and only these shifts count;
/// time inside the period that no shift covers has no one on call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporarySchedule {
    pub start: Timestamp,
    pub end: Timestamp,
    pub shifts: Vec<TemporaryShift>,
}

/// One shift of a temporary schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporaryShift {
    pub user: UserId,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Restriction {
    /// The longest duration this kind of window may have, in seconds.
    pub fn period_seconds(&self) -> u32 {
        match self {
            Restriction::Daily { .. } => 24 * 3600,
            Restriction::Weekly { .. } => 7 * 24 * 3600,
        }
    }

    /// The local time of day each window starts.
    pub fn start(&self) -> Time {
        match self {
            Restriction::Daily { start, .. } | Restriction::Weekly { start, .. } => *start,
        }
    }

    /// The day of the week windows start on; `None` for a daily restriction.
    pub fn day(&self) -> Option<DayOfWeek> {
        match self {
            Restriction::Daily { .. } => None,
            Restriction::Weekly { day, .. } => Some(*day),
        }
    }

    pub fn duration_seconds(&self) -> u32 {
        match self {
            Restriction::Daily {
                duration_seconds, ..
            }
            | Restriction::Weekly {
                duration_seconds, ..
            } => *duration_seconds,
        }
    }
}
