//! Rate limits as token buckets over injected instants: a sustained rate and a burst. Intake
//! charges one token per alert to an integration key's bucket; delivery one per message to a
//! destination's. A refusal says when the tokens asked for will be there.
use jiff::{SignedDuration, Timestamp};

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens per second, sustained.
    pub per_second: f64,
    /// Tokens that may be taken at once before the rate applies.
    pub burst: f64,
}

impl Default for RateLimit {
    /// A delivery destination's default: one message per second with a burst of five, within
    /// what Slack allows an incoming webhook.
    fn default() -> Self {
        Self {
            per_second: 1.0,
            burst: 5.0,
        }
    }
}

/// One sender's or destination's bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    updated: Timestamp,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn full(limit: RateLimit, now: Timestamp) -> Self {
        Self {
            limit,
            tokens: limit.burst.max(1.0),
            updated: now,
        }
    }

    /// Takes one token at `now`, or answers the instant one will be available.
    pub fn take(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        self.take_many(1.0, now)
    }

    /// Takes `cost` tokens at `now`, or answers the instant they will be available (for a cost
    /// above the burst: the instant the bucket is full). An instant earlier than the last one seen
    /// adds nothing (a clock step back never mints tokens).
    pub fn take_many(&mut self, cost: f64, now: Timestamp) -> Result<(), Timestamp> {
        let burst = self.limit.burst.max(1.0);
        if now > self.updated {
            let elapsed = now.duration_since(self.updated).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.limit.per_second).min(burst);
            self.updated = now;
        }
        if self.tokens >= cost {
            self.tokens -= cost;
            return Ok(());
        }
        let rate = self.limit.per_second.max(f64::MIN_POSITIVE);
        let wait = ((cost.min(burst) - self.tokens) / rate).min(86_400.0);
        Err(self.updated + SignedDuration::from_secs_f64(wait))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(millis: i64) -> Timestamp {
        Timestamp::from_millisecond(1_800_000_000_000 + millis).expect("valid")
    }

    const LIMIT: RateLimit = RateLimit {
        per_second: 2.0,
        burst: 3.0,
    };

    #[test]
    fn allows_the_burst_then_says_when_the_next_token_arrives() {
        let mut bucket = TokenBucket::full(LIMIT, at(0));
        for _ in 0..3 {
            assert_eq!(bucket.take(at(0)), Ok(()));
        }
        assert_eq!(bucket.take(at(0)), Err(at(500)));
        assert_eq!(bucket.take(at(250)), Err(at(500)));
        assert_eq!(bucket.take(at(500)), Ok(()));
    }

    #[test]
    fn refills_at_the_rate_but_never_past_the_burst() {
        let mut bucket = TokenBucket::full(LIMIT, at(0));
        for _ in 0..3 {
            bucket.take(at(0)).expect("burst");
        }
        for _ in 0..3 {
            assert_eq!(bucket.take(at(60_000)), Ok(()));
        }
        assert!(
            bucket.take(at(60_000)).is_err(),
            "the burst caps the refill"
        );
    }

    #[test]
    fn takes_several_tokens_at_once_and_says_when_they_will_be_there() {
        let limit = RateLimit {
            per_second: 2.0,
            burst: 4.0,
        };
        let mut bucket = TokenBucket::full(limit, at(0));
        assert_eq!(bucket.take_many(4.0, at(0)), Ok(()));
        assert_eq!(
            bucket.take_many(3.0, at(0)),
            Err(at(1_500)),
            "3 tokens at 2/s"
        );
        assert_eq!(
            bucket.take_many(9.0, at(0)),
            Err(at(2_000)),
            "a cost above the burst waits for a full bucket"
        );
        assert_eq!(
            bucket.take_many(1.0, at(500)),
            Ok(()),
            "half a second refills one"
        );
    }

    #[test]
    fn a_clock_step_back_mints_nothing() {
        let mut bucket = TokenBucket::full(LIMIT, at(10_000));
        for _ in 0..3 {
            bucket.take(at(10_000)).expect("burst");
        }
        assert!(bucket.take(at(0)).is_err());
    }

    proptest! {
        #[test]
        fn never_allows_more_than_burst_plus_rate_times_elapsed(
            steps in proptest::collection::vec(0i64..2_000, 1..200),
        ) {
            let mut bucket = TokenBucket::full(LIMIT, at(0));
            let (mut now, mut allowed) = (0i64, 0u32);
            for step in steps {
                now += step;
                if bucket.take(at(now)).is_ok() {
                    allowed += 1;
                }
                let budget = LIMIT.burst + LIMIT.per_second * now as f64 / 1000.0;
                prop_assert!(f64::from(allowed) <= budget + 1e-9);
            }
        }
    }
}
