//! Status-update cadence: how often an open incident owes its audience a status update (per
//! priority, from the cadence policy), when the next one is due, when its reminder goes out, and
//! the compliance record of the updates posted (on time, late by how long, intervals missed).
//! Updates stay required even when nothing changed: a missed interval starts the next one at its
//! due instant.
use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::alerting::Validate;
use crate::error::{FieldError, ValidationError};
use crate::id::UserId;
use crate::priority::Priority;

/// The longest interval, window or reminder lead accepted: 30 days, in minutes.
pub const MAX_MINUTES: i64 = 30 * 24 * 60;
/// The most management levels a policy may name.
pub const MAX_LEVELS: usize = 10;

/// One management level escalated to when an incident stays unresolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementLevel {
    pub name: String,
    pub user_ids: Vec<UserId>,
}

/// The organisation's cadence policy: status-update intervals and escalation windows per
/// priority (a priority not listed has none), the reminder lead, and the management levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CadencePolicy {
    /// Per priority (`P1`..`P5`), minutes between status updates.
    pub status_update_minutes: BTreeMap<String, i64>,
    /// How long before an update is due its reminder goes out.
    pub reminder_minutes_before: i64,
    /// Per priority, minutes an incident may stay unresolved before the next management level.
    pub escalation_window_minutes: BTreeMap<String, i64>,
    /// Level k (1-based) is escalated to k windows after opening (justified delays excepted).
    pub management_levels: Vec<ManagementLevel>,
}

impl Default for CadencePolicy {
    fn default() -> Self {
        Self {
            status_update_minutes: BTreeMap::from([
                ("P1".to_owned(), 30),
                ("P2".to_owned(), 60),
                ("P3".to_owned(), 240),
            ]),
            reminder_minutes_before: 5,
            escalation_window_minutes: BTreeMap::from([
                ("P1".to_owned(), 120),
                ("P2".to_owned(), 480),
            ]),
            management_levels: Vec::new(),
        }
    }
}

fn parse_priority(text: &str) -> Option<Priority> {
    Priority::ALL.into_iter().find(|p| p.as_str() == text)
}

fn minutes_errors(field: &str, per_priority: &BTreeMap<String, i64>, errors: &mut Vec<FieldError>) {
    for (priority, minutes) in per_priority {
        let pointer = format!("/{field}/{priority}");
        if parse_priority(priority).is_none() {
            errors.push(FieldError::new(pointer, "unknown priority: use P1 to P5"));
        } else if !(1..=MAX_MINUTES).contains(minutes) {
            errors.push(FieldError::new(
                pointer,
                format!("must be 1 to {MAX_MINUTES} minutes"),
            ));
        }
    }
}

impl Validate for CadencePolicy {
    /// Every bad field, named (whether the users exist is checked where they are stored).
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        minutes_errors(
            "status_update_minutes",
            &self.status_update_minutes,
            &mut errors,
        );
        minutes_errors(
            "escalation_window_minutes",
            &self.escalation_window_minutes,
            &mut errors,
        );
        if !(1..=MAX_MINUTES).contains(&self.reminder_minutes_before) {
            errors.push(FieldError::new(
                "/reminder_minutes_before",
                format!("must be 1 to {MAX_MINUTES} minutes"),
            ));
        }
        if self.management_levels.len() > MAX_LEVELS {
            errors.push(FieldError::new(
                "/management_levels",
                format!("at most {MAX_LEVELS} levels"),
            ));
        }
        for (index, level) in self.management_levels.iter().enumerate() {
            if level.name.trim().is_empty() || level.name.len() > 200 {
                errors.push(FieldError::new(
                    format!("/management_levels/{index}/name"),
                    "must be 1 to 200 characters",
                ));
            }
            if level.user_ids.is_empty() {
                errors.push(FieldError::new(
                    format!("/management_levels/{index}/user_ids"),
                    "must name at least one user",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError(errors))
        }
    }
}

impl CadencePolicy {
    /// The interval between status updates at `priority`, if it has one.
    pub fn interval(&self, priority: Option<Priority>) -> Option<SignedDuration> {
        minutes_at(&self.status_update_minutes, priority)
    }

    /// The escalation window at `priority`, if it has one.
    pub fn window(&self, priority: Option<Priority>) -> Option<SignedDuration> {
        minutes_at(&self.escalation_window_minutes, priority)
    }

    pub fn reminder_lead(&self) -> SignedDuration {
        SignedDuration::from_mins(self.reminder_minutes_before)
    }
}

fn minutes_at(
    per_priority: &BTreeMap<String, i64>,
    priority: Option<Priority>,
) -> Option<SignedDuration> {
    let minutes = *per_priority.get(priority?.as_str())?;
    (minutes > 0).then(|| SignedDuration::from_mins(minutes))
}

/// What the cadence is computed from.
#[derive(Debug, Clone, Copy)]
pub struct CadenceFacts<'a> {
    /// The priority in force from each instant on, oldest first (none before the first).
    pub priorities: &'a [(Timestamp, Option<Priority>)],
    /// When each status update was posted, oldest first.
    pub updates: &'a [Timestamp],
}

/// How one status update kept the cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateRecord {
    pub at: Timestamp,
    /// The instant it was owed by (the first missed one when late); none when none was owed.
    pub due_at: Option<Timestamp>,
    pub on_time: bool,
    /// 0 when on time.
    pub late_by_seconds: i64,
}

/// The cadence of an incident at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cadence {
    pub interval: Option<SignedDuration>,
    pub last_update_at: Option<Timestamp>,
    /// When the next update is due (none: the priority has no cadence).
    pub next_due_at: Option<Timestamp>,
    /// When the reminder for `next_due_at` goes out.
    pub reminder_at: Option<Timestamp>,
    /// The latest due instant that passed without an update, if any.
    pub last_missed_at: Option<Timestamp>,
    /// The first due instant not met since the last update (the update owed is late since).
    pub overdue_since: Option<Timestamp>,
    pub updates: Vec<UpdateRecord>,
    pub missed_intervals: u32,
}

impl Cadence {
    /// Percent (rounded down) of the intervals due so far met by an update on time; none before
    /// any was due.
    pub fn on_time_percent(&self) -> Option<u32> {
        let on_time = u32::try_from(
            self.updates
                .iter()
                .filter(|u| u.on_time && u.due_at.is_some())
                .count(),
        )
        .unwrap_or(u32::MAX);
        let total = on_time.saturating_add(self.missed_intervals);
        (total > 0).then(|| on_time.saturating_mul(100) / total)
    }
}

enum Fact {
    Priority(Option<Priority>),
    Update,
}

/// Walks the timeline: due instants come `interval` after the last update (or the start of the
/// cadence); a due instant passed without an update counts one missed interval and the next
/// starts from it; an update at the due instant is on time. A priority change to one with a
/// cadence owes an update at the earlier of the one already owed and the new interval from the
/// change; to one without, nothing.
struct Walk<'p> {
    policy: &'p CadencePolicy,
    cadence: Cadence,
    /// When the interval of `next_due_at` started.
    since: Option<Timestamp>,
}

impl Walk<'_> {
    /// Counts the due instants before `bound` (or at it when `inclusive`) as missed.
    fn pass(&mut self, bound: Timestamp, inclusive: bool) {
        let (Some(due), Some(interval)) = (self.cadence.next_due_at, self.cadence.interval) else {
            return;
        };
        let passed = if inclusive { due <= bound } else { due < bound };
        if !passed {
            return;
        }
        let step = interval.as_micros().max(1);
        let span = bound.duration_since(due).as_micros();
        let mut count = span / step + 1;
        if !inclusive && span % step == 0 {
            count -= 1;
        }
        let last = due
            + SignedDuration::from_micros(
                i64::try_from((count - 1).saturating_mul(step)).unwrap_or(i64::MAX),
            );
        self.cadence.missed_intervals = self
            .cadence
            .missed_intervals
            .saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        self.cadence.overdue_since.get_or_insert(due);
        self.cadence.last_missed_at = Some(last);
        self.cadence.next_due_at = Some(last + interval);
        self.since = Some(last);
    }

    fn apply(&mut self, at: Timestamp, fact: &Fact) {
        self.pass(at, false);
        match fact {
            Fact::Priority(priority) => {
                let interval = self.policy.interval(*priority);
                let owed = match (self.cadence.next_due_at, interval) {
                    (_, None) => None,
                    (Some(due), Some(interval)) => Some(due.min(at + interval)),
                    (None, Some(interval)) => Some(at + interval),
                };
                if owed != self.cadence.next_due_at {
                    self.since = Some(at);
                }
                if interval.is_none() {
                    self.cadence.overdue_since = None;
                }
                self.cadence.interval = interval;
                self.cadence.next_due_at = owed;
            }
            Fact::Update => {
                let record = match (self.cadence.overdue_since, self.cadence.next_due_at) {
                    (Some(since), _) => UpdateRecord {
                        at,
                        due_at: Some(since),
                        on_time: false,
                        late_by_seconds: at.duration_since(since).as_secs(),
                    },
                    (None, due_at) => UpdateRecord {
                        at,
                        due_at,
                        on_time: true,
                        late_by_seconds: 0,
                    },
                };
                self.cadence.updates.push(record);
                self.cadence.overdue_since = None;
                self.cadence.last_update_at = Some(at);
                self.cadence.next_due_at = self.cadence.interval.map(|interval| at + interval);
                self.since = Some(at);
            }
        }
    }
}

/// The cadence at `now` under `policy`; facts after `now` are ignored.
pub fn cadence(policy: &CadencePolicy, facts: CadenceFacts<'_>, now: Timestamp) -> Cadence {
    let mut timeline: Vec<(Timestamp, Fact)> = facts
        .priorities
        .iter()
        .map(|(at, priority)| (*at, Fact::Priority(*priority)))
        .chain(facts.updates.iter().map(|at| (*at, Fact::Update)))
        .filter(|(at, _)| *at <= now)
        .collect();
    // A priority change and an update at the same instant: the change first.
    timeline.sort_by_key(|(at, fact)| (*at, matches!(fact, Fact::Update)));
    let mut walk = Walk {
        policy,
        cadence: Cadence::default(),
        since: None,
    };
    for (at, fact) in &timeline {
        walk.apply(*at, fact);
    }
    walk.pass(now, true);
    let lead = policy.reminder_lead();
    walk.cadence.reminder_at = walk.cadence.next_due_at.map(|due| match walk.since {
        Some(since) => (due - lead).max(since),
        None => due - lead,
    });
    walk.cadence
}

#[cfg(test)]
#[path = "cadence_tests.rs"]
mod tests;
