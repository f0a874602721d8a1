//! Heartbeat deadlines: the worker sleeps until the earliest `due_at` of a heartbeat not already
//! down (or until a committed `heartbeat.*` event says the schedule may have moved earlier), then
//! takes every overdue heartbeat down, which opens its alert. A ping only moves a deadline later,
//! so the worker needs no wake-up for it: it wakes at the old deadline, finds nothing due, and
//! sleeps until the new one.
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tocsin_domain::SharedClock;
use tocsin_store::heartbeat::{self, EXPIRE_BATCH, Expired};
use tocsin_store::{Store, StoreError, StoredEvent};
use tokio::sync::{broadcast, watch};

use crate::deadline;

/// The shortest pause between two checks, so a deadline the store keeps reporting as due (a clock
/// step backwards, a failing write) cannot spin the loop.
pub const MIN_PAUSE: Duration = Duration::from_secs(1);

/// How long the worker sleeps from `now`: until `earliest_due`, at least `MIN_PAUSE`, at most
/// `deadline::MAX_SLEEP` (also with no heartbeat at all).
pub fn wake_after(now: Timestamp, earliest_due: Option<Timestamp>) -> Duration {
    deadline::sleep_for(now, earliest_due).max(MIN_PAUSE)
}

/// The deadline to sleep until after asking the store for it: a failed read retries in a minute.
pub fn next_wake(
    now: Timestamp,
    earliest_due: Result<Option<Timestamp>, StoreError>,
) -> Option<Timestamp> {
    match earliest_due {
        Ok(due) => due,
        Err(_) => Some(now + SignedDuration::from_mins(1)),
    }
}

/// Takes every heartbeat overdue at `now` down (opening its alert), in batches of
/// `EXPIRE_BATCH`, each batch one write. Answers what went down.
pub async fn check(store: &Store, now: Timestamp) -> Result<Vec<Expired>, StoreError> {
    deadline::drain(EXPIRE_BATCH, || async move {
        let batch = store
            .write(move |tx| Box::pin(async move { heartbeat::expire_due(tx, now).await }))
            .await?;
        let looked_at = batch.len();
        Ok((batch, looked_at))
    })
    .await
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        match check(&store, clock.now()).await {
            Ok(expired) if expired.is_empty() => {}
            Ok(expired) => tracing::info!(missed = expired.len(), "heartbeats missed"),
            Err(error) => tracing::warn!(%error, "heartbeat check failed; retrying later"),
        }
        let now = clock.now();
        let due = next_wake(now, heartbeat::next_due(store.reader()).await);
        tokio::select! {
            _ = tokio::time::sleep(wake_after(now, due)) => {}
            _ = schedule_changed(&mut committed) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Resolves when a heartbeat is created, changed, deleted or recovers (any of which may bring the
/// next deadline earlier).
async fn schedule_changed(committed: &mut broadcast::Receiver<Arc<StoredEvent>>) {
    loop {
        match committed.recv().await {
            Ok(event) if event.kind.starts_with("heartbeat.") => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    #[test]
    fn wakes_exactly_at_the_earliest_deadline() {
        assert_eq!(wake_after(at(0), Some(at(90))), Duration::from_secs(90));
    }

    #[test]
    fn an_overdue_deadline_waits_the_minimum_pause_not_zero() {
        assert_eq!(wake_after(at(100), Some(at(90))), MIN_PAUSE);
        assert_eq!(wake_after(at(90), Some(at(90))), MIN_PAUSE);
    }

    #[test]
    fn no_heartbeat_or_a_far_deadline_sleeps_the_bounded_maximum() {
        assert_eq!(wake_after(at(0), None), deadline::MAX_SLEEP);
        assert_eq!(
            wake_after(at(0), Some(at(31 * 86_400))),
            deadline::MAX_SLEEP
        );
    }

    #[test]
    fn a_failed_read_retries_in_a_minute() {
        let failed = Err(StoreError::Unavailable("down".into()));
        assert_eq!(next_wake(at(0), failed), Some(at(60)));
        assert_eq!(next_wake(at(0), Ok(Some(at(5)))), Some(at(5)));
        assert_eq!(next_wake(at(0), Ok(None)), None);
    }
}
