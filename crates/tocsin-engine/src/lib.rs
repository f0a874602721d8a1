//! Tocsin's runtime: background work driven by deadlines, never by a fixed polling cycle. Each
//! worker computes when it next has something to do, sleeps until then (or until a committed event
//! tells it the schedule changed), does the work, and repeats.
#![forbid(unsafe_code)]

pub mod cadence;
pub mod deadline;
pub mod delivery;
pub mod escalation;
pub mod handoff;
pub mod heartbeat;
pub mod held;
pub mod ingest;
pub mod lifecycle;
pub mod orchestrator;
pub mod outbox;
pub mod regulatory;
pub mod sweeper;
pub mod temporary_p1;

use tocsin_domain::SharedClock;
use tocsin_store::Store;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The running engine.
pub struct Engine {
    stop: watch::Sender<bool>,
    workers: JoinSet<()>,
}

impl Engine {
    /// Starts every worker; `outbox` delivers the notifications queued, and those due at once
    /// are claimed for it as they are queued (see `OutboxWorker::claiming_on_enqueue`).
    pub fn start(store: Store, clock: SharedClock, outbox: outbox::OutboxWorker) -> Self {
        let outbox = outbox.claiming_on_enqueue();
        let (stop, stopped) = watch::channel(false);
        let mut workers = JoinSet::new();
        workers.spawn(held::run(store.clone(), clock.clone(), stopped.clone()));
        workers.spawn(heartbeat::run(
            store.clone(),
            clock.clone(),
            stopped.clone(),
        ));
        workers.spawn(lifecycle::run(
            store.clone(),
            clock.clone(),
            stopped.clone(),
        ));
        workers.spawn(temporary_p1::run(
            store.clone(),
            clock.clone(),
            stopped.clone(),
        ));
        workers.spawn(escalation::run(
            store.clone(),
            clock.clone(),
            stopped.clone(),
        ));
        workers.spawn(regulatory::run(
            store.clone(),
            clock.clone(),
            stopped.clone(),
        ));
        workers.spawn(cadence::run(store.clone(), clock.clone(), stopped.clone()));
        workers.spawn(handoff::run(
            handoff::HandoffWorker::new(outbox.clone()),
            stopped.clone(),
        ));
        workers.spawn(outbox::run(outbox, stopped.clone()));
        workers.spawn(sweeper::run(store, clock, stopped));
        Self { stop, workers }
    }

    /// Asks every worker to stop and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.workers.join_next().await.is_some() {}
    }
}
