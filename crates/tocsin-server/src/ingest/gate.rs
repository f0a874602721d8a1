//! Overload control at the door: a token bucket per integration key (429 with Retry-After when a
//! key sends faster than its rate), and a bound on intake writes in flight (503 with Retry-After
//! instead of a queue that grows until memory runs out).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

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

/// A classic token bucket: `burst` tokens, refilled at `rate` per second.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    pub fn full(limits: &IntakeLimits, now: Instant) -> Self {
        Self {
            tokens: limits.burst,
            updated: now,
        }
    }

    /// Takes `cost` tokens, or says how many whole seconds until it could.
    pub fn take(&mut self, cost: f64, limits: &IntakeLimits, now: Instant) -> Result<(), u64> {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limits.rate_per_second).min(limits.burst);
        self.updated = now;
        if self.tokens >= cost {
            self.tokens -= cost;
            return Ok(());
        }
        let missing = cost.min(limits.burst) - self.tokens;
        let wait = (missing / limits.rate_per_second.max(f64::MIN_POSITIVE)).ceil();
        Err((wait as u64).max(1))
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
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > MAX_TRACKED_KEYS {
            buckets.clear();
        }
        let bucket = buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::full(&self.limits, now));
        bucket
            .take(alerts.max(1) as f64, &self.limits, now)
            .map_err(|retry_after_secs| Refusal::RateLimited { retry_after_secs })?;
        Ok(permit)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const LIMITS: IntakeLimits = IntakeLimits {
        rate_per_second: 2.0,
        burst: 4.0,
        max_in_flight: 2,
    };

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::full(&LIMITS, start);
        for _ in 0..4 {
            assert_eq!(bucket.take(1.0, &LIMITS, start), Ok(()));
        }
        assert_eq!(bucket.take(1.0, &LIMITS, start), Err(1));
        assert_eq!(bucket.take(3.0, &LIMITS, start), Err(2), "3 tokens at 2/s");
        let later = start + Duration::from_millis(500);
        assert_eq!(
            bucket.take(1.0, &LIMITS, later),
            Ok(()),
            "half a second refills one"
        );
        let much_later = start + Duration::from_secs(60);
        for _ in 0..4 {
            assert_eq!(bucket.take(1.0, &LIMITS, much_later), Ok(()));
        }
        assert!(
            bucket.take(1.0, &LIMITS, much_later).is_err(),
            "never above the burst"
        );
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
