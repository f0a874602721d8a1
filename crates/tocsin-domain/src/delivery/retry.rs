//! When to try a failed delivery again: exponential backoff with full or decorrelated jitter, a
//! maximum number of attempts and a maximum delay. Randomness is injected, so the same random
//! values give the same delays and tests can assert the bounds.
use std::time::Duration;

/// A source of uniformly distributed numbers in `[0, 1)`.
pub trait RandomSource {
    fn next_unit(&mut self) -> f64;
}

impl<F: FnMut() -> f64> RandomSource for F {
    fn next_unit(&mut self) -> f64 {
        self()
    }
}

/// How the random part of a delay is drawn (see the AWS Architecture Blog's "Exponential Backoff
/// And Jitter").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Uniform in `[0, min(max_delay, base · 2^(attempt-1))]`.
    Full,
    /// Uniform in `[base, previous delay · 3]`, at most `max_delay`.
    Decorrelated,
}

/// The retry rules of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; `1` means never retry.
    pub max_attempts: u32,
    /// The delay scale: the first retry waits about this long.
    pub base_delay: Duration,
    /// No delay is longer, a provider's Retry-After included.
    pub max_delay: Duration,
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(300),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// The delay before the attempt following `attempts_made` failed attempts, or `None` when the
    /// attempts are used up. `previous_delay` is the delay that preceded the last attempt (none
    /// before the first); `retry_after` is what the provider asked for, which raises the delay
    /// (still at most `max_delay`).
    pub fn next_delay(
        &self,
        attempts_made: u32,
        previous_delay: Option<Duration>,
        retry_after: Option<Duration>,
        random: &mut impl RandomSource,
    ) -> Option<Duration> {
        if attempts_made == 0 || attempts_made >= self.max_attempts {
            return None;
        }
        let unit = random.next_unit().clamp(0.0, 1.0);
        let cap = self.max_delay.as_secs_f64();
        let base = self.base_delay.as_secs_f64().min(cap);
        let jittered = match self.jitter {
            Jitter::Full => {
                let exponent = i32::try_from(attempts_made - 1).unwrap_or(i32::MAX).min(62);
                unit * (base * 2f64.powi(exponent)).min(cap)
            }
            Jitter::Decorrelated => {
                let previous = previous_delay.map_or(base, |d| d.as_secs_f64()).max(base);
                let upper = (previous * 3.0).min(cap);
                base + unit * (upper - base).max(0.0)
            }
        };
        let floor = retry_after.map_or(0.0, |d| d.as_secs_f64());
        Some(Duration::from_secs_f64(jittered.max(floor).min(cap)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: SECOND,
            max_delay: Duration::from_secs(10),
            jitter,
        }
    }

    #[test]
    fn full_jitter_doubles_the_upper_bound_per_attempt_up_to_the_cap() {
        let p = policy(Jitter::Full);
        let mut top = || 1.0;
        let uppers: Vec<_> = (1..5)
            .map(|n| p.next_delay(n, None, None, &mut top))
            .collect();
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(uppers, [secs(1), secs(2), secs(4), secs(8)]);
        let big = RetryPolicy {
            max_attempts: 100,
            ..p
        };
        assert_eq!(big.next_delay(90, None, None, &mut top), secs(10));
        assert_eq!(p.next_delay(3, None, None, &mut || 0.0), secs(0));
    }

    #[test]
    fn attempts_run_out_at_the_maximum() {
        let p = policy(Jitter::Full);
        assert!(p.next_delay(4, None, None, &mut || 0.5).is_some());
        assert_eq!(p.next_delay(5, None, None, &mut || 0.5), None);
        assert_eq!(p.next_delay(0, None, None, &mut || 0.5), None);
    }

    #[test]
    fn decorrelated_jitter_grows_from_the_previous_delay() {
        let p = policy(Jitter::Decorrelated);
        let prev = Some(Duration::from_secs(2));
        assert_eq!(p.next_delay(2, prev, None, &mut || 0.0), Some(SECOND));
        assert_eq!(
            p.next_delay(2, prev, None, &mut || 1.0),
            Some(Duration::from_secs(6))
        );
        let long = Some(Duration::from_secs(9));
        assert_eq!(
            p.next_delay(3, long, None, &mut || 1.0),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn retry_after_raises_the_delay_but_never_past_the_cap() {
        let p = policy(Jitter::Full);
        let asked = Some(Duration::from_secs(7));
        assert_eq!(
            p.next_delay(1, None, asked, &mut || 0.0),
            Some(Duration::from_secs(7))
        );
        let too_long = Some(Duration::from_secs(3600));
        assert_eq!(
            p.next_delay(1, None, too_long, &mut || 0.0),
            Some(Duration::from_secs(10))
        );
    }

    proptest! {
        #[test]
        fn delays_stay_within_the_jitter_bounds(
            attempt in 1u32..40,
            unit in 0.0f64..1.0,
            previous in proptest::option::of(0u64..100_000),
            decorrelated in any::<bool>(),
        ) {
            let jitter = if decorrelated { Jitter::Decorrelated } else { Jitter::Full };
            let p = RetryPolicy { max_attempts: 50, base_delay: SECOND, max_delay: Duration::from_secs(60), jitter };
            let previous = previous.map(Duration::from_millis);
            let delay = p.next_delay(attempt, previous, None, &mut || unit).expect("attempts left");
            prop_assert!(delay <= p.max_delay);
            if decorrelated {
                prop_assert!(delay >= p.base_delay);
            } else {
                let exponent = (attempt - 1).min(62) as i32;
                let upper = (2f64.powi(exponent)).min(60.0);
                prop_assert!(delay.as_secs_f64() <= upper + 1e-9);
            }
        }
    }
}
