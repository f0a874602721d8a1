//! The delivery worker: turns each queued notification into exactly one delivery sequence. It
//! sleeps until the earliest due notification (or a committed `notification.queued` event, or a
//! PostgreSQL `NOTIFY` from another node), claims a batch under a lease and a fencing token, and
//! runs the batch's attempts concurrently: gate (rate limit, circuit breaker), render, send with
//! the row's idempotency key, classify, record — only while the lease is still its own.
mod attempt;
pub mod links;
pub(crate) mod message;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jiff::SignedDuration;
use tocsin_domain::SharedClock;
use tocsin_domain::delivery::{BreakerPolicy, RateLimit, RetryPolicy};
use tocsin_store::outbox::handoff::HandedClaims;
use tocsin_store::outbox::{self, Claimed, NOTIFY_CHANNEL};
use tocsin_store::{Store, StoreError};
use tokio::sync::{Mutex, OnceCell, watch};

use crate::deadline;
use crate::delivery::{DeliveryGate, Sender};
use crate::heartbeat::next_wake;

pub(crate) use attempt::Admitted;
pub use attempt::{Attempted, recorded};

/// The shortest pause between two looks at the outbox, so rows the gate keeps deferring to "now"
/// cannot spin the loop.
pub const MIN_PAUSE: Duration = Duration::from_millis(50);

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// This node's name in `claimed_by` (host and process).
    pub node: String,
    /// The URL action links start with (`config.public_url`).
    pub public_url: String,
    /// How long a claim holds; past it another node may take the row over.
    pub lease: SignedDuration,
    /// The most rows claimed at once.
    pub batch: i64,
    /// The most sends of a batch in flight at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    pub breaker: BreakerPolicy,
    pub rate_limit: RateLimit,
    /// How long an action link works.
    pub link_ttl: SignedDuration,
}

impl OutboxConfig {
    /// The defaults for `node`, with links under `public_url`.
    pub fn new(node: impl Into<String>, public_url: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            public_url: public_url.into(),
            lease: SignedDuration::from_secs(60),
            batch: 64,
            concurrency: 32,
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
            rate_limit: RateLimit::default(),
            link_ttl: tocsin_domain::delivery::action_link::DEFAULT_TTL,
        }
    }
}

/// This node's name for claims: the host name and the process id.
pub fn node_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "tocsin".to_owned());
    format!("{host}-{}", std::process::id())
}

/// The worker's parts; cheap to clone. Tests drive it with [`OutboxWorker::run_once`] at a
/// manual clock.
#[derive(Clone)]
pub struct OutboxWorker {
    pub(crate) store: Store,
    pub(crate) sender: Sender,
    pub(crate) gate: Arc<DeliveryGate>,
    pub(crate) clock: SharedClock,
    pub(crate) config: Arc<OutboxConfig>,
    /// Notifications claimed for this node as they were queued (see [`Self::claiming_on_enqueue`]).
    handed: Option<Arc<Mutex<HandedClaims>>>,
    /// The action-link signing key, read once (it never changes once made).
    pub(crate) signing_key: Arc<OnceCell<Vec<u8>>>,
}

impl OutboxWorker {
    pub fn new(store: Store, sender: Sender, clock: SharedClock, config: OutboxConfig) -> Self {
        let gate = Arc::new(DeliveryGate::new(config.breaker, config.rate_limit));
        Self {
            store,
            sender,
            gate,
            clock,
            config: Arc::new(config),
            handed: None,
            signing_key: Arc::default(),
        }
    }

    /// Registers this worker's node as the store's claimant: a notification due at once is then
    /// claimed for it in the very write that queues it and handed over in memory at commit, so
    /// it is sent without a second transaction (the first page's latency). Only the first worker
    /// of a process registers; the others claim as usual.
    pub fn claiming_on_enqueue(mut self) -> Self {
        self.handed = self
            .store
            .claim_on_enqueue(self.config.node.clone(), self.config.lease)
            .map(|handed| Arc::new(Mutex::new(handed)));
        self
    }

    /// Makes an attempt of each notification handed over since the last look, and of one batch
    /// claimed among those due now (concurrently); answers what each came to.
    pub async fn run_once(&self) -> Result<Vec<Attempted>, StoreError> {
        let mut work = self.take_handed().await;
        let now = self.clock.now();
        let (node, lease, batch) = (
            self.config.node.clone(),
            self.config.lease,
            self.config.batch,
        );
        let claimed = self
            .store
            .write(move |tx| {
                Box::pin(async move { outbox::claim_due(tx, &node, now, lease, batch).await })
            })
            .await?;
        // A handed row whose lease ran out before it was looked at was claimed again just now:
        // the new claim is the one that holds.
        work.retain(|handed| claimed.iter().all(|c| c.id != handed.id));
        work.extend(claimed);
        self.attempt_all(work).await
    }

    /// Makes an attempt of each notification handed over, without claiming anything.
    pub async fn run_handed(&self) -> Result<Vec<Attempted>, StoreError> {
        let work = self.take_handed().await;
        self.attempt_all(work).await
    }

    /// The claims handed over since the last look (at most a batch).
    async fn take_handed(&self) -> Vec<Claimed> {
        let Some(handed) = &self.handed else {
            return Vec::new();
        };
        let batch = usize::try_from(self.config.batch).unwrap_or(1).max(1);
        handed.lock().await.take(batch)
    }

    async fn attempt_all(&self, work: Vec<Claimed>) -> Result<Vec<Attempted>, StoreError> {
        let attempts = futures::stream::iter(work)
            .map(|claimed| self.attempt(claimed))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        attempts.into_iter().collect()
    }

    /// Resolves when a claim is handed over (never without a registration).
    async fn handed_over(&self) {
        match &self.handed {
            Some(handed) => handed.lock().await.wait().await,
            None => std::future::pending().await,
        }
    }

    /// Runs batches until one is not full; answers every attempt.
    pub async fn drain(&self) -> Result<Vec<Attempted>, StoreError> {
        deadline::drain(self.config.batch, || async {
            let done = self.run_once().await?;
            let looked_at = done.len();
            Ok((done, looked_at))
        })
        .await
    }
}

pub(crate) async fn run(worker: OutboxWorker, mut stopped: watch::Receiver<bool>) {
    let store = worker.store.clone();
    let mut committed = store.subscribe();
    let mut peers = match store.listen(NOTIFY_CHANNEL).await {
        Ok(peers) => peers,
        Err(error) => {
            tracing::warn!(%error, "cannot LISTEN for other nodes' notifications; waking on deadlines and local events only");
            futures::stream::pending().boxed()
        }
    };
    let mut only_handed = false;
    loop {
        let done = if only_handed {
            worker.run_handed().await
        } else {
            worker.drain().await
        };
        match done {
            Ok(done) if done.is_empty() => {}
            Ok(done) => tracing::debug!(attempts = done.len(), "notifications attempted"),
            Err(error) => tracing::warn!(%error, "delivering notifications failed; retrying later"),
        }
        if only_handed {
            // Handed rows need no claim and change no deadline: straight back to waiting,
            // unless more were handed over meanwhile.
            only_handed = false;
        }
        let now = worker.clock.now();
        let due = next_wake(now, outbox::next_due(store.reader()).await);
        tokio::select! {
            _ = tokio::time::sleep(deadline::sleep_for(now, due).max(MIN_PAUSE)) => {}
            _ = deadline::committed_matching(&mut committed, queued_unclaimed) => {}
            () = worker.handed_over() => only_handed = true,
            Some(()) = peers.next() => {}
            _ = stopped.changed() => return,
        }
    }
}

/// A `notification.queued` event for a row nobody claimed yet (one claimed at enqueue is handed
/// over in memory instead).
fn queued_unclaimed(event: &tocsin_store::StoredEvent) -> bool {
    event.kind == "notification.queued"
        && event
            .payload
            .get("claimed_by")
            .is_none_or(serde_json::Value::is_null)
}
