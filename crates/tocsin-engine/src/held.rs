//! Held-back alerts are evaluated again whenever what held them may have changed: when a silence
//! or maintenance window starts or ends (a deadline computed from the configuration), and when a
//! silence, window, rule set or an inhibiting alert changes (a committed event). An alert still
//! firing that nothing holds back any more pages then.
use std::time::Duration;

use jiff::Timestamp;
use tocsin_domain::SharedClock;
use tocsin_domain::alerting::verdict::{self, Disposition};
use tocsin_store::{Store, StoreError, alert, orchestration};
use tokio::sync::watch;

use crate::deadline;
use crate::ingest::inhibition_sources;

const ACTOR: &str = "system:tocsin";

/// Re-evaluates every held-back alert at `now`; returns how many now page.
pub async fn reevaluate(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
    let config = orchestration::load(store.reader(), now).await?;
    let held = alert::held_back(store.reader()).await?;
    if held.is_empty() {
        return Ok(0);
    }
    let firing = inhibition_sources(store, &config).await?;
    // The same verdict a new trigger gets; the alert is already in its routed service.
    let released: Vec<_> = held
        .into_iter()
        .filter(|(id, service, fields)| {
            let verdict = verdict::decide(&config, *service, fields, &firing, Some(id.0), now);
            verdict.disposition == Disposition::Page
        })
        .map(|(id, _, _)| id)
        .collect();
    let count = released.len();
    if count > 0 {
        store
            .write(move |tx| {
                Box::pin(async move {
                    for id in released {
                        alert::release_held(
                            tx,
                            id,
                            "nothing holds it back any more (silence, maintenance or inhibition ended) and it is still firing: paging now",
                            ACTOR,
                            now,
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await?;
    }
    Ok(count)
}

/// When held-back alerts should next be looked at, from the configuration at `now`.
pub async fn next_due(store: &Store, now: Timestamp) -> Result<Option<Timestamp>, StoreError> {
    let config = orchestration::load(store.reader(), now).await?;
    Ok(verdict::next_change_after(&config, now))
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        let now = clock.now();
        match reevaluate(&store, now).await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "held-back alerts now page"),
            Err(error) => {
                tracing::warn!(%error, "re-evaluating held-back alerts failed; retrying later")
            }
        }
        let due = next_due(&store, now)
            .await
            .unwrap_or(Some(now + jiff::SignedDuration::from_mins(1)));
        let wait = deadline::sleep_for(clock.now(), due).max(Duration::from_millis(200));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = deadline::committed_event(&mut committed, may_release) => {}
            _ = stopped.changed() => return,
        }
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
}
