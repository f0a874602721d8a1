//! Temporary P1s expiring: an incident raised to P1 for a limited time reverts to its previous
//! priority at expiry unless confirmed. This worker sleeps until the earliest expiry (or until a
//! committed event starts one, possibly earlier), then reverts every expired one.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::SharedClock;
use tocsin_domain::id::IncidentId;
use tocsin_store::classification::{
    TEMPORARY_BATCH, next_temporary_p1_due, revert_due_temporary_p1,
};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::wake_after;

/// Reverts every temporary P1 expired by `now`, in batches (each one write); answers the
/// incidents reverted.
pub async fn revert_due(store: &Store, now: Timestamp) -> Result<Vec<IncidentId>, StoreError> {
    deadline::drain(TEMPORARY_BATCH, || async move {
        store
            .write(move |tx| Box::pin(async move { revert_due_temporary_p1(tx, now).await }))
            .await
    })
    .await
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        match revert_due(&store, clock.now()).await {
            Ok(reverted) if reverted.is_empty() => {}
            Ok(reverted) => tracing::info!(reverted = reverted.len(), "temporary P1s reverted"),
            Err(error) => tracing::warn!(%error, "reverting temporary P1s failed; retrying later"),
        }
        let now = clock.now();
        let due = match next_temporary_p1_due(store.reader()).await {
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

/// Whether a committed event may bring the earliest expiry forward.
pub fn may_schedule(kind: &str) -> bool {
    kind == "incident.temporary_p1_started"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_started_temporary_p1_wakes_the_worker() {
        assert!(may_schedule("incident.temporary_p1_started"));
        for kind in [
            "incident.temporary_p1_confirmed",
            "incident.priority_set",
            "incident.opened",
        ] {
            assert!(!may_schedule(kind), "{kind}");
        }
    }
}
