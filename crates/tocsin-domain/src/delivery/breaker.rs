//! A per-destination circuit breaker: closed while deliveries succeed, open after a run of
//! consecutive failures (deliveries wait instead of hammering a dead endpoint), half-open after a
//! cool-down to let one probe through, closed again when the probe succeeds.
use jiff::{SignedDuration, Timestamp};

use super::outcome::Outcome;

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failures that open the breaker.
    pub failure_threshold: u32,
    /// How long an open breaker refuses before letting a probe through.
    pub cool_down: SignedDuration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: SignedDuration::from_secs(30),
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Deliveries go through; `failures` counts the current run of failures.
    Closed { failures: u32 },
    /// Deliveries wait until `until`.
    Open { until: Timestamp },
    /// One probe may go through; `probing` is true while it is out.
    HalfOpen { probing: bool },
}

/// Whether a delivery may be attempted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Allowed,
    /// Try again at `retry_at`.
    Refused {
        retry_at: Timestamp,
    },
}

/// One destination's breaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitBreaker {
    policy: BreakerPolicy,
    state: BreakerState,
}

impl CircuitBreaker {
    pub fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            state: BreakerState::Closed { failures: 0 },
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Asks to attempt a delivery at `now`. An open breaker whose cool-down has passed turns
    /// half-open and lets this one attempt through as the probe; others wait for the probe.
    pub fn permit(&mut self, now: Timestamp) -> Permit {
        match self.state {
            BreakerState::Closed { .. } => Permit::Allowed,
            BreakerState::Open { until } if now < until => Permit::Refused { retry_at: until },
            BreakerState::Open { .. } | BreakerState::HalfOpen { probing: false } => {
                self.state = BreakerState::HalfOpen { probing: true };
                Permit::Allowed
            }
            BreakerState::HalfOpen { probing: true } => Permit::Refused {
                retry_at: now + self.policy.cool_down,
            },
        }
    }

    /// Records the result of a permitted attempt. Delivered closes; a retryable failure (the
    /// destination is down or overloaded) counts towards opening, and reopens a half-open
    /// breaker; a permanent failure says the request was refused, not that the destination is
    /// unwell, so it ends a probe without counting.
    pub fn record(&mut self, outcome: &Outcome, now: Timestamp) {
        match outcome {
            Outcome::Delivered { .. } => self.state = BreakerState::Closed { failures: 0 },
            Outcome::Retryable { .. } => self.record_failure(now),
            Outcome::Permanent { .. } => {
                if let BreakerState::HalfOpen { .. } = self.state {
                    self.state = BreakerState::HalfOpen { probing: false };
                }
            }
        }
    }

    fn record_failure(&mut self, now: Timestamp) {
        let open = BreakerState::Open {
            until: now + self.policy.cool_down,
        };
        self.state = match self.state {
            BreakerState::Closed { failures } => {
                let failures = failures.saturating_add(1);
                if failures >= self.policy.failure_threshold.max(1) {
                    open
                } else {
                    BreakerState::Closed { failures }
                }
            }
            BreakerState::HalfOpen { .. } | BreakerState::Open { .. } => open,
        };
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    fn failure() -> Outcome {
        Outcome::Retryable {
            reason: "503".into(),
            retry_after: None,
        }
    }

    fn delivered() -> Outcome {
        Outcome::Delivered { receipt: None }
    }

    fn breaker() -> CircuitBreaker {
        CircuitBreaker::new(BreakerPolicy {
            failure_threshold: 3,
            cool_down: SignedDuration::from_secs(30),
        })
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures() {
        let mut b = breaker();
        b.record(&failure(), at(0));
        b.record(&failure(), at(1));
        assert_eq!(b.permit(at(1)), Permit::Allowed);
        b.record(&failure(), at(2));
        assert_eq!(b.state(), BreakerState::Open { until: at(32) });
        assert_eq!(b.permit(at(31)), Permit::Refused { retry_at: at(32) });
    }

    #[test]
    fn a_success_resets_the_run() {
        let mut b = breaker();
        b.record(&failure(), at(0));
        b.record(&failure(), at(0));
        b.record(&delivered(), at(0));
        b.record(&failure(), at(0));
        assert_eq!(b.state(), BreakerState::Closed { failures: 1 });
    }

    #[test]
    fn after_the_cool_down_one_probe_goes_through_and_success_closes() {
        let mut b = breaker();
        for _ in 0..3 {
            b.record(&failure(), at(0));
        }
        assert_eq!(b.permit(at(30)), Permit::Allowed, "the probe");
        assert_eq!(b.state(), BreakerState::HalfOpen { probing: true });
        assert_eq!(b.permit(at(30)), Permit::Refused { retry_at: at(60) });
        b.record(&delivered(), at(31));
        assert_eq!(b.state(), BreakerState::Closed { failures: 0 });
        assert_eq!(b.permit(at(31)), Permit::Allowed);
    }

    #[test]
    fn a_failed_probe_reopens_for_another_cool_down() {
        let mut b = breaker();
        for _ in 0..3 {
            b.record(&failure(), at(0));
        }
        assert_eq!(b.permit(at(40)), Permit::Allowed);
        b.record(&failure(), at(41));
        assert_eq!(b.state(), BreakerState::Open { until: at(71) });
    }

    #[test]
    fn permanent_failures_do_not_open_the_breaker() {
        let mut b = breaker();
        let refused = Outcome::Permanent {
            reason: "404".into(),
        };
        for _ in 0..10 {
            b.record(&refused, at(0));
        }
        assert_eq!(b.state(), BreakerState::Closed { failures: 0 });
    }

    proptest! {
        #[test]
        fn never_allows_while_open_before_the_cool_down(
            outcomes in proptest::collection::vec(0u8..3, 0..40),
        ) {
            let mut b = breaker();
            for (i, o) in outcomes.iter().enumerate() {
                let now = at(i as i64);
                let state_before = b.state();
                let permit = b.permit(now);
                if let BreakerState::Open { until } = state_before {
                    prop_assert_eq!(permit == Permit::Allowed, now >= until);
                }
                if permit == Permit::Allowed {
                    let outcome = match o {
                        0 => delivered(),
                        1 => failure(),
                        _ => Outcome::Permanent { reason: "400".into() },
                    };
                    b.record(&outcome, now);
                }
            }
        }
    }
}
