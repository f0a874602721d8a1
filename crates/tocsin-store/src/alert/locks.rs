//! The locks alert writes take on PostgreSQL, and the one order they take them in (on SQLite the
//! single writer serialises everything and the locks cost nothing).
//!
//! The counter row is a lock: opening and resolving an alert hold it until the commit, and so do
//! incident rows (joining, resolving) and the `incident-number` advisory lock (opening an
//! incident). Every write that may take several of them takes them in this one order:
//!
//! 1. the alert key's advisory lock (intake, per service and dedup key);
//! 2. the counter rows of every service the write touches, in service id order
//!    (`open_count::lock`, `open_count::lock_all`) — a trigger or a release before it places the alert, a resolve as its
//!    first change, a write of several alert changes (a webhook batch, the held-alert release,
//!    a responder resolving an incident) all of them up front;
//! 3. the grouping key's advisory lock (`place`);
//! 4. the `incident-number` advisory lock and incident rows (opening, joining, reopening,
//!    folding into, resolving an incident).
//!
//! So no write holding the number lock or an incident row ever waits for a counter row, and
//! triggers opening incidents cannot deadlock with resolves (`tests/alert_locks.rs`). One gap is
//! left: in a batch, an acknowledge or resolve that finds its alert in another service through
//! its integration key (`FIND_OPEN_BY_KEY`) locks that service's counter only when it gets there.
use tocsin_domain::id::ServiceId;

use crate::error::StoreError;
use crate::tx::Tx;

/// The advisory lock of an alert key (step 1).
pub(super) fn key_lock(service: ServiceId, dedup_key: &str) -> Vec<u8> {
    let mut lock_key = service.0.as_bytes().to_vec();
    lock_key.extend_from_slice(dedup_key.as_bytes());
    lock_key
}

/// What one event of a write of several will lock: its (routed) service, its dedup key and, for
/// a trigger that may page, its grouping key.
#[derive(Debug, Clone)]
pub struct BatchKey {
    pub service: ServiceId,
    pub dedup_key: String,
    pub grouping_key: Option<String>,
}

/// Takes, up front and each kind in sorted order, the locks a write of several intake events
/// needs — the alert keys', then the services' open-alert counters, then the grouping keys' — so
/// two such writes, or one and a single event, cannot wait for each other in a cycle. Taking a lock again later in the same write is free.
pub async fn lock_batch(tx: &mut Tx, events: &[BatchKey]) -> Result<(), StoreError> {
    let mut keys: Vec<Vec<u8>> = events
        .iter()
        .map(|event| key_lock(event.service, &event.dedup_key))
        .collect();
    let mut groupings: Vec<Vec<u8>> = events
        .iter()
        .filter_map(|event| {
            let key = event.grouping_key.as_deref()?;
            Some(grouping_lock(event.service, key))
        })
        .collect();
    for locks in [&mut keys, &mut groupings] {
        locks.sort();
        locks.dedup();
    }
    for key in &keys {
        tx.lock(key).await?;
    }
    super::open_count::lock_all(tx, events.iter().map(|event| event.service)).await?;
    for key in &groupings {
        tx.lock(key).await?;
    }
    Ok(())
}

/// The advisory lock of a service's grouping key (step 3).
pub(super) fn grouping_lock(service: ServiceId, key: &str) -> Vec<u8> {
    let mut lock_key = b"grouping".to_vec();
    lock_key.extend_from_slice(service.0.as_bytes());
    lock_key.extend_from_slice(key.as_bytes());
    lock_key
}
