//! Held-back alerts are evaluated again whenever what held them may have changed: when a silence
//! or maintenance window starts or ends, when a flapping key stops flapping or a transient pause
//! ends (deadlines: from the configuration, and the earliest `held_until` of a held alert), and
//! when a silence, window, rule set or an inhibiting alert changes (a committed event). An alert
//! still firing that nothing holds back any more pages then.
use std::time::Duration;

use jiff::Timestamp;
use tocsin_domain::SharedClock;
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::hold::{History, NoiseHold, release_reason};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::verdict::{self, Disposition, Orchestration};
use tocsin_store::alert::HeldAlert;
use tocsin_store::{Store, StoreError, StoredEvent, alert, orchestration};
use tokio::sync::watch;

use crate::deadline;
use crate::ingest::{inhibition_sources, placement_settings};

const ACTOR: &str = "system:tocsin";

/// What re-evaluation does to one held alert.
#[derive(Debug)]
enum Change {
    /// It pages now, for this reason, grouped as its service says.
    Release {
        reason: String,
        grouping: Option<(String, GroupingPolicy)>,
        lifecycle: IncidentLifecycle,
    },
    /// Another noise hold (or none, when something else holds it) applies from now.
    Hold(Option<NoiseHold>),
}

/// Re-evaluates every held-back alert at `now`; returns how many now page.
pub async fn reevaluate(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
    let config = orchestration::load(store.reader(), now).await?;
    let held = alert::held_back(store.reader()).await?;
    if held.is_empty() {
        return Ok(0);
    }
    let firing = inhibition_sources(store, &config).await?;
    let mut changes = Vec::new();
    for alert in held {
        if let Some(change) = reconsider(store, &config, &firing, &alert, now).await? {
            changes.push((alert, change));
        }
    }
    let released = changes
        .iter()
        .filter(|(_, change)| matches!(change, Change::Release { .. }))
        .count();
    if !changes.is_empty() {
        store
            .write(move |tx| {
                Box::pin(async move {
                    // Every counter row first, in order (the store's lock order, `alert::lock_batch`).
                    let releasing = changes
                        .iter()
                        .filter(|(_, change)| matches!(change, Change::Release { .. }))
                        .map(|(held, _)| held.service);
                    alert::lock_open_counts(tx, releasing).await?;
                    for (held, change) in changes {
                        match change {
                            Change::Release {
                                reason,
                                grouping,
                                lifecycle,
                            } => {
                                let settings = alert::Settings {
                                    grouping: grouping.as_ref(),
                                    lifecycle: &lifecycle,
                                };
                                alert::release_held(tx, held.id, settings, &reason, ACTOR, now)
                                    .await?;
                            }
                            Change::Hold(hold) => {
                                let hold = hold.as_ref();
                                alert::set_hold(tx, held.id, held.hold, hold, ACTOR, now).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .await?;
    }
    Ok(released)
}

/// The same verdict a new trigger gets (the alert is already in its routed service), then the
/// noise rules with the alert's own instants; `None` when nothing changes.
async fn reconsider(
    store: &Store,
    config: &Orchestration,
    firing: &[verdict::FiringAlert],
    held: &HeldAlert,
    now: Timestamp,
) -> Result<Option<Change>, StoreError> {
    let verdict = verdict::decide(
        config,
        held.service,
        &held.fields,
        firing,
        Some(held.id.0),
        now,
    );
    if verdict.disposition != Disposition::Page {
        // Held by something else: a passed noise deadline must not wake the worker again.
        let passed = held.held_until.is_some_and(|until| until <= now);
        return Ok(passed.then_some(Change::Hold(None)));
    }
    // Placed as a fresh trigger is: its grouping and its service's lifecycle.
    let (grouping, lifecycle) = placement_settings(config, &verdict, &held.fields);
    let Some(check) = verdict.noise_check(config, held.severity) else {
        return Ok(Some(Change::Release {
            reason: release_reason(None, &[]),
            grouping,
            lifecycle,
        }));
    };
    let changes = match check.flap() {
        Some(flap) => {
            alert::key_changes(store.reader(), held.service, &held.dedup_key, flap, now).await?
        }
        None => Vec::new(),
    };
    let history = History {
        first_seen_at: held.first_seen_at,
        occurrences: held.recent_occurrences.clone(),
        changes,
    };
    let decided = check.decide(&history, now);
    Ok(match decided.hold {
        None => Some(Change::Release {
            reason: release_reason(held.hold, &decided.notes),
            grouping,
            lifecycle,
        }),
        Some(hold) if Some(hold.kind) == held.hold && hold.revisit_at == held.held_until => None,
        Some(hold) => Some(Change::Hold(Some(hold))),
    })
}

/// When held-back alerts should next be looked at, from the configuration at `now` and the
/// earliest deadline of a noise hold (a flapping key's end, a transient pause's end).
pub async fn next_due(store: &Store, now: Timestamp) -> Result<Option<Timestamp>, StoreError> {
    let config = orchestration::load(store.reader(), now).await?;
    let holds = alert::next_hold_deadline(store.reader()).await?;
    Ok(earliest(verdict::next_change_after(&config, now), holds))
}

/// The earlier of two optional deadlines.
pub fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    let mut look = true;
    loop {
        let now = clock.now();
        if look {
            match reevaluate(&store, now).await {
                Ok(0) => {}
                Ok(released) => tracing::info!(released, "held-back alerts now page"),
                Err(error) => {
                    tracing::warn!(%error, "re-evaluating held-back alerts failed; retrying later")
                }
            }
        }
        let due = next_due(&store, now)
            .await
            .unwrap_or(Some(now + jiff::SignedDuration::from_mins(1)));
        let wait = deadline::sleep_for(clock.now(), due).max(Duration::from_millis(200));
        look = tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            event = deadline::committed_matching(&mut committed, |e| wake(e).is_some()) => {
                // A missed event (None) may have been anything: look again.
                event.is_none_or(|e| wake(&e) == Some(Wake::Reevaluate))
            }
            _ = stopped.changed() => return,
        };
    }
}

/// Why a committed event wakes the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// What holds alerts back may have changed: re-evaluate them.
    Reevaluate,
    /// An alert is newly held with a deadline (flapping, transient pause): only the next
    /// deadline may be earlier.
    Reschedule,
}

/// Whether and why `event` wakes the worker.
pub fn wake(event: &StoredEvent) -> Option<Wake> {
    if may_release(&event.kind) {
        Some(Wake::Reevaluate)
    } else if matches!(event.kind.as_str(), "alert.suppressed" | "alert.held")
        && !event.payload["held_until"].is_null()
    {
        Some(Wake::Reschedule)
    } else {
        None
    }
}

/// Whether a committed event may change what holds alerts back.
pub fn may_release(kind: &str) -> bool {
    kind.starts_with("silence.")
        || kind.starts_with("maintenance.")
        || kind.starts_with("alerting_config.")
        || kind == "alert.resolved"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_to_what_holds_alerts_back_wake_the_worker() {
        for kind in [
            "silence.expired",
            "maintenance.deleted",
            "alerting_config.updated",
            "alert.resolved",
        ] {
            assert!(may_release(kind), "{kind}");
        }
        for kind in ["alert.triggered", "incident.opened", "session.started"] {
            assert!(!may_release(kind), "{kind}");
        }
    }

    fn event(kind: &str, payload: serde_json::Value) -> StoredEvent {
        StoredEvent {
            position: 1,
            event_id: uuid::Uuid::nil(),
            stream_id: uuid::Uuid::nil(),
            stream_type: "alert".into(),
            seq: 1,
            kind: kind.into(),
            actor: ACTOR.into(),
            occurred_at: at(0),
            payload,
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    #[test]
    fn a_new_hold_with_a_deadline_reschedules_the_worker() {
        let paused = event(
            "alert.suppressed",
            serde_json::json!({ "held_until": at(30) }),
        );
        assert_eq!(wake(&paused), Some(Wake::Reschedule));
        let silenced = event(
            "alert.suppressed",
            serde_json::json!({ "held_until": null }),
        );
        assert_eq!(
            wake(&silenced),
            None,
            "a silence's end is in the configuration"
        );
        let repeat = event("alert.held", serde_json::json!({ "held_until": at(60) }));
        assert_eq!(
            wake(&repeat),
            Some(Wake::Reschedule),
            "a repeat moved it to a pause"
        );
        let expired = event("silence.expired", serde_json::json!({}));
        assert_eq!(wake(&expired), Some(Wake::Reevaluate));
    }

    #[test]
    fn the_deadline_is_the_earliest_of_the_configuration_and_the_holds() {
        assert_eq!(earliest(Some(at(10)), Some(at(5))), Some(at(5)));
        assert_eq!(earliest(None, Some(at(5))), Some(at(5)));
        assert_eq!(earliest(Some(at(10)), None), Some(at(10)));
        assert_eq!(earliest(None, None), None);
    }
}
