//! Quiet hours: a daily window in the person's time zone (on chosen weekdays) during which
//! low-urgency notifications wait. A window may cross midnight (22:00-07:00 starting Monday ends
//! Tuesday 07:00); its weekday is the day it starts. Local times are resolved in the zone with
//! jiff: a start or end in a skipped hour is the first valid instant after the gap (when the clock
//! jumps), and a time in a repeated hour means its first occurrence.
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// A set of weekdays, as a bit mask (bit 0 Monday ... bit 6 Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

/// The short names used in the API, Monday first.
pub const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Weekdays {
    pub const ALL: Weekdays = Weekdays(0x7f);

    /// From the stored mask; bits beyond Sunday are dropped.
    pub fn from_mask(mask: u8) -> Self {
        Self(mask & 0x7f)
    }

    pub fn mask(self) -> u8 {
        self.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    pub fn with(self, day: Weekday) -> Self {
        Self(self.0 | (1 << day.to_monday_zero_offset()))
    }

    /// Parses names like `mon`, `tuesday` (any case).
    pub fn parse_names<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut days = Self::default();
        for name in names {
            let lower = name.as_ref().trim().to_ascii_lowercase();
            let index = WEEKDAY_NAMES
                .iter()
                .position(|short| lower.len() >= 3 && lower.starts_with(short))
                .ok_or_else(|| format!("{} is not a weekday (mon ... sun)", name.as_ref()))?;
            days = Self(days.0 | (1 << index));
        }
        Ok(days)
    }

    /// The short names of the days in the set, Monday first.
    pub fn names(self) -> Vec<&'static str> {
        (0..7)
            .filter(|bit| self.0 & (1 << bit) != 0)
            .map(|bit| WEEKDAY_NAMES[bit])
            .collect()
    }
}

/// Why quiet hours were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuietHoursError {
    #[error("start and end must differ")]
    Empty,
    #[error("at least one weekday is needed")]
    NoDays,
}

/// A person's quiet hours. Applies to low urgency only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "QuietHoursParts", into = "QuietHoursParts")]
pub struct QuietHours {
    start: Time,
    end: Time,
    days: Weekdays,
}

#[derive(Serialize, Deserialize)]
struct QuietHoursParts {
    start: Time,
    end: Time,
    days: u8,
}

impl TryFrom<QuietHoursParts> for QuietHours {
    type Error = QuietHoursError;
    fn try_from(parts: QuietHoursParts) -> Result<Self, Self::Error> {
        Self::new(parts.start, parts.end, Weekdays::from_mask(parts.days))
    }
}

impl From<QuietHours> for QuietHoursParts {
    fn from(q: QuietHours) -> Self {
        Self {
            start: q.start,
            end: q.end,
            days: q.days.mask(),
        }
    }
}

impl QuietHours {
    /// Refuses `start == end` (a window of nothing or of everything) and an empty set of days.
    pub fn new(start: Time, end: Time, days: Weekdays) -> Result<Self, QuietHoursError> {
        if start == end {
            return Err(QuietHoursError::Empty);
        }
        if days.is_empty() {
            return Err(QuietHoursError::NoDays);
        }
        Ok(Self { start, end, days })
    }

    pub fn start(&self) -> Time {
        self.start
    }

    pub fn end(&self) -> Time {
        self.end
    }

    pub fn days(&self) -> Weekdays {
        self.days
    }

    /// Whether the window ends the day after it starts.
    pub fn crosses_midnight(&self) -> bool {
        self.end < self.start
    }

    /// The window starting on local date `day`, as instants `[start, end)`, when `day` is one of
    /// the chosen weekdays.
    pub fn window_starting_on(&self, day: Date, zone: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        if !self.days.contains(day.weekday()) {
            return None;
        }
        let end_day = if self.crosses_midnight() {
            day.checked_add(1.day()).ok()?
        } else {
            day
        };
        let start = local_instant(day, self.start, zone)?;
        let end = local_instant(end_day, self.end, zone)?;
        (start < end).then_some((start, end))
    }

    /// When `at` falls inside a quiet window, the instant that window ends.
    pub fn window_end_containing(&self, at: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
        let today = zone.to_datetime(at).date();
        let yesterday = today.checked_sub(1.day()).ok()?;
        [yesterday, today]
            .into_iter()
            .filter_map(|day| self.window_starting_on(day, zone))
            .find(|(start, end)| *start <= at && at < *end)
            .map(|(_, end)| end)
    }

    /// The first instant at or after `at` outside every quiet window.
    pub fn next_outside(&self, at: Timestamp, zone: &TimeZone) -> Timestamp {
        let mut at = at;
        // Windows never overlap each other by more than a DST shift; a few steps always settle.
        for _ in 0..8 {
            match self.window_end_containing(at, zone) {
                Some(end) => at = end,
                None => break,
            }
        }
        at
    }
}

/// A local time as an instant: a time in a skipped hour is the first valid instant after the gap;
/// a repeated time its first occurrence.
fn local_instant(day: Date, time: Time, zone: &TimeZone) -> Option<Timestamp> {
    let local = day.to_datetime(time);
    let ambiguous = zone.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the offset after the gap, the time lands before the transition; the
            // transition that follows is where the clock jumps.
            let before_jump = after.to_timestamp(local).ok()?;
            zone.following(before_jump).next().map(|t| t.timestamp())
        }
        _ => ambiguous.compatible().ok(),
    }
}
