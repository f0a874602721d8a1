//! The handoff worker: tells people when they come on and go off call. It plans at each shift
//! boundary (an in-memory wake-up at the earliest boundary of any schedule within the look-ahead,
//! recomputed when a schedule or override changes; never a polling cycle), queuing the notices
//! of the boundaries passed since the last planning, then claims and sends the due notices
//! through the outbox's `Sender`, rate limits, circuit breakers, retry policy and templates.
//! Notices found later than the grace (every node was down at the boundary) are recorded as
//! skipped, not sent late. Several nodes may plan the same boundary: the unique key keeps one
//! notice, and claims are leased (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
mod attempt;

use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use tocsin_store::StoreError;
use tocsin_store::handoff::{self, Queued};
use tokio::sync::watch;

use crate::deadline;
use crate::heartbeat::{next_wake, wake_after};
use crate::outbox::{Attempted, OutboxWorker};

/// How far ahead the worker looks for the next boundary (and a shift's end for "until").
pub const LOOK_AHEAD: SignedDuration = SignedDuration::from_hours(7 * 24);
/// How late a notice may still be sent.
pub const GRACE: SignedDuration = SignedDuration::from_mins(15);

/// What one round did.
#[derive(Debug, Default)]
pub struct HandoffRound {
    pub queued: Queued,
    pub attempted: Vec<Attempted>,
    /// The next boundary after this round's instant, within the look-ahead.
    pub next_boundary: Option<Timestamp>,
}

impl HandoffRound {
    /// Whether the round did nothing.
    pub fn is_idle(&self) -> bool {
        self.queued == Queued::default() && self.attempted.is_empty()
    }
}

/// The handoff worker: the outbox worker's delivery parts (shared rate limits and breakers).
#[derive(Clone)]
pub struct HandoffWorker {
    outbox: OutboxWorker,
    look_ahead: SignedDuration,
    grace: SignedDuration,
}

impl HandoffWorker {
    pub fn new(outbox: OutboxWorker) -> Self {
        Self {
            outbox,
            look_ahead: LOOK_AHEAD,
            grace: GRACE,
        }
    }

    /// Plans the boundaries passed since the last planning, then claims and sends one batch of
    /// due notices.
    pub async fn run_once(&self) -> Result<HandoffRound, StoreError> {
        let store = &self.outbox.store;
        let now = self.outbox.clock.now();
        let mark = handoff::planned_until(store.reader()).await?;
        let back = |by: SignedDuration| now.saturating_sub(by).unwrap_or(now);
        let since = mark
            .unwrap_or_else(|| back(self.grace))
            .max(back(self.look_ahead))
            .min(now);
        let (due, next_boundary) =
            handoff::due_transitions(store.reader(), since, now, self.look_ahead).await?;
        let grace = self.grace;
        let queued = store
            .write(move |tx| Box::pin(async move { handoff::queue(tx, due, now, grace).await }))
            .await?;
        let attempted = self.deliver(now).await?;
        Ok(HandoffRound {
            queued,
            attempted,
            next_boundary,
        })
    }

    async fn deliver(&self, now: Timestamp) -> Result<Vec<Attempted>, StoreError> {
        let config = &self.outbox.config;
        let (node, lease, batch) = (config.node.clone(), config.lease, config.batch);
        let claimed = self
            .outbox
            .store
            .write(move |tx| {
                Box::pin(async move { handoff::claim_due(tx, &node, now, lease, batch).await })
            })
            .await?;
        let attempts = futures::stream::iter(claimed)
            .map(|claimed| self.attempt(claimed))
            .buffer_unordered(config.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        attempts.into_iter().collect()
    }
}

/// Whether a committed event may have moved a schedule's next boundary.
pub fn may_move_boundary(kind: &str) -> bool {
    matches!(
        kind,
        "schedule.created"
            | "schedule.updated"
            | "schedule.deleted"
            | "schedule.override_added"
            | "schedule.override_removed"
            | "user.handoff_notices_set"
    )
}

pub(crate) async fn run(worker: HandoffWorker, mut stopped: watch::Receiver<bool>) {
    let store = worker.outbox.store.clone();
    let mut committed = store.subscribe();
    loop {
        let now = worker.outbox.clock.now();
        let (failed, boundary) = match worker.run_once().await {
            Ok(round) => {
                if !round.is_idle() {
                    tracing::debug!(queued = ?round.queued, attempts = round.attempted.len(), "handoff notices");
                }
                (false, round.next_boundary)
            }
            Err(error) => {
                tracing::warn!(%error, "handoff notices failed; retrying");
                (true, None)
            }
        };
        let retry = next_wake(now, handoff::next_due(store.reader()).await);
        let due = boundary.into_iter().chain(retry).min();
        let now = worker.outbox.clock.now();
        let sleep = if failed {
            wake_after(now, Some(now + SignedDuration::from_secs(5)))
        } else {
            wake_after(now, due)
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = deadline::committed_event(&mut committed, may_move_boundary) => {}
            _ = stopped.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_changes_wake_the_worker_and_other_events_do_not() {
        assert!(may_move_boundary("schedule.override_added"));
        assert!(may_move_boundary("schedule.updated"));
        assert!(!may_move_boundary("schedule.handoff_notice_delivered"));
        assert!(!may_move_boundary("incident.opened"));
    }
}
