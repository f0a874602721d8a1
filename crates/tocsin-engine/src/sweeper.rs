//! Retention for sign-in sessions: a session is purged `RETENTION` after it ends. The sweeper
//! sleeps until the earliest session's purge deadline, or until a sign-in or sign-out is committed.
use std::time::Duration;

use jiff::Timestamp;
use tocsin_domain::SharedClock;
use tocsin_store::access::sessions::{self, RETENTION};
use tocsin_store::{Store, StoreError};
use tokio::sync::watch;

use crate::deadline;

/// When the next purge is due, given the earliest instant a stored session ended or will end.
pub fn purge_due(earliest_end: Option<Timestamp>) -> Option<Timestamp> {
    earliest_end.map(|end| end + RETENTION)
}

/// Purges what is due at `now`; returns how many sessions were removed.
pub async fn sweep(store: &Store, now: Timestamp) -> Result<u64, StoreError> {
    store
        .write(move |tx| Box::pin(async move { sessions::purge_ended(tx, now).await }))
        .await
}

pub(crate) async fn run(store: Store, clock: SharedClock, mut stopped: watch::Receiver<bool>) {
    let mut committed = store.subscribe();
    loop {
        let now = clock.now();
        match sweep(&store, now).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "purged ended sessions"),
            Err(error) => tracing::warn!(%error, "session sweep failed; retrying later"),
        }
        let due = match sessions::next_end(store.reader()).await {
            Ok(earliest) => purge_due(earliest),
            Err(_) => Some(now + jiff::SignedDuration::from_mins(1)),
        };
        // Never spin: a purge that removed nothing due keeps at least a second between sweeps.
        let wait = deadline::sleep_for(clock.now(), due).max(Duration::from_secs(1));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = deadline::committed_event(&mut committed, |kind| kind.starts_with("session.")) => {}
            _ = stopped.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_is_due_one_retention_period_after_the_earliest_end() {
        let end: Timestamp = "2026-11-27T12:00:00Z".parse().expect("valid");
        assert_eq!(
            purge_due(Some(end)),
            Some("2026-12-04T12:00:00Z".parse().expect("valid"))
        );
        assert_eq!(purge_due(None), None);
    }
}
