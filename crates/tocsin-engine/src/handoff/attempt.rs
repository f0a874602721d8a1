//! One attempt of one claimed handoff notice: gate (rate limit, breaker), render the handoff
//! template, then the outbox's send (idempotency key, classification); record while the lease
//! holds.
use tocsin_domain::delivery::{IdempotencyKey, MessageKind, Notification, Urgency};
use tocsin_domain::oncall::handoff::Direction;
use tocsin_store::StoreError;
use tocsin_store::handoff::{self, ClaimedHandoff};
use tocsin_store::outbox::Recorded;

use super::HandoffWorker;
use crate::outbox::message::{destination_of, template_for};
use crate::outbox::{Admitted, Attempted};

fn kind(direction: Direction) -> MessageKind {
    match direction {
        Direction::OnCallStart => MessageKind::HandoffStart,
        Direction::OnCallEnd => MessageKind::HandoffEnd,
    }
}

impl HandoffWorker {
    pub(super) async fn attempt(&self, claimed: ClaimedHandoff) -> Result<Attempted, StoreError> {
        let (outbox, id) = (&self.outbox, claimed.id);
        let now = outbox.clock.now();
        if claimed.lease_until <= now {
            return Ok(Attempted::LostLease { id });
        }
        let destination =
            match destination_of(claimed.channel, &claimed.address, claimed.secret.as_deref()) {
                Ok(destination) => destination,
                Err(reason) => return self.record(&claimed, Recorded::Failed { reason }).await,
            };
        if let Err(wait) = outbox.gate.admit(&destination, now) {
            let (until, fence) = (wait.until(), claimed.fence);
            let held = outbox
                .store
                .write(move |tx| {
                    Box::pin(async move { handoff::defer(tx, id, fence, until, now).await })
                })
                .await?;
            return Ok(if held {
                Attempted::Deferred { id, until }
            } else {
                Attempted::LostLease { id }
            });
        }
        let notification = Notification {
            urgency: Urgency::Low,
            recipient_name: Some(claimed.recipient_name.clone()),
            handoff: Some(claimed.handoff.clone()),
            ..Notification::new(kind(claimed.direction))
        };
        let set = template_for(&outbox.store, notification.kind, claimed.channel).await?;
        let key = IdempotencyKey::parse(&format!("tocsin-handoff-{}", claimed.id.simple()))
            .map_err(StoreError::Corrupt)?;
        let admitted = Admitted {
            destination: &destination,
            notification: &notification,
            set: &set,
            key: &key,
            lease_until: claimed.lease_until,
            attempts: claimed.attempts,
            last_delay_ms: claimed.last_delay_ms,
        };
        match outbox.send_admitted(admitted).await {
            Some(result) => self.record(&claimed, result).await,
            None => Ok(Attempted::LostLease { id }),
        }
    }

    async fn record(
        &self,
        claimed: &ClaimedHandoff,
        outcome: Recorded,
    ) -> Result<Attempted, StoreError> {
        let (id, fence, now) = (claimed.id, claimed.fence, self.outbox.clock.now());
        let kept = outcome.clone();
        let held = self
            .outbox
            .store
            .write(move |tx| {
                Box::pin(async move { handoff::record_outcome(tx, id, fence, kept, now).await })
            })
            .await?;
        Ok(if held {
            Attempted::Recorded { id, outcome }
        } else {
            Attempted::LostLease { id }
        })
    }
}
