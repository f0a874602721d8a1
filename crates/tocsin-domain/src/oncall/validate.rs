//! The rules a schedule must follow beyond its shape, each broken rule reported under the JSON
//! pointer of its field (`/layers/0/rotation/participants`).
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::model::{Layer, Restriction, Rotation, Schedule, ShiftLength, TemporarySchedule};
use crate::alerting::config::Validate;
use crate::error::{Collector, FieldError, ValidationError};
use crate::values::Name;

/// Bounds on a schedule, so one schedule cannot make the calculator's work unbounded.
pub mod limits {
    pub const MAX_LAYERS: usize = 50;
    pub const MAX_PARTICIPANTS: usize = 500;
    pub const MAX_RESTRICTIONS: usize = 100;
    pub const MAX_OVERRIDES: usize = 10_000;
    pub const MAX_TEMPORARY_SCHEDULES: usize = 100;
    pub const MAX_TEMPORARY_SHIFTS: usize = 1_000;
    /// The shortest shift: one minute.
    pub const MIN_SHIFT_SECONDS: u64 = 60;
    /// The longest shift: 365 days (in hours, days, weeks or seconds).
    pub const MAX_SHIFT_DAYS: u64 = 365;
}

impl Validate for Schedule {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        let layers = limits::MAX_LAYERS;
        check_each(&mut errors, "/layers", &self.layers, layers, check_layer);
        let overrides = limits::MAX_OVERRIDES;
        check_each(
            &mut errors,
            "/overrides",
            &self.overrides,
            overrides,
            |errors, pointer, over| {
                ends_after_start(errors, pointer, over.start, over.end);
            },
        );
        let temporary = limits::MAX_TEMPORARY_SCHEDULES;
        check_each(
            &mut errors,
            "/temporary",
            &self.temporary,
            temporary,
            check_temporary,
        );
        for (index, temporary) in self.temporary.iter().enumerate() {
            let earlier = self.temporary.get(..index).unwrap_or_default();
            if let Some(other) = earlier
                .iter()
                .position(|other| other.start < temporary.end && temporary.start < other.end)
            {
                errors.push(FieldError::new(
                    format!("/temporary/{index}"),
                    format!("overlaps temporary schedule {other}"),
                ));
            }
        }
        errors.finish()
    }
}

/// Refuses more than `most` items in the list at `pointer`, and checks each item under its own
/// pointer (`/layers/2`).
fn check_each<T>(
    errors: &mut Collector,
    pointer: &str,
    items: &[T],
    most: usize,
    check: impl Fn(&mut Collector, &str, &T),
) {
    if items.len() > most {
        errors.push(FieldError::new(pointer, format!("at most {most} allowed")));
    }
    for (index, item) in items.iter().enumerate() {
        check(errors, &format!("{pointer}/{index}"), item);
    }
}

fn check_layer(errors: &mut Collector, pointer: &str, layer: &Layer) {
    errors.take(&format!("{pointer}/name"), Name::parse(&layer.name));
    check_rotation(errors, &format!("{pointer}/rotation"), &layer.rotation);
    if let Some(ends_at) = layer.ends_at
        && ends_at <= layer.starts_at
    {
        errors.push(FieldError::new(
            format!("{pointer}/ends_at"),
            "must be after starts_at",
        ));
    }
    let restrictions = &layer.restrictions;
    let most = limits::MAX_RESTRICTIONS;
    let pointer = format!("{pointer}/restrictions");
    check_each(errors, &pointer, restrictions, most, check_restriction);
}

fn check_rotation(errors: &mut Collector, pointer: &str, rotation: &Rotation) {
    let participants = format!("{pointer}/participants");
    if rotation.participants.is_empty() {
        errors.push(FieldError::new(
            participants,
            "at least one participant is required",
        ));
    } else if rotation.participants.len() > limits::MAX_PARTICIPANTS {
        let most = limits::MAX_PARTICIPANTS;
        errors.push(FieldError::new(
            participants,
            format!("at most {most} allowed"),
        ));
    }
    let (field, seconds) = match rotation.shift {
        ShiftLength::Hours(hours) => ("hours", u64::from(hours) * 3600),
        ShiftLength::Days(days) => ("days", u64::from(days) * 86_400),
        ShiftLength::Weeks(weeks) => ("weeks", u64::from(weeks) * 7 * 86_400),
        ShiftLength::Custom { seconds } => ("custom/seconds", seconds),
    };
    if !(limits::MIN_SHIFT_SECONDS..=limits::MAX_SHIFT_DAYS * 86_400).contains(&seconds) {
        errors.push(FieldError::new(
            format!("{pointer}/shift/{field}"),
            format!(
                "the shift must last from one minute to {} days",
                limits::MAX_SHIFT_DAYS
            ),
        ));
    }
    if let Ok(zone) = TimeZone::get(rotation.time_zone.as_str())
        && zone.to_timestamp(rotation.first_handoff).is_err()
    {
        errors.push(FieldError::new(
            format!("{pointer}/first_handoff"),
            "is outside the supported range of dates",
        ));
    }
}

fn check_restriction(errors: &mut Collector, pointer: &str, restriction: &Restriction) {
    let duration = restriction.duration_seconds();
    let period = restriction.period_seconds();
    if duration == 0 || duration > period {
        let what = match restriction {
            Restriction::Daily { .. } => "a day",
            Restriction::Weekly { .. } => "a week",
        };
        errors.push(FieldError::new(
            format!("{pointer}/duration_seconds"),
            format!("must be from 1 second to {what} ({period} seconds)"),
        ));
    }
}

fn check_temporary(errors: &mut Collector, pointer: &str, temporary: &TemporarySchedule) {
    ends_after_start(errors, pointer, temporary.start, temporary.end);
    let shifts = format!("{pointer}/shifts");
    let most = limits::MAX_TEMPORARY_SHIFTS;
    check_each(
        errors,
        &shifts,
        &temporary.shifts,
        most,
        |errors, pointer, shift| {
            ends_after_start(errors, pointer, shift.start, shift.end);
            if shift.start < temporary.start || shift.end > temporary.end {
                errors.push(FieldError::new(
                    pointer,
                    "must lie inside the temporary schedule's start and end",
                ));
            }
        },
    );
}

fn ends_after_start(errors: &mut Collector, pointer: &str, start: Timestamp, end: Timestamp) {
    if end <= start {
        errors.push(FieldError::new(
            format!("{pointer}/end"),
            "must be after start",
        ));
    }
}
