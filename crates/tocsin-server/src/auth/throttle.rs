//! Throttles failed logins per account and per client address.
use std::time::Duration;

#[derive(Debug)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window: Duration,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
        }
    }
}
