//! Times on the on-call pages: instants shown and typed in a schedule's (or the viewer's) time
//! zone, `datetime-local` form values, and the window of days a schedule's timeline shows.
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::error::ApiError;

/// The most weeks a timeline shows at once, and the default.
pub const MOST_WEEKS: i64 = 6;
pub const DEFAULT_WEEKS: i64 = 2;

/// `at` for people to read in `tz`: `Sat 28 Nov 09:00`.
pub fn show(at: Timestamp, tz: &TimeZone) -> String {
    tz.to_datetime(at).strftime("%a %-d %b %H:%M").to_string()
}

/// `at` as a `datetime-local` value in `tz`: `2026-11-28T09:00`.
pub fn local_input(at: Timestamp, tz: &TimeZone) -> String {
    tz.to_datetime(at).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// A typed instant: a local date and time in `tz` (`2026-11-28T09:00`, seconds optional; a time
/// skipped by a daylight saving change moves forward) or an RFC 3339 instant. The error says what
/// to type.
pub fn parse_local(raw: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is required: a date and time such as 2026-11-28T09:00".to_owned());
    }
    if let Ok(at) = raw.parse::<Timestamp>() {
        return Ok(at);
    }
    raw.parse::<DateTime>()
        .ok()
        .and_then(|local| tz.to_timestamp(local).ok())
        .ok_or_else(|| "must be a date and time such as 2026-11-28T09:00".to_owned())
}

/// The local date of `at` in `tz`.
pub fn date_of(at: Timestamp, tz: &TimeZone) -> Date {
    tz.to_datetime(at).date()
}

/// The instant local day `date` starts in `tz`.
pub fn start_of_day(date: Date, tz: &TimeZone) -> Result<Timestamp, ApiError> {
    tz.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|_| ApiError::parameter("from", "is outside the supported range of dates"))
}

/// The days a timeline shows: whole local days from `first_day`, `weeks` weeks of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub first_day: Date,
    pub weeks: i64,
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Window {
    /// `?from=` (a date, default `today`) and `?weeks=` (1 to 6, default 2) in `tz`; a bad one is
    /// a 400 naming the parameter.
    pub fn parse(
        from: Option<&str>,
        weeks: Option<&str>,
        today: Date,
        tz: &TimeZone,
    ) -> Result<Self, ApiError> {
        let first_day = match from.map(str::trim).filter(|raw| !raw.is_empty()) {
            None => today,
            Some(raw) => raw
                .parse::<Date>()
                .map_err(|_| ApiError::parameter("from", "must be a date such as 2026-11-28"))?,
        };
        let weeks = match weeks.map(str::trim).filter(|raw| !raw.is_empty()) {
            None => DEFAULT_WEEKS,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MOST_WEEKS).contains(n))
                .ok_or_else(|| {
                    ApiError::parameter(
                        "weeks",
                        format!("must be a whole number of weeks from 1 to {MOST_WEEKS}"),
                    )
                })?,
        };
        let last = first_day
            .checked_add(jiff::Span::new().days(weeks * 7))
            .map_err(|_| ApiError::parameter("from", "is outside the supported range of dates"))?;
        Ok(Self {
            first_day,
            weeks,
            from: start_of_day(first_day, tz)?,
            to: start_of_day(last, tz)?,
        })
    }

    /// Every local day of the window, in order.
    pub fn days(&self) -> Vec<Date> {
        (0..self.weeks * 7)
            .filter_map(|n| self.first_day.checked_add(jiff::Span::new().days(n)).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::clock::zone_named as zone;

    fn berlin() -> TimeZone {
        zone("Europe/Berlin")
    }

    #[test]
    fn local_times_are_read_in_the_zone_and_instants_as_they_are() {
        let at = parse_local("2026-11-28T09:00", &berlin()).expect("valid");
        assert_eq!(at.to_string(), "2026-11-28T08:00:00Z");
        let at = parse_local(" 2026-07-01T09:00:30 ", &berlin()).expect("valid");
        assert_eq!(at.to_string(), "2026-07-01T07:00:30Z");
        let at = parse_local("2026-11-28T09:00:00Z", &berlin()).expect("valid");
        assert_eq!(at.to_string(), "2026-11-28T09:00:00Z");
        // 02:30 does not exist on 29 March 2026 in Berlin: it moves forward by the gap.
        let at = parse_local("2026-03-29T02:30", &berlin()).expect("valid");
        assert_eq!(at.to_string(), "2026-03-29T01:30:00Z");
        assert!(parse_local("tomorrow", &berlin()).is_err());
        assert!(
            parse_local("", &berlin())
                .expect_err("empty")
                .contains("required")
        );
    }

    #[test]
    fn instants_are_shown_and_prefilled_in_the_zone() {
        let at: Timestamp = "2026-11-28T08:05:00Z".parse().expect("valid");
        assert_eq!(show(at, &berlin()), "Sat 28 Nov 09:05");
        assert_eq!(local_input(at, &berlin()), "2026-11-28T09:05");
        assert_eq!(zone("Mars/Base").iana_name(), Some("UTC"));
    }

    #[test]
    fn the_window_is_whole_local_days_and_refuses_bad_parameters() {
        let today: Date = "2026-11-27".parse().expect("valid");
        let window = Window::parse(None, None, today, &berlin()).expect("defaults");
        assert_eq!(window.from.to_string(), "2026-11-26T23:00:00Z");
        assert_eq!(window.to.to_string(), "2026-12-10T23:00:00Z");
        assert_eq!(window.days().len(), 14);
        // Across the October change a day is 25 hours: the window still ends at local midnight.
        let window = Window::parse(Some("2026-10-20"), Some("1"), today, &berlin()).expect("ok");
        assert_eq!(window.to.to_string(), "2026-10-26T23:00:00Z");
        for (from, weeks, field) in [
            (Some("next week"), None, "/from"),
            (None, Some("7"), "/weeks"),
            (None, Some("0"), "/weeks"),
            (None, Some("two"), "/weeks"),
        ] {
            let refused = Window::parse(from, weeks, today, &berlin()).expect_err("refused");
            assert_eq!(refused.errors[0].pointer, field);
        }
    }
}
