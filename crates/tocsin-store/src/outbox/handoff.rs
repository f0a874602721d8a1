//! Claim on enqueue: a node that delivers notifications registers itself as the store's
//! claimant, and every write then queues a notification that is due at once already claimed for
//! it (`sending`, leased, fenced) and hands the claimed row itself to the node's delivery worker
//! in memory once the write has committed. The first page of an incident then needs no second transaction;
//! if the node dies before sending, the lease runs out and any node takes the row over.
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use super::Claimed;
use jiff::SignedDuration;
use tokio::sync::mpsc;

/// The node notifications are claimed for as they are queued.
#[derive(Debug)]
pub struct Claimant {
    pub node: String,
    pub lease: SignedDuration,
    handed: mpsc::UnboundedSender<Claimed>,
}

impl Claimant {
    /// Hands committed claims to the worker (ignored once it has stopped: the leases run out
    /// and the rows are taken over like any other).
    pub(crate) fn hand(&self, claims: impl IntoIterator<Item = Claimed>) {
        for claimed in claims {
            let _ = self.handed.send(claimed);
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

/// The worker's end: notifications claimed for it by committed writes.
#[derive(Debug)]
pub struct HandedClaims {
    receiver: mpsc::UnboundedReceiver<Claimed>,
    ready: VecDeque<Claimed>,
}

impl HandedClaims {
    /// Waits until a claim is handed over (never resolves once every sender is gone).
    pub async fn wait(&mut self) {
        if !self.ready.is_empty() {
            return;
        }
        match self.receiver.recv().await {
            Some(claimed) => self.ready.push_back(claimed),
            None => std::future::pending::<()>().await,
        }
    }

    /// Up to `max` handed claims, without waiting.
    pub fn take(&mut self, max: usize) -> Vec<Claimed> {
        while self.ready.len() < max {
            match self.receiver.try_recv() {
                Ok(claimed) => self.ready.push_back(claimed),
                Err(_) => break,
            }
        }
        let count = self.ready.len().min(max);
        self.ready.drain(..count).collect()
    }
}

#[cfg(test)]
mod tests {
    use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
    use tocsin_domain::id::IncidentId;
    use uuid::Uuid;

    use super::*;

    fn claimed() -> Claimed {
        Claimed {
            id: Uuid::now_v7(),
            incident_id: IncidentId(Uuid::now_v7()),
            user_id: None,
            contact_method_id: Uuid::now_v7(),
            kind: MessageKind::Page,
            urgency: Urgency::High,
            channel: Channel::Email,
            address: "ada@example.com".into(),
            secret: None,
            recipient_name: None,
            attempts: 0,
            last_delay_ms: None,
            fence: 1,
            lease_until: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[tokio::test]
    async fn one_claimant_per_store_and_its_claims_arrive_in_order() {
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
        let claims: Vec<Claimed> = (0..3).map(|_| claimed()).collect();
        let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
        claimant.hand(claims);
        handed.wait().await;
        let first: Vec<Uuid> = handed.take(2).iter().map(|c| c.id).collect();
        assert_eq!(first, ids[..2]);
        let rest: Vec<Uuid> = handed.take(10).iter().map(|c| c.id).collect();
        assert_eq!(rest, ids[2..]);
        assert!(handed.take(10).is_empty());
    }
}
