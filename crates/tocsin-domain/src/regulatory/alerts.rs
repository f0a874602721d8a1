//! When an open obligation's owner hears about it: reminders at 50% and 75% of the window, an
//! escalation when 90% has elapsed (or earlier, when less than a configured margin is left), and
//! once more when it is overdue; and the state an obligation is in at an instant.
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// What an alert stage does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Reminds the owner.
    Reminder,
    /// Tells the owner and the escalation recipients the deadline is close.
    Escalation,
    /// Tells them again once the deadline has passed unfiled.
    Overdue,
}

/// One alert stage of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Stable key (`reminder_50`, `reminder_75`, `escalation`, `overdue`), part of the
    /// notification's unique key.
    pub key: &'static str,
    pub kind: StageKind,
    pub at: Timestamp,
}

/// The fraction of the window elapsed, in percent, at which each stage is due.
const REMINDERS: [(&str, i64); 2] = [("reminder_50", 50), ("reminder_75", 75)];
const ESCALATION_PERCENT: i64 = 90;

fn elapsed(started_at: Timestamp, window: SignedDuration, percent: i64) -> Timestamp {
    let micros = window.as_micros() * i128::from(percent) / 100;
    let offset = SignedDuration::from_micros(i64::try_from(micros).unwrap_or(i64::MAX));
    started_at.checked_add(offset).unwrap_or(started_at)
}

/// The alert stages of an obligation running from `started_at` to `due_at`, in order of their
/// instants: reminders at 50% and 75% of the window, the escalation at 90% or at `margin` before
/// the deadline, whichever is earlier (a reminder at or after the escalation is dropped), and
/// `overdue` at the deadline.
pub fn stages(
    started_at: Timestamp,
    due_at: Timestamp,
    margin: Option<SignedDuration>,
) -> Vec<Stage> {
    let window = due_at.duration_since(started_at).max(SignedDuration::ZERO);
    let mut escalation_at = elapsed(started_at, window, ESCALATION_PERCENT);
    if let Some(margin) = margin {
        let by_margin = due_at.checked_sub(margin).unwrap_or(due_at).max(started_at);
        escalation_at = escalation_at.min(by_margin);
    }
    let mut found: Vec<Stage> = REMINDERS
        .into_iter()
        .map(|(key, percent)| Stage {
            key,
            kind: StageKind::Reminder,
            at: elapsed(started_at, window, percent),
        })
        .filter(|stage| stage.at < escalation_at)
        .collect();
    found.push(Stage {
        key: "escalation",
        kind: StageKind::Escalation,
        at: escalation_at,
    });
    found.push(Stage {
        key: "overdue",
        kind: StageKind::Overdue,
        at: due_at,
    });
    found
}

/// The stage to act on at `now` when the first `done` stages were acted on: the latest stage due
/// by then (earlier ones missed while no node ran are not sent late), with its index; none when
/// nothing new is due.
pub fn due_stage(stages: &[Stage], done: usize, now: Timestamp) -> Option<(usize, Stage)> {
    stages
        .iter()
        .enumerate()
        .skip(done)
        .take_while(|(_, stage)| stage.at <= now)
        .last()
        .map(|(index, stage)| (index, *stage))
}

/// When the stage after the first `done` is due (none: every stage was acted on).
pub fn next_stage_at(stages: &[Stage], done: usize) -> Option<Timestamp> {
    stages.get(done).map(|stage| stage.at)
}

/// Where an obligation stands, as the countdown shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationState {
    OnTrack,
    ReminderSent,
    Escalated,
    Overdue,
    Filed,
    Withdrawn,
}

/// An obligation's lifecycle status as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Filed,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Filed => "filed",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Open, Status::Filed, Status::Withdrawn]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// The state of an obligation with `status`, due at `due_at`, whose first `done` stages were
/// acted on, at `now`.
pub fn state(
    status: Status,
    stages: &[Stage],
    done: usize,
    due_at: Timestamp,
    now: Timestamp,
) -> ObligationState {
    match status {
        Status::Filed => return ObligationState::Filed,
        Status::Withdrawn => return ObligationState::Withdrawn,
        Status::Open => {}
    }
    if now >= due_at {
        return ObligationState::Overdue;
    }
    let acted = &stages[..done.min(stages.len())];
    if acted.iter().any(|s| s.kind != StageKind::Reminder) {
        ObligationState::Escalated
    } else if acted.is_empty() {
        ObligationState::OnTrack
    } else {
        ObligationState::ReminderSent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an instant")
    }

    fn keys_and_instants(stages: &[Stage]) -> Vec<(&str, String)> {
        stages.iter().map(|s| (s.key, s.at.to_string())).collect()
    }

    #[test]
    fn a_72_hour_window_reminds_at_36_and_54_hours_and_escalates_at_64_8() {
        let stages = stages(at("2026-11-27T12:00:00Z"), at("2026-11-30T12:00:00Z"), None);
        assert_eq!(
            keys_and_instants(&stages),
            [
                ("reminder_50", "2026-11-29T00:00:00Z".to_owned()),
                ("reminder_75", "2026-11-29T18:00:00Z".to_owned()),
                ("escalation", "2026-11-30T04:48:00Z".to_owned()),
                ("overdue", "2026-11-30T12:00:00Z".to_owned()),
            ]
        );
    }

    #[test]
    fn a_margin_escalates_earlier_and_drops_reminders_it_overtakes() {
        let margin = Some(SignedDuration::from_hours(24));
        let stages = stages(
            at("2026-11-27T12:00:00Z"),
            at("2026-11-30T12:00:00Z"),
            margin,
        );
        assert_eq!(
            keys_and_instants(&stages),
            [
                ("reminder_50", "2026-11-29T00:00:00Z".to_owned()),
                ("escalation", "2026-11-29T12:00:00Z".to_owned()),
                ("overdue", "2026-11-30T12:00:00Z".to_owned()),
            ]
        );
    }

    #[test]
    fn only_the_latest_due_stage_is_acted_on() {
        let stages = stages(at("2026-11-27T12:00:00Z"), at("2026-11-30T12:00:00Z"), None);
        assert_eq!(due_stage(&stages, 0, at("2026-11-28T23:59:59Z")), None);
        assert_eq!(
            due_stage(&stages, 0, at("2026-11-29T00:00:00Z")).map(|(i, s)| (i, s.key)),
            Some((0, "reminder_50"))
        );
        // a node down from before 50% to after 90%: the escalation only
        assert_eq!(
            due_stage(&stages, 0, at("2026-11-30T05:00:00Z")).map(|(i, s)| (i, s.key)),
            Some((2, "escalation"))
        );
        assert_eq!(due_stage(&stages, 3, at("2026-11-30T05:00:00Z")), None);
        assert_eq!(next_stage_at(&stages, 1), Some(at("2026-11-29T18:00:00Z")));
        assert_eq!(next_stage_at(&stages, 4), None);
    }

    #[test]
    fn the_state_follows_the_stages_acted_on_the_deadline_and_the_filing() {
        let due = at("2026-11-30T12:00:00Z");
        let stages = stages(at("2026-11-27T12:00:00Z"), due, None);
        let before = at("2026-11-30T11:00:00Z");
        assert_eq!(
            state(Status::Open, &stages, 0, due, before),
            ObligationState::OnTrack
        );
        assert_eq!(
            state(Status::Open, &stages, 2, due, before),
            ObligationState::ReminderSent
        );
        assert_eq!(
            state(Status::Open, &stages, 3, due, before),
            ObligationState::Escalated
        );
        assert_eq!(
            state(Status::Open, &stages, 3, due, due),
            ObligationState::Overdue
        );
        assert_eq!(
            state(Status::Filed, &stages, 4, due, due),
            ObligationState::Filed
        );
        assert_eq!(
            state(Status::Withdrawn, &stages, 0, due, due),
            ObligationState::Withdrawn
        );
    }
}
