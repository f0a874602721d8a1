//! Business days: a named holiday calendar (a time zone and its closed dates) and "N business
//! days from instant T": the deadline is the end of the N-th business day after T's local date
//! (the midnight that follows it, in the calendar's time zone), weekends and holidays skipped.
use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Bounds on a calendar.
pub mod limits {
    /// The most holidays one calendar holds.
    pub const MAX_HOLIDAYS: usize = 1000;
    /// The most business days a deadline counts.
    pub const MAX_BUSINESS_DAYS: u32 = 366;
}

/// A named calendar of days on which business-day clocks do not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    pub name: String,
    pub time_zone: TimeZone,
    pub holidays: BTreeSet<Date>,
}

/// Why a business-day deadline cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessDayError {
    #[error("a business-day deadline counts 1 to {max} days", max = limits::MAX_BUSINESS_DAYS)]
    DaysOutOfRange,
    #[error("the deadline is outside the supported range of dates")]
    OutOfRange,
}

impl HolidayCalendar {
    /// Whether `date` is a business day: not a Saturday, Sunday or holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }

    /// The `days`-th business day after `start`'s local date (the start's own date never
    /// counts, whatever the hour).
    pub fn nth_business_day_after(
        &self,
        start: Timestamp,
        days: u32,
    ) -> Result<Date, BusinessDayError> {
        if days == 0 || days > limits::MAX_BUSINESS_DAYS {
            return Err(BusinessDayError::DaysOutOfRange);
        }
        let mut date = self.time_zone.to_datetime(start).date();
        let mut counted = 0;
        while counted < days {
            date = date.tomorrow().map_err(|_| BusinessDayError::OutOfRange)?;
            if self.is_business_day(date) {
                counted += 1;
            }
        }
        Ok(date)
    }

    /// The deadline `days` business days from `start`: the end of the `days`-th business day
    /// (the first instant of the following day in the calendar's time zone).
    pub fn business_days_from(
        &self,
        start: Timestamp,
        days: u32,
    ) -> Result<Timestamp, BusinessDayError> {
        let last = self.nth_business_day_after(start, days)?;
        let next = last
            .checked_add(1.day())
            .map_err(|_| BusinessDayError::OutOfRange)?;
        self.time_zone
            .to_timestamp(next.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|_| BusinessDayError::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn us_federal_2026() -> HolidayCalendar {
        HolidayCalendar {
            name: "us-federal".into(),
            time_zone: TimeZone::get("America/New_York").expect("a zone"),
            holidays: [date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1)]
                .into_iter()
                .collect(),
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an instant")
    }

    #[test]
    fn four_business_days_from_the_wednesday_before_thanksgiving_end_on_wednesday() {
        let calendar = us_federal_2026();
        // Wed Nov 25, 10:00 Eastern: Thu 26 is Thanksgiving; Fri 27, Mon 30, Tue 1, Wed 2.
        let start = at("2026-11-25T15:00:00Z");
        assert_eq!(
            calendar.nth_business_day_after(start, 4),
            Ok(date(2026, 12, 2))
        );
        // The end of Wed Dec 2 Eastern (EST, UTC-5) is Thu Dec 3 05:00 UTC.
        assert_eq!(
            calendar.business_days_from(start, 4),
            Ok(at("2026-12-03T05:00:00Z"))
        );
    }

    #[test]
    fn the_local_date_decides_not_the_utc_date() {
        let calendar = us_federal_2026();
        // Fri Nov 27 02:00 UTC is still Thursday (Thanksgiving) evening in New York.
        let start = at("2026-11-27T02:00:00Z");
        assert_eq!(
            calendar.nth_business_day_after(start, 1),
            Ok(date(2026, 11, 27))
        );
    }

    #[test]
    fn weekends_are_skipped() {
        let calendar = us_federal_2026();
        // Fri Nov 13: Mon 16 is the first business day, Tue 17 the second.
        let start = at("2026-11-13T20:00:00Z");
        assert_eq!(
            calendar.nth_business_day_after(start, 2),
            Ok(date(2026, 11, 17))
        );
        // Over Christmas and New Year: Thu Dec 24 -> Mon 28, Tue 29, Wed 30, Thu 31, Mon Jan 4.
        let start = at("2026-12-24T15:00:00Z");
        assert_eq!(
            calendar.nth_business_day_after(start, 5),
            Ok(date(2027, 1, 4))
        );
    }

    #[test]
    fn zero_or_too_many_days_are_refused() {
        let calendar = us_federal_2026();
        let start = at("2026-11-25T15:00:00Z");
        assert_eq!(
            calendar.business_days_from(start, 0),
            Err(BusinessDayError::DaysOutOfRange)
        );
        assert_eq!(
            calendar.business_days_from(start, 367),
            Err(BusinessDayError::DaysOutOfRange)
        );
    }

    fn calendar_with(holidays: Vec<i64>) -> HolidayCalendar {
        let base = date(2026, 1, 1);
        HolidayCalendar {
            name: "generated".into(),
            time_zone: TimeZone::get("America/New_York").expect("a zone"),
            holidays: holidays
                .into_iter()
                .filter_map(|offset| base.checked_add(offset.days()).ok())
                .collect(),
        }
    }

    proptest! {
        #[test]
        fn the_deadline_ends_a_business_day_at_least_n_calendar_days_later(
            start_seconds in 1_767_225_600_i64..1_830_297_600,
            days in 1_u32..30,
            holidays in proptest::collection::vec(0_i64..800, 0..60),
        ) {
            let calendar = calendar_with(holidays);
            let start = Timestamp::from_second(start_seconds).expect("an instant");
            let due = calendar.business_days_from(start, days).expect("a deadline");
            let last_day = calendar.nth_business_day_after(start, days).expect("a day");
            prop_assert!(calendar.is_business_day(last_day));
            prop_assert!(!calendar.holidays.contains(&last_day));
            prop_assert!(!matches!(last_day.weekday(), Weekday::Saturday | Weekday::Sunday));
            // the deadline is the instant that day ends
            let zone = calendar.time_zone.clone();
            let just_before = due.checked_sub(jiff::SignedDuration::from_micros(1)).expect("an instant");
            prop_assert_eq!(zone.to_datetime(just_before).date(), last_day);
            prop_assert_eq!(zone.to_datetime(due).time(), jiff::civil::time(0, 0, 0, 0));
            let min = start.checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days))).expect("an instant");
            prop_assert!(due >= min, "{due} is before {min}");
        }
    }
}
