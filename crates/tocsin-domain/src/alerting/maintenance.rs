//! Maintenance windows: per-service periods (one-off, or weekly in a time zone) during which the
//! service's alerts are held back, with the next instant the window opens or closes so an engine
//! timer can re-evaluate held alerts.
//!
//! A weekly window starts at a local wall-clock time on the chosen days, in its IANA time zone,
//! so it stays at 22:00 local across daylight saving changes; its duration is elapsed time. A start
//! time that falls in a spring-forward gap moves forward by the gap (02:30 becomes 03:30), and one
//! that occurs twice in a fall-back overlap takes the earlier instant (jiff's "compatible" rule).
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use super::config::Validate;
use crate::error::{Collector, FieldError, ValidationError};
use crate::id::ServiceId;
use crate::values::TimeZoneName;

/// Longest weekly occurrence: one week.
pub const MAX_WEEKLY_DURATION_MINUTES: u32 = 7 * 24 * 60;

/// A day of the week, by its English name in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DayOfWeek {
    pub fn to_weekday(self) -> Weekday {
        match self {
            DayOfWeek::Monday => Weekday::Monday,
            DayOfWeek::Tuesday => Weekday::Tuesday,
            DayOfWeek::Wednesday => Weekday::Wednesday,
            DayOfWeek::Thursday => Weekday::Thursday,
            DayOfWeek::Friday => Weekday::Friday,
            DayOfWeek::Saturday => Weekday::Saturday,
            DayOfWeek::Sunday => Weekday::Sunday,
        }
    }
}

/// When a window is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MaintenanceSchedule {
    /// Once: `starts_at <= at < ends_at`.
    OneOff {
        starts_at: Timestamp,
        ends_at: Timestamp,
    },
    /// Every week on `days`, from local time `start` (e.g. `"22:00"`) in `time_zone`, for
    /// `duration_minutes` of elapsed time.
    Weekly {
        days: Vec<DayOfWeek>,
        start: Time,
        duration_minutes: u32,
        time_zone: TimeZoneName,
    },
}

/// A maintenance window over some services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub services: Vec<ServiceId>,
    #[serde(default)]
    pub description: String,
    pub schedule: MaintenanceSchedule,
}

impl MaintenanceWindow {
    pub fn applies_to(&self, service: ServiceId) -> bool {
        self.services.contains(&service)
    }

    /// Whether the window is in force at `at` (for any of its services).
    pub fn is_active(&self, at: Timestamp) -> bool {
        self.schedule.is_active(at)
    }

    /// Whether alerts of `service` are held at `at`.
    pub fn holds(&self, service: ServiceId, at: Timestamp) -> bool {
        self.applies_to(service) && self.is_active(at)
    }

    pub fn next_change_after(&self, at: Timestamp) -> Option<Timestamp> {
        self.schedule.next_change_after(at)
    }
}

impl MaintenanceSchedule {
    /// Whether the schedule is in force at `at`; starts inclusive, ends exclusive.
    pub fn is_active(&self, at: Timestamp) -> bool {
        match self {
            MaintenanceSchedule::OneOff { starts_at, ends_at } => *starts_at <= at && at < *ends_at,
            MaintenanceSchedule::Weekly { .. } => self
                .weekly_occurrences(at, 8, 0)
                .any(|(start, end)| start <= at && at < end),
        }
    }

    /// The first instant after `at` at which [`is_active`](Self::is_active) changes, or `None`
    /// when it never changes again (a one-off window that is over, or a weekly window that covers
    /// all time).
    pub fn next_change_after(&self, at: Timestamp) -> Option<Timestamp> {
        match self {
            MaintenanceSchedule::OneOff { starts_at, ends_at } => {
                if at < *starts_at {
                    Some(*starts_at)
                } else if at < *ends_at {
                    Some(*ends_at)
                } else {
                    None
                }
            }
            MaintenanceSchedule::Weekly { .. } => {
                // The state only changes at an occurrence's start or end, and is constant between
                // consecutive boundaries; any change shows within two weeks of `at`.
                let active_now = self.is_active(at);
                let mut boundaries: Vec<Timestamp> = self
                    .weekly_occurrences(at, 8, 15)
                    .flat_map(|(start, end)| [start, end])
                    .filter(|boundary| *boundary > at)
                    .collect();
                boundaries.sort();
                boundaries.dedup();
                boundaries
                    .into_iter()
                    .find(|boundary| self.is_active(*boundary) != active_now)
            }
        }
    }

    /// The weekly occurrences `(start, end)` whose local start date lies from `days_before` days
    /// before `at`'s local date to `days_after` days after it. Empty for a one-off schedule.
    fn weekly_occurrences(
        &self,
        at: Timestamp,
        days_before: i64,
        days_after: i64,
    ) -> impl Iterator<Item = (Timestamp, Timestamp)> {
        let mut occurrences = Vec::new();
        if let MaintenanceSchedule::Weekly {
            days,
            start,
            duration_minutes,
            time_zone,
        } = self
            && let Ok(zone) = TimeZone::get(time_zone.as_str())
        {
            let today = zone.to_datetime(at).date();
            let duration = SignedDuration::from_mins(i64::from(*duration_minutes));
            for offset in -days_before..=days_after {
                let Ok(date) = today.checked_add(offset.days()) else {
                    continue;
                };
                if let Some(occurrence) = occurrence_on(date, days, *start, &zone, duration) {
                    occurrences.push(occurrence);
                }
            }
        }
        occurrences.into_iter()
    }
}

fn occurrence_on(
    date: Date,
    days: &[DayOfWeek],
    start: Time,
    zone: &TimeZone,
    duration: SignedDuration,
) -> Option<(Timestamp, Timestamp)> {
    if !days.iter().any(|day| day.to_weekday() == date.weekday()) {
        return None;
    }
    let begins = zone.to_timestamp(date.to_datetime(start)).ok()?;
    let ends = begins.checked_add(duration).ok()?;
    Some((begins, ends))
}

impl Validate for MaintenanceWindow {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.services.is_empty() {
            errors.push(FieldError::new(
                "/services",
                "at least one service is required",
            ));
        }
        for (index, service) in self.services.iter().enumerate() {
            if self
                .services
                .get(..index)
                .is_some_and(|before| before.contains(service))
            {
                errors.push(FieldError::new(
                    format!("/services/{index}"),
                    "duplicate service",
                ));
            }
        }
        if self.description.chars().count() > 1000 {
            errors.push(FieldError::new(
                "/description",
                "must be at most 1000 characters",
            ));
        }
        match &self.schedule {
            MaintenanceSchedule::OneOff { starts_at, ends_at } => {
                if ends_at <= starts_at {
                    errors.push(FieldError::new(
                        "/schedule/ends_at",
                        "must be after starts_at",
                    ));
                }
            }
            MaintenanceSchedule::Weekly {
                days,
                duration_minutes,
                ..
            } => {
                if days.is_empty() {
                    errors.push(FieldError::new(
                        "/schedule/days",
                        "at least one day is required",
                    ));
                }
                for (index, day) in days.iter().enumerate() {
                    if days.get(..index).is_some_and(|before| before.contains(day)) {
                        errors.push(FieldError::new(
                            format!("/schedule/days/{index}"),
                            "duplicate day",
                        ));
                    }
                }
                if *duration_minutes == 0 || *duration_minutes > MAX_WEEKLY_DURATION_MINUTES {
                    errors.push(FieldError::new(
                        "/schedule/duration_minutes",
                        format!("must be from 1 to {MAX_WEEKLY_DURATION_MINUTES} (one week)"),
                    ));
                }
            }
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use serde_json::json;
    use uuid::Uuid;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn weekly(days: &[DayOfWeek], start: &str, minutes: u32, zone: &str) -> MaintenanceSchedule {
        MaintenanceSchedule::Weekly {
            days: days.to_vec(),
            start: start.parse().expect("time"),
            duration_minutes: minutes,
            time_zone: TimeZoneName::parse(zone).expect("zone"),
        }
    }

    use DayOfWeek::*;

    #[test]
    fn a_one_off_window_is_half_open_and_reports_its_edges() {
        let window = MaintenanceSchedule::OneOff {
            starts_at: ts("2026-06-01T22:00:00Z"),
            ends_at: ts("2026-06-02T02:00:00Z"),
        };
        assert!(!window.is_active(ts("2026-06-01T21:59:59Z")));
        assert!(window.is_active(ts("2026-06-01T22:00:00Z")));
        assert!(!window.is_active(ts("2026-06-02T02:00:00Z")));
        assert_eq!(
            window.next_change_after(ts("2026-06-01T12:00:00Z")),
            Some(ts("2026-06-01T22:00:00Z"))
        );
        assert_eq!(
            window.next_change_after(ts("2026-06-01T22:00:00Z")),
            Some(ts("2026-06-02T02:00:00Z"))
        );
        assert_eq!(window.next_change_after(ts("2026-06-02T02:00:00Z")), None);
    }

    #[test]
    fn berlin_weekly_window_keeps_local_time_across_the_spring_change() {
        // Weeknights 22:00-00:00 Berlin; clocks go forward on Sunday 2026-03-29.
        let window = weekly(
            &[Monday, Tuesday, Wednesday, Thursday, Friday],
            "22:00",
            120,
            "Europe/Berlin",
        );
        // Friday 27 March, CET (UTC+1): 21:00Z to 23:00Z.
        assert!(!window.is_active(ts("2026-03-27T20:59:59Z")));
        assert!(window.is_active(ts("2026-03-27T21:00:00Z")));
        assert!(window.is_active(ts("2026-03-27T22:59:59Z")));
        assert!(!window.is_active(ts("2026-03-27T23:00:00Z")));
        // Not on the weekend.
        assert!(!window.is_active(ts("2026-03-28T21:30:00Z")));
        // Monday 30 March, CEST (UTC+2): 20:00Z to 22:00Z.
        assert!(window.is_active(ts("2026-03-30T20:00:00Z")));
        assert!(!window.is_active(ts("2026-03-30T22:00:00Z")));
        // From Friday night's end, the next change is Monday's start, in summer time.
        assert_eq!(
            window.next_change_after(ts("2026-03-27T23:00:00Z")),
            Some(ts("2026-03-30T20:00:00Z"))
        );
        assert_eq!(
            window.next_change_after(ts("2026-03-30T20:00:00Z")),
            Some(ts("2026-03-30T22:00:00Z"))
        );
    }

    #[test]
    fn berlin_fall_back_night_lasts_the_stated_elapsed_time() {
        // Sunday 2026-10-25 01:00 local for 3 hours: 02:00-03:00 happens twice that night, and
        // the window still lasts 3 elapsed hours (00:00Z CEST start, ends 03:00Z).
        let window = weekly(&[Sunday], "01:00", 180, "Europe/Berlin");
        assert!(window.is_active(ts("2026-10-24T23:00:00Z")));
        assert_eq!(
            window.next_change_after(ts("2026-10-24T23:00:00Z")),
            Some(ts("2026-10-25T02:00:00Z"))
        );
        assert_eq!(
            window.next_change_after(ts("2026-10-25T02:00:00Z")),
            Some(ts("2026-11-01T00:00:00Z")),
            "the next Sunday 01:00 is CET (UTC+1)"
        );
    }

    #[test]
    fn new_york_window_across_the_spring_change_and_its_gap() {
        // Daily 09:00 New York for an hour; clocks go forward on Sunday 2026-03-08.
        let every_day = [
            Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
        ];
        let morning = weekly(&every_day, "09:00", 60, "America/New_York");
        assert!(morning.is_active(ts("2026-03-07T14:00:00Z")), "EST, UTC-5");
        assert!(!morning.is_active(ts("2026-03-08T14:00:00Z")));
        assert!(morning.is_active(ts("2026-03-08T13:00:00Z")), "EDT, UTC-4");
        assert_eq!(
            morning.next_change_after(ts("2026-03-07T15:00:00Z")),
            Some(ts("2026-03-08T13:00:00Z"))
        );
        // 02:30 does not exist on 8 March: the window starts at 03:30 EDT (07:30Z) instead.
        let in_gap = weekly(&[Sunday], "02:30", 30, "America/New_York");
        assert_eq!(
            in_gap.next_change_after(ts("2026-03-08T00:00:00Z")),
            Some(ts("2026-03-08T07:30:00Z"))
        );
        // 01:30 happens twice on 1 November: the earlier (EDT, 05:30Z) is used.
        let in_overlap = weekly(&[Sunday], "01:30", 30, "America/New_York");
        assert_eq!(
            in_overlap.next_change_after(ts("2026-11-01T00:00:00Z")),
            Some(ts("2026-11-01T05:30:00Z"))
        );
    }

    #[test]
    fn overnight_and_always_on_weekly_windows() {
        // Saturday 23:00 UTC for 4 hours spills into Sunday.
        let overnight = weekly(&[Saturday], "23:00", 240, "UTC");
        assert!(overnight.is_active(ts("2026-06-07T02:59:00Z")));
        assert!(!overnight.is_active(ts("2026-06-07T03:00:00Z")));
        // Every day for a full day in UTC: always on, nothing ever changes.
        let all_days = [
            Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
        ];
        let always = weekly(&all_days, "00:00", 24 * 60, "UTC");
        assert!(always.is_active(ts("2026-06-07T12:00:00Z")));
        assert_eq!(always.next_change_after(ts("2026-06-07T12:00:00Z")), None);
    }

    #[test]
    fn windows_apply_to_their_services_and_validate_with_pointers() {
        let db = ServiceId(Uuid::from_u128(1));
        let window: MaintenanceWindow = from_json(json!({
            "services": [db],
            "schedule": {
                "kind": "weekly", "days": ["saturday"], "start": "23:00",
                "duration_minutes": 60, "time_zone": "Europe/Berlin"
            }
        }))
        .expect("valid");
        assert!(window.holds(db, ts("2026-06-06T21:30:00Z")));
        assert!(!window.holds(ServiceId(Uuid::from_u128(2)), ts("2026-06-06T21:30:00Z")));
        let error = from_json::<MaintenanceWindow>(json!({
            "services": [],
            "schedule": {
                "kind": "weekly", "days": ["monday", "monday"], "start": "23:00",
                "duration_minutes": 0, "time_zone": "UTC"
            }
        }))
        .expect_err("invalid");
        let pointers: Vec<_> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/services",
                "/schedule/days/1",
                "/schedule/duration_minutes"
            ]
        );
        let bad_zone = from_json::<MaintenanceWindow>(json!({
            "services": [db],
            "schedule": {
                "kind": "weekly", "days": ["monday"], "start": "23:00",
                "duration_minutes": 10, "time_zone": "Mars/Olympus"
            }
        }))
        .expect_err("unknown zone");
        // Inside a tagged schedule, a shape error points at the schedule and names the problem.
        assert_eq!(bad_zone.0[0].pointer, "/schedule");
        assert!(
            bad_zone.0[0].detail.contains("IANA time zone"),
            "{bad_zone}"
        );
        let unknown = from_json::<MaintenanceWindow>(json!({
            "services": [db],
            "schedule": {"kind": "one_off", "starts_at": "2026-06-01T00:00:00Z",
                         "ends_at": "2026-06-01T00:00:00Z", "every": 2}
        }))
        .expect_err("unknown field");
        assert!(unknown.0[0].detail.contains("unknown field"), "{unknown}");
    }
}
