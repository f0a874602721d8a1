//! The status-update cadence and management escalation worker: projects the cadence facts from
//! the event log (priority changes, status updates, reopenings), sleeps until the earliest due
//! cadence instant (a closed incident's leftover one is cleared when it comes; woken early when
//! such an event, or a status change, commits on this node),
//! then acts on what is due — reminders, missed-update notices, management escalations — with
//! the timeline event and the notifications queued through the outbox. Exactly once with several
//! nodes: what was acted on is recorded by a compare-and-set (see `tocsin_store::cadence`).
use jiff::Timestamp;
use tocsin_domain::SharedClock;
use tocsin_store::cadence::{self, Acted};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::{next_wake, wake_after};

/// Events projected, or incidents looked at, per write.
const BATCH: i64 = 200;

/// Projects the new facts, then acts on every cadence instant due at `now`; answers what was
/// acted on.
pub async fn process_due(store: &Store, now: Timestamp) -> Result<Vec<Acted>, StoreError> {
    deadline::drain(BATCH, || async move {
        store
            .write(move |tx| {
                Box::pin(async move {
                    let (_, read) = cadence::project(tx, now, BATCH).await?;
                    Ok((Vec::<Acted>::new(), read))
                })
            })
            .await
    })
    .await?;
    let (policy, _) = cadence::cadence_policy(store.reader()).await?;
    deadline::drain(BATCH, || {
        let policy = policy.clone();
        async move {
            store
                .write(move |tx| {
                    Box::pin(async move { cadence::act_on_due(tx, &policy, now, BATCH).await })
                })
                .await
        }
    })
    .await
}

/// Whether a committed event may have moved an incident's next cadence instant.
pub fn may_move_cadence(kind: &str) -> bool {
    matches!(
        kind,
        "incident.priority_set"
            | "incident.temporary_p1_started"
            | "incident.temporary_p1_confirmed"
            | "incident.temporary_p1_reverted"
            | "incident.status_update"
            | "incident.reopened"
            | "incident.status_changed"
            | "incident.escalation_delay_justified"
            | "alerting_config.updated"
    )
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    // Facts committed before this node started are projected on the first round.
    let mut project = true;
    loop {
        let now = clock.now();
        let due = next_wake(now, cadence::next_due(store.reader()).await);
        let mut sleep = deadline::sleep_for(now, due);
        if sleep.is_zero() || project {
            project = false;
            match process_due(&store, now).await {
                Ok(acted) if !acted.is_empty() => {
                    tracing::debug!(incidents = acted.len(), "cadence instants acted on");
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "cadence round failed; retrying"),
            }
            sleep = wake_after(now, next_wake(now, cadence::next_due(store.reader()).await));
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = deadline::committed_event(&mut committed, may_move_cadence) => project = true,
            _ = stopped.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_updates_and_justifications_wake_the_worker_and_its_own_events_do_not() {
        assert!(may_move_cadence("incident.priority_set"));
        assert!(may_move_cadence("incident.status_update"));
        assert!(may_move_cadence("incident.escalation_delay_justified"));
        assert!(
            may_move_cadence("incident.status_changed"),
            "a reopening by hand"
        );
        assert!(!may_move_cadence("incident.status_update_reminder"));
        assert!(!may_move_cadence("incident.management_escalated"));
    }
}
