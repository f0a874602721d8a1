//! One attempt of one claimed notification, and the pure rule turning its outcome into what the
//! outbox records (delivered, retry at an instant with jittered backoff, or failed).
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tocsin_domain::delivery::templates::render;
use tocsin_domain::delivery::{
    IdempotencyKey, Notification, Outcome, RandomSource, RetryPolicy, TemplateSet,
};
use tocsin_store::StoreError;
use tocsin_store::outbox::{self, Claimed, Recorded};
use uuid::Uuid;

use super::OutboxWorker;
use super::message;
use crate::delivery::{Delivery, Destination, jitter_source};

/// A message the gate admitted, ready to render and send under a claim.
pub(crate) struct Admitted<'a> {
    pub destination: &'a Destination,
    pub notification: &'a Notification,
    pub set: &'a TemplateSet,
    pub key: &'a IdempotencyKey,
    pub lease_until: Timestamp,
    /// Attempts made before this one, and the delay that preceded it.
    pub attempts: u32,
    pub last_delay_ms: Option<i64>,
}

/// What one claimed notification came to in this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// An attempt was made and recorded.
    Recorded { id: Uuid, outcome: Recorded },
    /// Held back by the rate limit or an open circuit until the instant (no attempt counted).
    Deferred { id: Uuid, until: Timestamp },
    /// The lease ran out (or another node took the row over): nothing was recorded.
    LostLease { id: Uuid },
}

/// What the outbox records after an attempt that ended in `outcome`, `attempts_before` attempts
/// having been made before it (the last after `last_delay`).
pub fn recorded(
    policy: &RetryPolicy,
    attempts_before: u32,
    last_delay: Option<Duration>,
    outcome: Outcome,
    now: Timestamp,
    random: &mut impl RandomSource,
) -> Recorded {
    match outcome {
        Outcome::Delivered { receipt } => Recorded::Delivered { receipt },
        Outcome::Permanent { reason } => Recorded::Failed { reason },
        Outcome::Retryable {
            reason,
            retry_after,
        } => {
            let made = attempts_before.saturating_add(1);
            match policy.next_delay(made, last_delay, retry_after, random) {
                Some(delay) => {
                    let signed = SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX);
                    Recorded::Retry {
                        at: now.saturating_add(signed).unwrap_or(now),
                        delay_ms: i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
                        reason,
                    }
                }
                None => Recorded::Failed {
                    reason: format!("{reason}; gave up after {made} attempts"),
                },
            }
        }
    }
}

impl OutboxWorker {
    /// Makes one attempt of `claimed` (or defers it), recording the outcome with its fence.
    pub(super) async fn attempt(&self, claimed: Claimed) -> Result<Attempted, StoreError> {
        let id = claimed.id;
        let now = self.clock.now();
        if claimed.lease_until <= now {
            return Ok(Attempted::LostLease { id });
        }
        let destination = match message::destination(&claimed) {
            Ok(destination) => destination,
            Err(reason) => return self.record(&claimed, Recorded::Failed { reason }).await,
        };
        if let Err(wait) = self.gate.admit(&destination, now) {
            let until = wait.until();
            let (fence, store) = (claimed.fence, self.store.clone());
            let held = store
                .write(move |tx| {
                    Box::pin(async move { outbox::defer(tx, id, fence, until, now).await })
                })
                .await?;
            return Ok(if held {
                Attempted::Deferred { id, until }
            } else {
                Attempted::LostLease { id }
            });
        }
        let notification = message::notification(self, &claimed, now).await?;
        let set = message::template(&self.store, &claimed).await?;
        let key = IdempotencyKey::parse(&format!("tocsin-{}", claimed.id.simple()))
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
        match self.send_admitted(admitted).await {
            Some(result) => self.record(&claimed, result).await,
            None => Ok(Attempted::LostLease { id }),
        }
    }

    /// Renders and sends a message the gate admitted, records the outcome with the gate and
    /// classifies it; `None` when the lease ran out before sending (nothing was sent).
    pub(crate) async fn send_admitted(&self, admitted: Admitted<'_>) -> Option<Recorded> {
        let rendered = match render(admitted.set, admitted.notification) {
            Ok(rendered) => rendered,
            Err(error) => {
                let reason = format!("the message could not be rendered: {error}");
                return Some(Recorded::Failed { reason });
            }
        };
        if admitted.lease_until <= self.clock.now() {
            return None;
        }
        let delivery = Delivery {
            notification: admitted.notification,
            message: &rendered,
            key: admitted.key,
        };
        let outcome = self.sender.send(admitted.destination, delivery).await;
        let after = self.clock.now();
        self.gate.record(admitted.destination, &outcome, after);
        let last_delay = admitted
            .last_delay_ms
            .and_then(|ms| u64::try_from(ms).ok())
            .map(Duration::from_millis);
        let mut random = jitter_source();
        Some(recorded(
            &self.config.retry,
            admitted.attempts,
            last_delay,
            outcome,
            after,
            &mut random,
        ))
    }

    async fn record(&self, claimed: &Claimed, outcome: Recorded) -> Result<Attempted, StoreError> {
        let (id, fence, now) = (claimed.id, claimed.fence, self.clock.now());
        let kept = outcome.clone();
        let held = self
            .store
            .write(move |tx| {
                Box::pin(async move { outbox::record_outcome(tx, id, fence, kept, now).await })
            })
            .await?;
        Ok(if held {
            Attempted::Recorded { id, outcome }
        } else {
            Attempted::LostLease { id }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            jitter: tocsin_domain::delivery::Jitter::Full,
        }
    }

    fn failed() -> Outcome {
        Outcome::Retryable {
            reason: "HTTP 500".into(),
            retry_after: None,
        }
    }

    #[test]
    fn a_retryable_failure_waits_the_jittered_backoff() {
        let retry = recorded(&policy(), 1, None, failed(), at(0), &mut || 1.0);
        assert_eq!(
            retry,
            Recorded::Retry {
                at: at(4),
                delay_ms: 4000,
                reason: "HTTP 500".into()
            }
        );
    }

    #[test]
    fn retries_stop_at_the_policy_maximum_and_permanent_failures_at_once() {
        let last = recorded(&policy(), 2, None, failed(), at(0), &mut || 0.5);
        assert!(matches!(last, Recorded::Failed { reason } if reason.contains("3 attempts")));
        let permanent = Outcome::Permanent {
            reason: "HTTP 404".into(),
        };
        assert_eq!(
            recorded(&policy(), 0, None, permanent, at(0), &mut || 0.5),
            Recorded::Failed {
                reason: "HTTP 404".into()
            }
        );
        let delivered = Outcome::Delivered {
            receipt: Some("SM1".into()),
        };
        assert_eq!(
            recorded(&policy(), 5, None, delivered, at(0), &mut || 0.5),
            Recorded::Delivered {
                receipt: Some("SM1".into())
            }
        );
    }
}
