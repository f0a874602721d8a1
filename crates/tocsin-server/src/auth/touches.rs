//! One "last used" write per credential per interval on this node: a burst of requests with a
//! token that was not used for a while would otherwise queue one write each on the same row (on
//! PostgreSQL each waits for the previous one's lock, holding a pooled connection meanwhile).
use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

/// The most credentials remembered; beyond it the oldest are forgotten (a forgotten one may be
/// written once more, which is harmless).
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct TouchDebounce {
    last: Mutex<HashMap<Uuid, Timestamp>>,
}

impl TouchDebounce {
    /// Whether this node should write `credential`'s last use at `now`: not when it wrote it less
    /// than `every` ago.
    pub fn should_touch(&self, credential: Uuid, now: Timestamp, every: SignedDuration) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return true;
        };
        if last.get(&credential).is_some_and(|at| *at + every > now) {
            return false;
        }
        if last.len() >= CAPACITY {
            let cutoff = now - every;
            last.retain(|_, at| *at > cutoff);
        }
        last.insert(credential, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_touches_once_per_interval() {
        let debounce = TouchDebounce::default();
        let (token, other) = (Uuid::now_v7(), Uuid::now_v7());
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().expect("valid");
        let every = SignedDuration::from_secs(60);
        assert!(debounce.should_touch(token, now, every));
        assert!(!debounce.should_touch(token, now, every));
        assert!(!debounce.should_touch(token, now + SignedDuration::from_secs(59), every));
        assert!(debounce.should_touch(other, now, every));
        assert!(debounce.should_touch(token, now + every, every));
    }
}
