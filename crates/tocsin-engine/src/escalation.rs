//! The escalation engine: sleeps until the earliest escalation timer is due (an in-memory
//! wake-up computed from the stored timers, never a polling cycle), or until a committed event
//! says a timer may have become due sooner (an incident opened, was acknowledged or resolved),
//! then processes every due timer: pages the step's people through the outbox, re-arms or drops
//! the timer. Each batch is one transaction, so a crash re-processes the batch (the outbox's
//! unique key keeps the pages to one each) and never loses a timer.
use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::SharedClock;
use tocsin_store::paging::{self, PROCESS_BATCH, Processed};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::wake_after;

/// Processes every timer due by `now`, in batches of `PROCESS_BATCH` (each one write); answers
/// what each did.
pub async fn process_due(store: &Store, now: Timestamp) -> Result<Vec<Processed>, StoreError> {
    deadline::drain(PROCESS_BATCH, || async move {
        store
            .write(move |tx| Box::pin(async move { paging::process_due(tx, now).await }))
            .await
    })
    .await
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    let mut peers = match store.listen(paging::WAKE_CHANNEL).await {
        Ok(peers) => peers,
        Err(error) => {
            tracing::warn!(%error, "cannot LISTEN for other nodes' timers; waking on deadlines and local events only");
            futures::stream::pending().boxed()
        }
    };
    loop {
        // The earliest deadline is read first (a read, not a write): a wake-up that finds
        // nothing due — an incident whose first step was paged as it opened — costs no write.
        let now = clock.now();
        let due = match paging::next_due(store.reader()).await {
            Ok(due) => due,
            Err(_) => Some(now + SignedDuration::from_secs(5)),
        };
        let mut sleep = deadline::sleep_for(now, due);
        if sleep.is_zero() {
            match process_due(&store, now).await {
                Ok(processed) if !processed.is_empty() => {
                    tracing::debug!(timers = processed.len(), "escalation timers processed");
                    continue;
                }
                // Due but nothing taken (another node holds it), or a failure: wait at least
                // the minimum pause, or the loop would spin on a timer it cannot take.
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "processing escalation timers failed; retrying");
                }
            }
            sleep = wake_after(now, due);
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = deadline::committed_event(&mut committed, may_make_due) => {}
            Some(()) = peers.next() => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Whether a committed event may have armed a timer or made one due sooner. Not
/// `incident.reescalated`: the engine writes it in the same transaction that re-arms the timer,
/// so waking on it would only cost a spare loop.
pub fn may_make_due(kind: &str) -> bool {
    matches!(
        kind,
        "incident.opened"
            | "incident.reopened"
            | "incident.acknowledged"
            | "incident.resolved"
            | "incident.escalated_by_hand"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_changes_wake_the_engine_and_other_events_do_not() {
        for kind in [
            "incident.opened",
            "incident.reopened",
            "incident.acknowledged",
            "incident.resolved",
        ] {
            assert!(may_make_due(kind), "{kind}");
        }
        for kind in [
            "alert.triggered",
            "incident.reescalated",
            "notification.delivered",
            "schedule.updated",
        ] {
            assert!(!may_make_due(kind), "{kind}");
        }
    }
}
