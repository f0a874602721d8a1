//! Throttles failed logins per account and per client address: after `max_failures` failures
//! within `window`, further attempts are refused until the oldest failure ages out. The same
//! counters apply whether the account exists or not, so throttling reveals nothing.
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    window: SignedDuration,
    failures: Mutex<HashMap<String, VecDeque<Timestamp>>>,
}

/// Bounds memory: beyond this many tracked keys, expired entries are dropped first.
const MAX_KEYS: usize = 100_000;

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        let window = SignedDuration::try_from(window).unwrap_or(SignedDuration::from_mins(15));
        Self {
            max_failures: max_failures.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, address: &str) -> [String; 2] {
        [
            format!("account:{}", account.trim().to_lowercase()),
            format!("address:{address}"),
        ]
    }

    /// `Some(seconds)` to wait when either the account or the address is throttled now.
    pub fn retry_after(&self, account: &str, address: &str, now: Timestamp) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(account, address)
            .iter()
            .filter_map(|key| {
                let entries = failures.get_mut(key)?;
                self.expire(entries, now);
                if entries.len() < self.max_failures as usize {
                    return None;
                }
                let oldest = *entries.front()?;
                let wait = (oldest + self.window).duration_since(now).as_secs().max(1);
                Some(u64::try_from(wait).unwrap_or(1))
            })
            .max()
    }

    pub fn record_failure(&self, account: &str, address: &str, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS {
            failures
                .retain(|_, entries| entries.back().is_some_and(|last| *last + self.window > now));
        }
        for key in Self::keys(account, address) {
            let entries = failures.entry(key).or_default();
            self.expire(entries, now);
            entries.push_back(now);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [account_key, _] = Self::keys(account, address);
        failures.remove(&account_key);
    }

    fn expire(&self, entries: &mut VecDeque<Timestamp>, now: Timestamp) {
        while entries
            .front()
            .is_some_and(|first| *first + self.window <= now)
        {
            entries.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    #[test]
    fn throttles_after_max_failures_until_the_window_passes() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        for s in 0..3 {
            assert_eq!(
                throttle.retry_after("ada@example.com", "10.0.0.1", at(s)),
                None
            );
            throttle.record_failure("ada@example.com", "10.0.0.1", at(s));
        }
        assert_eq!(
            throttle.retry_after("ADA@example.com", "10.0.0.9", at(10)),
            Some(50)
        );
        assert_eq!(
            throttle.retry_after("ada@example.com", "10.0.0.9", at(61)),
            None
        );
    }

    #[test]
    fn one_address_guessing_many_accounts_is_throttled_too() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        for (s, account) in ["a@x.io", "b@x.io", "c@x.io"].iter().enumerate() {
            throttle.record_failure(account, "10.0.0.1", at(s as i64));
        }
        assert!(throttle.retry_after("d@x.io", "10.0.0.1", at(5)).is_some());
        assert!(throttle.retry_after("d@x.io", "10.0.0.2", at(5)).is_none());
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        throttle.record_failure("a@x.io", "1", at(0));
        throttle.record_success("a@x.io", "1");
        throttle.record_failure("a@x.io", "2", at(1));
        assert_eq!(throttle.retry_after("a@x.io", "3", at(2)), None);
    }
}
