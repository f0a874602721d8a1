//! A per-node cache of live intake keys by secret, so an intake request does not query the
//! database for its key. Only live keys are cached (an unknown secret always asks the database).
//!
//! Invalidation: before every lookup the cache reads the store's bus of committed events and
//! forgets everything when a key was created, revoked or remapped (`integration_key.*`) or a
//! service was deleted (its keys go with it), or when it fell behind the bus. The SQLite writer
//! publishes a commit's events before it answers the writer, so a revoke answered to its caller is
//! seen by the next lookup on this node. A lookup that missed only fills the cache if nothing was
//! invalidated while it read the database, so a revoke racing with a read cannot be cached away.
//!
//! The bus only carries this node's commits: on PostgreSQL with several nodes, a key revoked
//! through another node is honoured here after at most `TTL` (5 s), the age past which an entry
//! is read again.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use tocsin_store::events::StoredEvent;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;

/// How long an entry is trusted without the bus saying otherwise (other nodes' revocations).
pub const TTL: Duration = Duration::from_secs(5);

/// Past this many entries the cache starts over (keys are few; secrets probed are not cached).
const MAX_ENTRIES: usize = 10_000;

/// A live key as cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedKey {
    pub id: IntegrationKeyId,
    pub service_id: ServiceId,
    pub kind: String,
    pub mapping: Option<String>,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    Hit(Arc<CachedKey>),
    /// Read the database, then `fill` with this generation.
    Miss {
        generation: u64,
    },
}

struct Inner {
    entries: HashMap<String, (Arc<CachedKey>, Instant)>,
    /// `None` once the bus closed: nothing is cached from then on.
    events: Option<Receiver<Arc<StoredEvent>>>,
    /// Bumped on every invalidation.
    generation: u64,
}

/// The cache; one per `AppState`.
pub struct KeyCache {
    inner: Mutex<Inner>,
    ttl: Duration,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").field("ttl", &self.ttl).finish()
    }
}

/// Whether a committed event can change which secrets are live keys, or what they map to.
fn changes_keys(event: &StoredEvent) -> bool {
    event.kind.starts_with("integration_key.") || event.kind == "service.deleted"
}

impl Inner {
    fn invalidate(&mut self) {
        self.entries.clear();
        self.generation += 1;
    }

    /// Reads the bus up to now, forgetting everything if a key may have changed.
    fn catch_up(&mut self) {
        loop {
            let Some(events) = self.events.as_mut() else {
                return;
            };
            match events.try_recv() {
                Ok(event) if changes_keys(&event) => self.invalidate(),
                Ok(_) => {}
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Lagged(_)) => self.invalidate(),
                Err(TryRecvError::Closed) => {
                    self.events = None;
                    self.invalidate();
                    return;
                }
            }
        }
    }
}

impl KeyCache {
    /// A cache fed by `events` (the store's `subscribe()`), trusting entries for `ttl`.
    pub fn new(events: Receiver<Arc<StoredEvent>>, ttl: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                events: Some(events),
                generation: 0,
            }),
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached live key with this secret, or the generation to fill it with after a read.
    pub fn get(&self, secret: &str) -> Lookup {
        let mut inner = self.lock();
        inner.catch_up();
        match inner.entries.get(secret) {
            Some((key, fetched)) if fetched.elapsed() < self.ttl => Lookup::Hit(key.clone()),
            _ => Lookup::Miss {
                generation: inner.generation,
            },
        }
    }

    /// Remembers a live key read from the database at `generation`, unless keys changed since.
    pub fn fill(&self, secret: &str, key: CachedKey, generation: u64) {
        let mut inner = self.lock();
        inner.catch_up();
        if inner.events.is_none() || inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner
            .entries
            .insert(secret.to_owned(), (Arc::new(key), Instant::now()));
    }
}

#[cfg(test)]
mod tests;
