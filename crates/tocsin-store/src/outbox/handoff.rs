//! Claim on enqueue: a node that delivers notifications registers itself as the store's
//! claimant, and every write then queues a notification that is due at once already claimed for
//! it (`sending`, leased, fenced) and hands the row's id to the node's delivery worker in memory
//! once the write has committed. The first page of an incident then needs no second transaction;
//! if the node dies before sending, the lease runs out and any node takes the row over.
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use jiff::SignedDuration;
use tokio::sync::mpsc;
use uuid::Uuid;

/// The node notifications are claimed for as they are queued.
#[derive(Debug)]
pub struct Claimant {
    pub node: String,
    pub lease: SignedDuration,
    handed: mpsc::UnboundedSender<Uuid>,
}

impl Claimant {
    /// Hands committed claims to the worker (ignored once it has stopped: the leases run out
    /// and the rows are taken over like any other).
    pub(crate) fn hand(&self, ids: impl IntoIterator<Item = Uuid>) {
        for id in ids {
            let _ = self.handed.send(id);
        }
    }
}

/// The store's claimant, set at most once (by the node's delivery worker).
#[derive(Debug, Default)]
pub(crate) struct ClaimSlot(OnceLock<Arc<Claimant>>);

impl ClaimSlot {
    pub(crate) fn get(&self) -> Option<Arc<Claimant>> {
        self.0.get().cloned()
    }

    /// Registers `node`; `None` when a claimant is already registered.
    pub(crate) fn register(&self, node: String, lease: SignedDuration) -> Option<HandedClaims> {
        let (handed, receiver) = mpsc::unbounded_channel();
        self.0
            .set(Arc::new(Claimant {
                node,
                lease,
                handed,
            }))
            .ok()?;
        Some(HandedClaims {
            receiver,
            ready: VecDeque::new(),
        })
    }
}

/// The worker's end: ids of notifications claimed for it by committed writes.
#[derive(Debug)]
pub struct HandedClaims {
    receiver: mpsc::UnboundedReceiver<Uuid>,
    ready: VecDeque<Uuid>,
}

impl HandedClaims {
    /// Waits until a claim is handed over (never resolves once every sender is gone).
    pub async fn wait(&mut self) {
        if !self.ready.is_empty() {
            return;
        }
        match self.receiver.recv().await {
            Some(id) => self.ready.push_back(id),
            None => std::future::pending::<()>().await,
        }
    }

    /// Up to `max` handed ids, without waiting.
    pub fn take(&mut self, max: usize) -> Vec<Uuid> {
        while self.ready.len() < max {
            match self.receiver.try_recv() {
                Ok(id) => self.ready.push_back(id),
                Err(_) => break,
            }
        }
        let count = self.ready.len().min(max);
        self.ready.drain(..count).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_claimant_per_store_and_its_ids_arrive_in_order() {
        let slot = ClaimSlot::default();
        let mut handed = slot
            .register("node-a".into(), SignedDuration::from_secs(5))
            .expect("the first registers");
        assert!(
            slot.register("node-b".into(), SignedDuration::from_secs(5))
                .is_none()
        );
        let claimant = slot.get().expect("registered");
        assert_eq!(claimant.node, "node-a");
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        claimant.hand(ids.clone());
        handed.wait().await;
        assert_eq!(handed.take(2), ids[..2]);
        assert_eq!(handed.take(10), ids[2..]);
        assert!(handed.take(10).is_empty());
    }
}
