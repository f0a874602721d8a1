//! Incidents resolving themselves: when an incident's last open alert resolves and its service has
//! a stability window, the incident records when it is due to resolve. This worker sleeps until the
//! earliest such instant (or until a committed event schedules one, possibly earlier), then
//! resolves every due incident that still has no open alert.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::SharedClock;
use tocsin_domain::id::IncidentId;
use tocsin_store::incident::{self, RESOLVE_BATCH};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::wake_after;

/// Resolves every incident due by `now` that still has no open alert, in batches of
/// `RESOLVE_BATCH` (each one write); answers the incidents resolved.
pub async fn resolve_due(store: &Store, now: Timestamp) -> Result<Vec<IncidentId>, StoreError> {
    deadline::drain(RESOLVE_BATCH, || async move {
        store
            .write(move |tx| Box::pin(async move { incident::resolve_due(tx, now).await }))
            .await
    })
    .await
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        match resolve_due(&store, clock.now()).await {
            Ok(resolved) if resolved.is_empty() => {}
            Ok(resolved) => {
                tracing::info!(resolved = resolved.len(), "incidents resolved themselves")
            }
            Err(error) => tracing::warn!(%error, "resolving due incidents failed; retrying later"),
        }
        let now = clock.now();
        let due = match incident::next_resolve_due(store.reader()).await {
            Ok(due) => due,
            Err(_) => Some(now + SignedDuration::from_mins(1)),
        };
        tokio::select! {
            _ = tokio::time::sleep(wake_after(now, due)) => {}
            _ = deadline::committed_event(&mut committed, may_schedule) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Whether a committed event may bring the earliest due instant forward.
pub fn may_schedule(kind: &str) -> bool {
    matches!(
        kind,
        "incident.resolve_scheduled" | "incident.alerts_folded"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scheduling_events_wake_the_worker() {
        assert!(may_schedule("incident.resolve_scheduled"));
        assert!(may_schedule("incident.alerts_folded"));
        for kind in ["incident.resolved", "alert.triggered", "incident.opened"] {
            assert!(!may_schedule(kind), "{kind}");
        }
    }
}
