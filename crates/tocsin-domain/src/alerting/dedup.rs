//! Deduplication: what an incoming event does to the alert already open under its dedup key.
use serde::{Deserialize, Serialize};

/// What the monitoring tool asks for (PagerDuty's `event_action`, Alertmanager's status ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertAction {
    Trigger,
    Acknowledge,
    Resolve,
}

/// Where an alert is in its life. Only a resolved alert is closed: a new trigger under its key
/// opens a new alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Triggered,
    Acknowledged,
    Resolved,
    /// Stored and counted but held back by a silence, maintenance window or inhibition.
    Suppressed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Triggered => "triggered",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
            AlertState::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<AlertState> {
        [
            AlertState::Triggered,
            AlertState::Acknowledged,
            AlertState::Resolved,
            AlertState::Suppressed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    pub fn is_open(self) -> bool {
        self != AlertState::Resolved
    }
}

/// The decision for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupOutcome {
    /// No open alert under the key: open one.
    Open,
    /// The same trigger again: count an occurrence and refresh last-seen.
    Repeat,
    /// Move the open alert to acknowledged.
    Acknowledge,
    /// Already acknowledged: nothing changes (recorded as a repeat of the acknowledgement).
    AlreadyAcknowledged,
    /// Resolve the open alert.
    Resolve,
    /// Acknowledge or resolve for a key with no open alert: accepted and ignored, as PagerDuty does.
    NoOpenAlert,
    /// A new trigger while its service is at its open-alert cap: counted on an incident
    /// (`folded_alerts`), not stored as an alert.
    Folded,
}

impl DedupOutcome {
    /// The outcome's stable name, as recorded for intake requests.
    pub fn as_str(self) -> &'static str {
        match self {
            DedupOutcome::Open => "open",
            DedupOutcome::Repeat => "repeat",
            DedupOutcome::Acknowledge => "acknowledge",
            DedupOutcome::AlreadyAcknowledged => "already_acknowledged",
            DedupOutcome::Resolve => "resolve",
            DedupOutcome::NoOpenAlert => "no_open_alert",
            DedupOutcome::Folded => "folded",
        }
    }
}

/// Decides what `action` does given the state of the open alert under the same key, if any
/// (`existing` is never `Resolved`: a resolved alert is not open).
pub fn decide(action: AlertAction, existing: Option<AlertState>) -> DedupOutcome {
    let open = existing.filter(|state| state.is_open());
    match (action, open) {
        (AlertAction::Trigger, None) => DedupOutcome::Open,
        (AlertAction::Trigger, Some(_)) => DedupOutcome::Repeat,
        (AlertAction::Acknowledge, Some(AlertState::Acknowledged)) => {
            DedupOutcome::AlreadyAcknowledged
        }
        (AlertAction::Acknowledge, Some(_)) => DedupOutcome::Acknowledge,
        (AlertAction::Resolve, Some(_)) => DedupOutcome::Resolve,
        (AlertAction::Acknowledge | AlertAction::Resolve, None) => DedupOutcome::NoOpenAlert,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertAction::*;
    use AlertState::*;

    #[test]
    fn a_trigger_opens_or_repeats_and_a_resolved_alert_does_not_count_as_open() {
        assert_eq!(decide(Trigger, None), DedupOutcome::Open);
        assert_eq!(decide(Trigger, Some(Triggered)), DedupOutcome::Repeat);
        assert_eq!(decide(Trigger, Some(Acknowledged)), DedupOutcome::Repeat);
        assert_eq!(decide(Trigger, Some(Suppressed)), DedupOutcome::Repeat);
        assert_eq!(decide(Trigger, Some(Resolved)), DedupOutcome::Open);
    }

    #[test]
    fn acknowledge_and_resolve_act_on_open_alerts_only() {
        assert_eq!(
            decide(Acknowledge, Some(Triggered)),
            DedupOutcome::Acknowledge
        );
        assert_eq!(
            decide(Acknowledge, Some(Acknowledged)),
            DedupOutcome::AlreadyAcknowledged
        );
        assert_eq!(decide(Acknowledge, None), DedupOutcome::NoOpenAlert);
        assert_eq!(decide(Resolve, Some(Acknowledged)), DedupOutcome::Resolve);
        assert_eq!(decide(Resolve, Some(Suppressed)), DedupOutcome::Resolve);
        assert_eq!(decide(Resolve, Some(Resolved)), DedupOutcome::NoOpenAlert);
    }

    #[test]
    fn states_round_trip_through_text() {
        for state in [Triggered, Acknowledged, Resolved, Suppressed] {
            assert_eq!(AlertState::parse(state.as_str()), Some(state));
        }
        assert_eq!(AlertState::parse("open"), None);
    }
}
