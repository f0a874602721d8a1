//! The regulatory clock worker: sleeps until the earliest due reminder or escalation stage of
//! any open regulatory obligation (woken early when a profile is set or an obligation filed on
//! this node), then acts on what is due: the timeline event and the notifications queued through
//! the outbox, which the delivery worker sends. Exactly once with several nodes: a stage is
//! recorded by a compare-and-set on the obligation and its notifications carry unique keys.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::SharedClock;
use tocsin_store::regulatory::{self, Acted};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::wake_after;

/// Obligations looked at per write.
const BATCH: i64 = 50;

/// Acts on every stage due at `now`; answers what was acted on.
pub async fn process_due(store: &Store, now: Timestamp) -> Result<Vec<Acted>, StoreError> {
    deadline::drain(BATCH, || async move {
        store
            .write(move |tx| Box::pin(async move { regulatory::act_on_due(tx, now, BATCH).await }))
            .await
    })
    .await
}

/// Whether a committed event may have moved the earliest stage.
pub fn may_move_stage(kind: &str) -> bool {
    matches!(
        kind,
        "regulatory.clock_started" | "regulatory.profile_set" | "regulatory.filed"
    )
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        let now = clock.now();
        let due = match regulatory::next_stage_due(store.reader()).await {
            Ok(due) => due,
            Err(_) => Some(now + SignedDuration::from_secs(5)),
        };
        let mut sleep = deadline::sleep_for(now, due);
        if sleep.is_zero() {
            match process_due(&store, now).await {
                Ok(acted) if !acted.is_empty() => {
                    tracing::debug!(stages = acted.len(), "regulatory stages acted on");
                    continue;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "regulatory stages failed; retrying");
                }
            }
            sleep = wake_after(now, due);
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = deadline::committed_event(&mut committed, may_move_stage) => {}
            _ = stopped.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_and_filing_events_wake_the_worker_and_its_own_events_do_not() {
        assert!(may_move_stage("regulatory.clock_started"));
        assert!(may_move_stage("regulatory.filed"));
        assert!(!may_move_stage("regulatory.reminder"));
        assert!(!may_move_stage("incident.opened"));
    }
}
