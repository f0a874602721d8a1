//! Heartbeat monitors, the pure part: the bounds on a heartbeat's interval and grace period, its
//! deadline, its states, and the words of the alert a missed deadline opens.
use jiff::{SignedDuration, Timestamp};

use crate::values::ValueError;

/// The shortest expected interval between pings.
pub const MIN_INTERVAL_SECS: i64 = 10;
/// The longest expected interval between pings (31 days).
pub const MAX_INTERVAL_SECS: i64 = 31 * 86_400;
/// The longest grace period after a missed interval (1 day).
pub const MAX_GRACE_SECS: i64 = 86_400;

/// Where a heartbeat stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeartbeatState {
    /// Created, never pinged yet (its deadline still runs from creation).
    Waiting,
    /// Pinged within its deadline.
    Up,
    /// Its deadline passed without a ping: an alert is open.
    Down,
}

impl HeartbeatState {
    pub fn as_str(self) -> &'static str {
        match self {
            HeartbeatState::Waiting => "waiting",
            HeartbeatState::Up => "up",
            HeartbeatState::Down => "down",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "waiting" => Some(HeartbeatState::Waiting),
            "up" => Some(HeartbeatState::Up),
            "down" => Some(HeartbeatState::Down),
            _ => None,
        }
    }
}

/// Checks an expected interval, in seconds.
pub fn check_interval(secs: i64) -> Result<i64, ValueError> {
    if (MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(ValueError(format!(
            "must be between {MIN_INTERVAL_SECS} and {MAX_INTERVAL_SECS} seconds"
        )))
    }
}

/// Checks a grace period, in seconds.
pub fn check_grace(secs: i64) -> Result<i64, ValueError> {
    if (0..=MAX_GRACE_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(ValueError(format!(
            "must be between 0 and {MAX_GRACE_SECS} seconds"
        )))
    }
}

/// When a heartbeat whose last sign of life (last ping, or creation) was `anchor` is missed.
pub fn due_at(anchor: Timestamp, interval_secs: i64, grace_secs: i64) -> Timestamp {
    let wait = SignedDuration::from_secs(interval_secs.saturating_add(grace_secs));
    anchor.saturating_add(wait).unwrap_or(anchor)
}

/// The dedup key of the alert a heartbeat opens, so its next ping resolves that same alert.
pub fn dedup_key(heartbeat_id: impl std::fmt::Display) -> String {
    format!("heartbeat:{heartbeat_id}")
}

/// The alert summary for a missed heartbeat, e.g. `Heartbeat nightly-backup missed: no ping for
/// 1h 5m`.
pub fn missed_summary(name: &str, interval_secs: i64, grace_secs: i64) -> String {
    format!(
        "Heartbeat {name} missed: no ping for {}",
        span_words(interval_secs.saturating_add(grace_secs))
    )
}

/// Seconds in words: `1d 2h`, `5m 30s`, `45s`.
pub fn span_words(secs: i64) -> String {
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if words.is_empty() {
        "0s".to_owned()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_grace_periods_are_bounded() {
        assert!(check_interval(9).is_err());
        assert_eq!(check_interval(10), Ok(10));
        assert_eq!(check_interval(MAX_INTERVAL_SECS), Ok(MAX_INTERVAL_SECS));
        assert!(check_interval(MAX_INTERVAL_SECS + 1).is_err());
        assert!(check_grace(-1).is_err());
        assert_eq!(check_grace(0), Ok(0));
        assert!(check_grace(MAX_GRACE_SECS + 1).is_err());
    }

    #[test]
    fn the_deadline_is_the_anchor_plus_interval_and_grace() {
        let anchor: Timestamp = "2026-11-27T12:00:00Z".parse().expect("valid");
        let due: Timestamp = "2026-11-27T13:05:00Z".parse().expect("valid");
        assert_eq!(due_at(anchor, 3600, 300), due);
    }

    #[test]
    fn the_summary_says_how_long_it_has_been_silent() {
        assert_eq!(
            missed_summary("backup", 3600, 300),
            "Heartbeat backup missed: no ping for 1h 5m"
        );
        assert_eq!(span_words(90_061), "1d 1h 1m 1s");
        assert_eq!(span_words(0), "0s");
    }

    #[test]
    fn states_round_trip() {
        for state in [
            HeartbeatState::Waiting,
            HeartbeatState::Up,
            HeartbeatState::Down,
        ] {
            assert_eq!(HeartbeatState::parse(state.as_str()), Some(state));
        }
        assert_eq!(HeartbeatState::parse("sideways"), None);
    }
}
