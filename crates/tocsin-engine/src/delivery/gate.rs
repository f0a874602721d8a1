//! The per-destination gate in front of the sender: a token bucket per destination (its
//! `rate_key`) and a circuit breaker per endpoint (its `circuit_key`), held in memory on this node.
//! The outbox asks `admit` before an attempt and tells `record` the outcome after it.
use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;
use tocsin_domain::delivery::{
    BreakerPolicy, CircuitBreaker, Outcome, Permit, RateLimit, TokenBucket,
};

use super::destination::Destination;

/// Past this many keys a map is cleared: buckets refill and breakers close, which only forgives.
const MAX_TRACKED: usize = 100_000;

/// Why an attempt must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The destination is over its rate; a token is there at the instant.
    RateLimited(Timestamp),
    /// The endpoint's breaker is open (or its probe is out) until the instant.
    CircuitOpen(Timestamp),
}

impl Wait {
    /// When to try again.
    pub fn until(self) -> Timestamp {
        match self {
            Wait::RateLimited(at) | Wait::CircuitOpen(at) => at,
        }
    }
}

/// The gate.
#[derive(Debug)]
pub struct DeliveryGate {
    breaker_policy: BreakerPolicy,
    rate_limit: RateLimit,
    breakers: Mutex<HashMap<String, CircuitBreaker>>,
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DeliveryGate {
    pub fn new(breaker_policy: BreakerPolicy, rate_limit: RateLimit) -> Self {
        Self {
            breaker_policy,
            rate_limit,
            breakers: Mutex::new(HashMap::new()),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// May an attempt to `destination` start at `now`? Takes a token when it may.
    pub fn admit(&self, destination: &Destination, now: Timestamp) -> Result<(), Wait> {
        {
            let mut buckets = lock(&self.buckets);
            if buckets.len() > MAX_TRACKED {
                buckets.clear();
            }
            buckets
                .entry(destination.rate_key())
                .or_insert_with(|| TokenBucket::full(self.rate_limit, now))
                .take(now)
                .map_err(Wait::RateLimited)?;
        }
        let mut breakers = lock(&self.breakers);
        if breakers.len() > MAX_TRACKED {
            breakers.clear();
        }
        match breakers
            .entry(destination.circuit_key())
            .or_insert_with(|| CircuitBreaker::new(self.breaker_policy))
            .permit(now)
        {
            Permit::Allowed => Ok(()),
            Permit::Refused { retry_at } => Err(Wait::CircuitOpen(retry_at)),
        }
    }

    /// Records how an admitted attempt ended.
    pub fn record(&self, destination: &Destination, outcome: &Outcome, now: Timestamp) {
        let mut breakers = lock(&self.breakers);
        breakers
            .entry(destination.circuit_key())
            .or_insert_with(|| CircuitBreaker::new(self.breaker_policy))
            .record(outcome, now);
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    fn slack(path: &str) -> Destination {
        Destination::Slack {
            webhook_url: url::Url::parse(&format!("https://hooks.slack.com/{path}")).expect("url"),
        }
    }

    #[test]
    fn an_open_circuit_holds_every_destination_of_the_endpoint_until_the_cool_down() {
        let gate = DeliveryGate::new(
            BreakerPolicy {
                failure_threshold: 2,
                cool_down: SignedDuration::from_secs(60),
            },
            RateLimit {
                per_second: 100.0,
                burst: 100.0,
            },
        );
        let failed = Outcome::Retryable {
            reason: "HTTP 503".into(),
            retry_after: None,
        };
        for _ in 0..2 {
            gate.admit(&slack("a"), at(0)).expect("closed");
            gate.record(&slack("a"), &failed, at(0));
        }
        assert_eq!(
            gate.admit(&slack("b"), at(1)),
            Err(Wait::CircuitOpen(at(60)))
        );
        assert_eq!(gate.admit(&slack("b"), at(60)), Ok(()), "the probe");
        gate.record(&slack("b"), &Outcome::Delivered { receipt: None }, at(61));
        assert_eq!(gate.admit(&slack("a"), at(61)), Ok(()));
    }

    #[test]
    fn each_destination_has_its_own_rate() {
        let gate = DeliveryGate::new(
            BreakerPolicy::default(),
            RateLimit {
                per_second: 1.0,
                burst: 1.0,
            },
        );
        assert_eq!(gate.admit(&slack("a"), at(0)), Ok(()));
        assert_eq!(
            gate.admit(&slack("a"), at(0)),
            Err(Wait::RateLimited(at(1)))
        );
        assert_eq!(gate.admit(&slack("b"), at(0)), Ok(()));
    }
}
