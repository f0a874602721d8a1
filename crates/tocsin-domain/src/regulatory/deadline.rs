//! An obligation's clock: the start instants known so far (awareness, discovery, materiality
//! determination, classification) and the deadline an obligation's rule gives from them.
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use super::business_days::HolidayCalendar;
use super::regime::{DeadlineRule, ObligationSpec, StartEvent};

/// The instants an incident's obligations count from, as far as they are known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartInstants {
    pub awareness_at: Option<Timestamp>,
    /// When unset, discovery is the awareness instant.
    pub discovered_at: Option<Timestamp>,
    pub materiality_determined_at: Option<Timestamp>,
    pub classified_at: Option<Timestamp>,
}

impl StartInstants {
    /// The instant `event` happened, if known.
    pub fn of(&self, event: StartEvent) -> Option<Timestamp> {
        match event {
            StartEvent::Awareness => self.awareness_at,
            StartEvent::Discovery => self.discovered_at.or(self.awareness_at),
            StartEvent::MaterialityDetermination => self.materiality_determined_at,
            StartEvent::Classification => self.classified_at,
        }
    }
}

/// Why an obligation has no deadline yet, or cannot have one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("the {} instant is not known yet", .0.as_str())]
    NotStarted(StartEvent),
    #[error("the holiday calendar {0:?} is needed for business days")]
    MissingCalendar(&'static str),
    #[error("the deadline is outside the supported range of dates")]
    OutOfRange,
}

/// An obligation's started clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub started_at: Timestamp,
    pub due_at: Timestamp,
}

fn hours_after(start: Timestamp, hours: u32) -> Result<Timestamp, DeadlineError> {
    start
        .checked_add(SignedDuration::from_hours(i64::from(hours)))
        .map_err(|_| DeadlineError::OutOfRange)
}

/// The clock of `spec` given what is known in `starts`; `calendar` looks up a holiday calendar
/// by name (business-day rules).
pub fn clock_of<'a>(
    spec: &ObligationSpec,
    starts: &StartInstants,
    calendar: impl Fn(&str) -> Option<&'a HolidayCalendar>,
) -> Result<Clock, DeadlineError> {
    let started_at = starts
        .of(spec.starts_at)
        .ok_or(DeadlineError::NotStarted(spec.starts_at))?;
    let due_at = match spec.deadline {
        DeadlineRule::Hours { hours } => hours_after(started_at, hours)?,
        DeadlineRule::CalendarMonths { months } => started_at
            .to_zoned_datetime(TimeZone::UTC)
            .checked_add(i64::from(months).months())
            .map_err(|_| DeadlineError::OutOfRange)?
            .timestamp(),
        DeadlineRule::BusinessDays {
            days,
            calendar: name,
        } => calendar(name)
            .ok_or(DeadlineError::MissingCalendar(name))?
            .business_days_from(started_at, days)
            .map_err(|_| DeadlineError::OutOfRange)?,
        DeadlineRule::EarlierOf {
            hours,
            or_from,
            or_hours,
        } => {
            let own = hours_after(started_at, hours)?;
            match starts.of(or_from) {
                Some(other) => own.min(hours_after(other, or_hours)?),
                None => own,
            }
        }
    };
    Ok(Clock { started_at, due_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regulatory::regime::{Regime, spec};

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an instant")
    }

    fn no_calendar(_: &str) -> Option<&'static HolidayCalendar> {
        None
    }

    fn due(regime: Regime, key: &str, starts: &StartInstants) -> Result<Timestamp, DeadlineError> {
        let spec = spec(regime, key).expect("an obligation");
        clock_of(spec, starts, no_calendar).map(|clock| clock.due_at)
    }

    #[test]
    fn hour_and_month_rules_count_from_their_start() {
        let starts = StartInstants {
            awareness_at: Some(at("2026-01-31T09:00:00Z")),
            ..StartInstants::default()
        };
        assert_eq!(
            due(Regime::GdprArt33, "notification", &starts),
            Ok(at("2026-02-03T09:00:00Z"))
        );
        assert_eq!(
            due(Regime::Nis2, "early_warning", &starts),
            Ok(at("2026-02-01T09:00:00Z"))
        );
        // one month after Jan 31 is the month's last day
        assert_eq!(
            due(Regime::Nis2, "final_report", &starts),
            Ok(at("2026-02-28T09:00:00Z"))
        );
        // HIPAA: 60 days from discovery, which is awareness unless set apart
        assert_eq!(
            due(Regime::HipaaBreach, "notification", &starts),
            Ok(at("2026-04-01T09:00:00Z"))
        );
        let discovered = StartInstants {
            discovered_at: Some(at("2026-01-30T09:00:00Z")),
            ..starts
        };
        assert_eq!(
            due(Regime::HipaaBreach, "notification", &discovered),
            Ok(at("2026-03-31T09:00:00Z"))
        );
    }

    #[test]
    fn dora_initial_is_four_hours_after_classification_but_at_most_a_day_after_awareness() {
        let early = StartInstants {
            awareness_at: Some(at("2026-03-02T08:00:00Z")),
            classified_at: Some(at("2026-03-02T10:00:00Z")),
            ..StartInstants::default()
        };
        assert_eq!(
            due(Regime::Dora, "initial_notification", &early),
            Ok(at("2026-03-02T14:00:00Z"))
        );
        let late = StartInstants {
            classified_at: Some(at("2026-03-03T06:00:00Z")),
            ..early
        };
        assert_eq!(
            due(Regime::Dora, "initial_notification", &late),
            Ok(at("2026-03-03T08:00:00Z"))
        );
        assert_eq!(
            due(Regime::Dora, "intermediate_report", &late),
            Ok(at("2026-03-06T06:00:00Z"))
        );
    }

    #[test]
    fn an_unknown_start_or_a_missing_calendar_gives_no_deadline() {
        let starts = StartInstants {
            awareness_at: Some(at("2026-03-02T08:00:00Z")),
            ..StartInstants::default()
        };
        assert_eq!(
            due(Regime::Dora, "initial_notification", &starts),
            Err(DeadlineError::NotStarted(StartEvent::Classification))
        );
        let determined = StartInstants {
            materiality_determined_at: Some(at("2026-03-02T08:00:00Z")),
            ..starts
        };
        assert_eq!(
            due(Regime::Sec8kItem105, "form_8k", &determined),
            Err(DeadlineError::MissingCalendar("us-federal"))
        );
    }
}
