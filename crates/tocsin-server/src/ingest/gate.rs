//! Overload control at the door: a token bucket per integration key (429 with Retry-After when a
//! key sends faster than its rate), and a bound on intake writes in flight (503 with Retry-After
//! instead of a queue that grows until memory runs out).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use tocsin_domain::rate::{RateLimit, TokenBucket};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// Intake limits (configurable; see `ServerConfig`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntakeLimits {
    /// Sustained alerts per second per key.
    pub rate_per_second: f64,
    /// Alerts a key may send at once before the rate applies.
    pub burst: f64,
    /// Intake requests being written at once, over all keys.
    pub max_in_flight: usize,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            rate_per_second: 1_000.0,
            burst: 10_000.0,
            max_in_flight: 4_096,
        }
    }
}

/// Why the gate turned a request away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This key is over its rate: 429.
    RateLimited { retry_after_secs: u64 },
    /// Too many intake writes in flight: 503.
    Overloaded { retry_after_secs: u64 },
}

/// Past this many keys the bucket map is cleared (buckets refill to full, which only forgives).
const MAX_TRACKED_KEYS: usize = 100_000;

/// The gate every intake request passes.
#[derive(Debug)]
pub struct IntakeGate {
    limits: IntakeLimits,
    /// One bucket per sender: an integration key's id, or a heartbeat's.
    buckets: Mutex<HashMap<Uuid, TokenBucket>>,
    in_flight: Arc<Semaphore>,
}

impl IntakeGate {
    pub fn new(limits: IntakeLimits) -> Self {
        Self {
            limits,
            buckets: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
        }
    }

    /// Admits `alerts` alerts from `key` (an integration key's or a heartbeat's id); the permit is
    /// held until the write is answered.
    pub fn admit(&self, key: Uuid, alerts: usize) -> Result<OwnedSemaphorePermit, Refusal> {
        let permit =
            self.in_flight
                .clone()
                .try_acquire_owned()
                .map_err(|_| Refusal::Overloaded {
                    retry_after_secs: 1,
                })?;
        let now = Timestamp::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > MAX_TRACKED_KEYS {
            buckets.clear();
        }
        let limit = RateLimit {
            per_second: self.limits.rate_per_second,
            burst: self.limits.burst,
        };
        let bucket = buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::full(limit, now));
        bucket
            .take_many(alerts.max(1) as f64, now)
            .map_err(|until| Refusal::RateLimited {
                retry_after_secs: whole_seconds_until(now, until),
            })?;
        Ok(permit)
    }
}

/// Retry-After in whole seconds, at least one.
fn whole_seconds_until(now: Timestamp, until: Timestamp) -> u64 {
    let seconds = until.duration_since(now).as_secs_f64().ceil();
    if seconds >= 1.0 { seconds as u64 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: IntakeLimits = IntakeLimits {
        rate_per_second: 2.0,
        burst: 4.0,
        max_in_flight: 2,
    };

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        let now = Timestamp::from_second(1_800_000_000).expect("valid");
        let later = |millis| now + jiff::SignedDuration::from_millis(millis);
        assert_eq!(whole_seconds_until(now, later(1_500)), 2);
        assert_eq!(whole_seconds_until(now, later(2_000)), 2);
        assert_eq!(whole_seconds_until(now, later(0)), 1);
        assert_eq!(whole_seconds_until(now, later(-500)), 1);
    }

    #[test]
    fn the_gate_limits_each_key_and_the_writes_in_flight() {
        let gate = IntakeGate::new(LIMITS);
        let (one, two) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let first = gate.admit(one, 1).expect("admitted");
        let second = gate.admit(two, 1).expect("admitted");
        assert_eq!(
            gate.admit(two, 1).err(),
            Some(Refusal::Overloaded {
                retry_after_secs: 1
            }),
            "two writes already in flight"
        );
        drop((first, second));
        assert!(
            matches!(gate.admit(one, 4), Err(Refusal::RateLimited { .. })),
            "key one has 3 tokens left"
        );
        assert!(
            gate.admit(two, 3).is_ok(),
            "key two has its own bucket, untouched by the refusal"
        );
    }
}
