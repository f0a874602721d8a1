//! Flap detection: an alert whose state changed more than `max_changes` times within a window is
//! flapping; it stops flapping once the changes in the window fall back to `max_changes` or fewer.
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// More than `max_changes` state changes within `window_seconds` is flapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlapPolicy {
    pub max_changes: u32,
    pub window_seconds: u32,
}

impl FlapPolicy {
    fn window(self) -> SignedDuration {
        SignedDuration::from_secs(i64::from(self.window_seconds))
    }

    /// The state changes that count at `at`: `at - window < t <= at`.
    pub fn changes_in_window(self, changes: &[Timestamp], at: Timestamp) -> usize {
        let window = self.window();
        changes
            .iter()
            .filter(|change| **change <= at && at.duration_since(**change) < window)
            .count()
    }

    /// Whether the alert is flapping at `at`.
    pub fn is_flapping(self, changes: &[Timestamp], at: Timestamp) -> bool {
        self.changes_in_window(changes, at) > self.max_changes as usize
    }

    /// If flapping at `at`, when it stops if no further change comes: the instant enough of the
    /// changes have left the window for at most `max_changes` to remain. `None` when not flapping.
    pub fn stops_flapping_at(self, changes: &[Timestamp], at: Timestamp) -> Option<Timestamp> {
        if !self.is_flapping(changes, at) {
            return None;
        }
        let window = self.window();
        let mut counted: Vec<Timestamp> = changes
            .iter()
            .copied()
            .filter(|change| *change <= at && at.duration_since(*change) < window)
            .collect();
        counted.sort();
        // The oldest `len - max_changes` must leave; the last of them leaves at its time + window.
        let must_leave = counted.len() - self.max_changes as usize;
        let last_to_leave = counted.get(must_leave.checked_sub(1)?)?;
        last_to_leave.checked_add(window).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    fn times(seconds: &[i64]) -> Vec<Timestamp> {
        seconds.iter().map(|s| at(*s)).collect()
    }

    const POLICY: FlapPolicy = FlapPolicy {
        max_changes: 3,
        window_seconds: 600,
    };

    #[test]
    fn more_than_the_allowed_changes_in_the_window_is_flapping() {
        let changes = times(&[0, 60, 120, 180]);
        assert!(
            !POLICY.is_flapping(&changes[..3], at(180)),
            "exactly max_changes is fine"
        );
        assert!(POLICY.is_flapping(&changes, at(180)));
        assert_eq!(POLICY.changes_in_window(&changes, at(180)), 4);
    }

    #[test]
    fn flapping_stops_when_the_window_count_falls_back_to_the_limit() {
        let changes = times(&[0, 60, 120, 180, 240]);
        assert!(POLICY.is_flapping(&changes, at(240)));
        // Two must leave the window: 0 leaves at 600, 60 leaves at 660.
        assert_eq!(POLICY.stops_flapping_at(&changes, at(240)), Some(at(660)));
        assert!(POLICY.is_flapping(&changes, at(659)));
        assert!(!POLICY.is_flapping(&changes, at(660)));
        assert_eq!(POLICY.stops_flapping_at(&changes, at(660)), None);
        // A new change while flapping pushes the end back.
        let mut more = changes.clone();
        more.push(at(650));
        assert!(POLICY.is_flapping(&more, at(660)));
        assert_eq!(POLICY.stops_flapping_at(&more, at(660)), Some(at(720)));
    }

    #[test]
    fn changes_outside_the_window_or_in_the_future_do_not_count() {
        let changes = times(&[-1000, -600, 0, 60, 120, 5000]);
        assert_eq!(POLICY.changes_in_window(&changes, at(120)), 3);
        assert!(!POLICY.is_flapping(&changes, at(120)));
    }
}
