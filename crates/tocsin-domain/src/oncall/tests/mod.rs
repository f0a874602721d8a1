//! Tests of the on-call calculator: named daylight saving and stacking cases, validation,
//! iCalendar output, and property tests against a deliberately simple brute-force oracle.
mod daylight_saving;
mod handoff;
mod icalendar;
mod oracle;
mod properties;
mod scenarios;
mod stacking;
mod strategies;
mod validation;

use jiff::civil::{DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use super::{Layer, LayerMode, Rotation, Schedule, ShiftLength};
use crate::id::UserId;
use crate::values::TimeZoneName;

pub(super) const NEW_YORK: &str = "America/New_York";

pub(super) fn nine() -> Time {
    Time::constant(9, 0, 0, 0)
}

pub(super) fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// A local date-time in `zone`, as an instant (`"2026-03-09T09:00"`).
pub(super) fn local(text: &str, zone: &str) -> Timestamp {
    let civil: DateTime = text.parse().expect("civil date-time");
    zone_of(zone).to_timestamp(civil).expect("in range")
}

pub(super) fn zone_of(name: &str) -> TimeZone {
    TimeZone::get(name).expect("known zone")
}

pub(super) fn user(number: u128) -> UserId {
    UserId(Uuid::from_u128(number))
}

pub(super) fn hours(count: i64) -> SignedDuration {
    SignedDuration::from_hours(count)
}

pub(super) fn rotation(
    participants: &[UserId],
    shift: ShiftLength,
    first_handoff: &str,
    zone: &str,
) -> Rotation {
    Rotation {
        participants: participants.to_vec(),
        shift,
        first_handoff: first_handoff.parse().expect("civil date-time"),
        time_zone: TimeZoneName::parse(zone).expect("known zone"),
    }
}

/// An unrestricted layer that replaces the layers below, active from 2000 on.
pub(super) fn layer(name: &str, rotation: Rotation) -> Layer {
    Layer {
        name: name.to_owned(),
        rotation,
        restrictions: Vec::new(),
        mode: LayerMode::Replace,
        starts_at: ts("2000-01-01T00:00:00Z"),
        ends_at: None,
    }
}

pub(super) fn schedule(layers: Vec<Layer>) -> Schedule {
    Schedule {
        time_zone: TimeZoneName::utc(),
        layers,
        overrides: Vec::new(),
        temporary: Vec::new(),
    }
}
