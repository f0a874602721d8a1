//! A rotation's handoffs and turns, found by arithmetic: the turn holding an instant is computed
//! directly from the first handoff (a division for elapsed lengths, a count of local calendar days
//! for day-based ones), never by walking the rotation shift by shift.
//!
//! Handoff `k` of a day-based rotation is the first handoff's local time of day on the local date
//! `k` shift lengths after the first handoff's date. A local time that does not exist that day (a
//! spring-forward gap) moves forward by the length of the gap; one that occurs twice (a fall-back
//! fold) is the earlier instant: jiff's `Disambiguation::Compatible`, as RFC 5545 prescribes.
//! Handoff `k` of an elapsed-length rotation is the first handoff's instant plus `k` lengths.
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Unit};

use super::answer::Turn;
use super::model::{Rotation, ShiftLength};

/// How handoffs follow each other.
#[derive(Debug, Clone, Copy)]
enum Cadence {
    /// Every `nanos` of elapsed time from `anchor`.
    Elapsed { anchor: Timestamp, nanos: i128 },
    /// Every `days` local calendar days from `anchor`, at its time of day.
    Calendar { anchor: DateTime, days: i64 },
}

/// A rotation resolved in its time zone, ready to answer whose turn it is.
#[derive(Debug, Clone)]
pub(crate) struct Handoffs<'a> {
    rotation: &'a Rotation,
    zone: TimeZone,
    cadence: Cadence,
}

impl<'a> Handoffs<'a> {
    /// `None` when the rotation can have no turns: no participants, a zero length, or a time zone
    /// missing from the database. Validation refuses all three, so this only guards stored data.
    pub(crate) fn new(rotation: &'a Rotation) -> Option<Self> {
        if rotation.participants.is_empty() {
            return None;
        }
        let zone = TimeZone::get(rotation.time_zone.as_str()).ok()?;
        let cadence = match rotation.shift {
            ShiftLength::Hours(hours) => elapsed(&zone, rotation, i128::from(hours) * 3600)?,
            ShiftLength::Custom { seconds } => elapsed(&zone, rotation, i128::from(seconds))?,
            ShiftLength::Days(days) => calendar(rotation, i64::from(days))?,
            ShiftLength::Weeks(weeks) => calendar(rotation, i64::from(weeks) * 7)?,
        };
        Some(Self {
            rotation,
            zone,
            cadence,
        })
    }

    pub(crate) fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The instant of handoff `number` (0 is the first handoff).
    pub(crate) fn handoff(&self, number: i64) -> Option<Timestamp> {
        match self.cadence {
            Cadence::Elapsed { anchor, nanos } => {
                let offset = nanos.checked_mul(i128::from(number))?;
                Timestamp::from_nanosecond(anchor.as_nanosecond().checked_add(offset)?).ok()
            }
            Cadence::Calendar { anchor, days } => {
                let span = Span::new().try_days(days.checked_mul(number)?).ok()?;
                let date = anchor.date().checked_add(span).ok()?;
                self.zone.to_timestamp(date.to_datetime(anchor.time())).ok()
            }
        }
    }

    /// The turn holding `at`: the last handoff at or before `at`, until the next one.
    pub(crate) fn turn_at(&self, at: Timestamp) -> Option<Turn> {
        let mut number = self.estimate_turn_number(at)?;
        // The estimate is exact for elapsed lengths and off by at most one or two around a
        // daylight saving change for calendar lengths; handoffs never decrease, so step to it.
        while self.handoff(number)? > at {
            number = number.checked_sub(1)?;
        }
        while self.handoff(number.checked_add(1)?)? <= at {
            number = number.checked_add(1)?;
        }
        self.turn(number)
    }

    /// Every turn of positive length overlapping `[from, to)`, in order.
    pub(crate) fn turns_overlapping(&self, from: Timestamp, to: Timestamp) -> Vec<Turn> {
        let mut turns = Vec::new();
        if from >= to {
            return turns;
        }
        let mut next = self.turn_at(from);
        while let Some(turn) = next {
            if turn.start >= to {
                break;
            }
            if turn.end > turn.start {
                turns.push(turn);
            }
            next = turn
                .number
                .checked_add(1)
                .and_then(|number| self.turn(number));
        }
        turns
    }

    fn turn(&self, number: i64) -> Option<Turn> {
        let count = i64::try_from(self.rotation.participants.len()).ok()?;
        let participant = usize::try_from(number.rem_euclid(count)).ok()?;
        Some(Turn {
            number,
            participant,
            user: *self.rotation.participants.get(participant)?,
            start: self.handoff(number)?,
            end: self.handoff(number.checked_add(1)?)?,
        })
    }

    fn estimate_turn_number(&self, at: Timestamp) -> Option<i64> {
        match self.cadence {
            Cadence::Elapsed { anchor, nanos } => {
                let since = at.as_nanosecond().checked_sub(anchor.as_nanosecond())?;
                i64::try_from(since.div_euclid(nanos)).ok()
            }
            Cadence::Calendar { anchor, days } => {
                let local_date = self.zone.to_datetime(at).date();
                let span = anchor.date().until((Unit::Day, local_date)).ok()?;
                Some(i64::from(span.get_days()).div_euclid(days))
            }
        }
    }
}

fn elapsed(zone: &TimeZone, rotation: &Rotation, seconds: i128) -> Option<Cadence> {
    if seconds <= 0 {
        return None;
    }
    Some(Cadence::Elapsed {
        anchor: zone.to_timestamp(rotation.first_handoff).ok()?,
        nanos: seconds.checked_mul(1_000_000_000)?,
    })
}

fn calendar(rotation: &Rotation, days: i64) -> Option<Cadence> {
    (days > 0).then_some(Cadence::Calendar {
        anchor: rotation.first_handoff,
        days,
    })
}
