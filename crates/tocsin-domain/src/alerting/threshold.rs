//! Signal thresholds: page only once a grouping key has been seen `count` times within a window
//! (critical alerts always page).
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Severity;

/// The largest count a threshold may have: a held alert keeps at most this many occurrence
/// instants.
pub const MAX_COUNT: u32 = 1000;

/// Page after `count` occurrences within `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub count: u32,
    pub window_seconds: u32,
}

/// What to do with an alert under a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThresholdDecision {
    /// Open the alert and notify.
    Page,
    /// Keep the alert held: `seen` occurrences in the window, `needed` to page.
    Hold { seen: u32, needed: u32 },
}

impl Threshold {
    /// Decides for an alert of `severity` at `at`, given the times the grouping key was seen,
    /// including this occurrence. An occurrence counts when it lies in the window ending at `at`:
    /// `at - window < t <= at` (later ones, from clock skew, do not count).
    pub fn decide(
        self,
        severity: Severity,
        at: Timestamp,
        occurrences: &[Timestamp],
    ) -> ThresholdDecision {
        if severity == Severity::Critical {
            return ThresholdDecision::Page;
        }
        let seen = self.seen(at, occurrences);
        if seen >= self.count {
            ThresholdDecision::Page
        } else {
            ThresholdDecision::Hold {
                seen,
                needed: self.count,
            }
        }
    }

    fn counts(self, at: Timestamp, occurrence: Timestamp) -> bool {
        let window = SignedDuration::from_secs(i64::from(self.window_seconds));
        occurrence <= at && at.duration_since(occurrence) < window
    }

    /// How many of `occurrences` lie in the window ending at `at`.
    pub fn seen(self, at: Timestamp, occurrences: &[Timestamp]) -> u32 {
        let seen = occurrences
            .iter()
            .filter(|occurrence| self.counts(at, **occurrence))
            .count();
        u32::try_from(seen).unwrap_or(u32::MAX)
    }

    /// The occurrences worth keeping at `at`: those in the window, oldest first, at most the
    /// `count` most recent (and never more than [`MAX_COUNT`]) — all a later decision needs.
    pub fn keep_recent(self, at: Timestamp, occurrences: &[Timestamp]) -> Vec<Timestamp> {
        let mut kept: Vec<Timestamp> = occurrences
            .iter()
            .copied()
            .filter(|occurrence| self.counts(at, *occurrence))
            .collect();
        kept.sort();
        let keep = self.count.clamp(1, MAX_COUNT) as usize;
        let drop = kept.len().saturating_sub(keep);
        kept.drain(..drop);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    const THREE_IN_FIVE_MINUTES: Threshold = Threshold {
        count: 3,
        window_seconds: 300,
    };

    #[test]
    fn holds_until_the_count_is_reached_within_the_window() {
        let now = at(1000);
        let decide = |times: &[i64]| {
            let occurrences: Vec<_> = times.iter().map(|t| at(*t)).collect();
            THREE_IN_FIVE_MINUTES.decide(Severity::Warning, now, &occurrences)
        };
        assert_eq!(
            decide(&[1000]),
            ThresholdDecision::Hold { seen: 1, needed: 3 }
        );
        assert_eq!(
            decide(&[900, 1000]),
            ThresholdDecision::Hold { seen: 2, needed: 3 }
        );
        assert_eq!(decide(&[800, 900, 1000]), ThresholdDecision::Page);
        // Exactly one window ago is outside; one second later is inside.
        assert_eq!(
            decide(&[700, 900, 1000]),
            ThresholdDecision::Hold { seen: 2, needed: 3 }
        );
        assert_eq!(decide(&[701, 900, 1000]), ThresholdDecision::Page);
        // A future occurrence does not count.
        assert_eq!(
            decide(&[1001, 900, 1000]),
            ThresholdDecision::Hold { seen: 2, needed: 3 }
        );
    }

    #[test]
    fn critical_always_pages_and_a_count_of_one_pages_at_once() {
        assert_eq!(
            THREE_IN_FIVE_MINUTES.decide(Severity::Critical, at(0), &[]),
            ThresholdDecision::Page
        );
        let once = Threshold {
            count: 1,
            window_seconds: 60,
        };
        assert_eq!(
            once.decide(Severity::Info, at(0), &[at(0)]),
            ThresholdDecision::Page
        );
    }

    #[test]
    fn only_the_most_recent_occurrences_in_the_window_are_kept() {
        let occurrences: Vec<_> = [0, 100, 750, 800, 900, 1000, 1001]
            .iter()
            .map(|t| at(*t))
            .collect();
        assert_eq!(
            THREE_IN_FIVE_MINUTES.keep_recent(at(1000), &occurrences),
            vec![at(800), at(900), at(1000)]
        );
        assert_eq!(
            THREE_IN_FIVE_MINUTES.keep_recent(at(2000), &occurrences),
            Vec::<Timestamp>::new()
        );
    }

    fn severity() -> impl Strategy<Value = Severity> {
        prop::sample::select(Severity::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn keeping_the_recent_occurrences_never_changes_the_decision(
            count in 1_u32..8,
            window in 1_u32..600,
            offsets in prop::collection::vec(0_i64..1200, 0..20),
            later in 0_i64..700,
        ) {
            let threshold = Threshold { count, window_seconds: window };
            let now = at(2000);
            let all: Vec<_> = offsets.iter().map(|o| at(2000 - o)).collect();
            let kept = threshold.keep_recent(now, &all);
            prop_assert!(kept.len() <= count as usize);
            // At any later instant, with one more occurrence then, the kept list decides alike.
            let then = at(2000 + later);
            let mut all_then = all.clone();
            all_then.push(then);
            let mut kept_then = kept.clone();
            kept_then.push(then);
            prop_assert_eq!(
                threshold.decide(Severity::Warning, then, &all_then),
                threshold.decide(Severity::Warning, then, &kept_then)
            );
        }

        #[test]
        fn more_occurrences_in_the_window_never_turn_a_page_into_a_hold(
            count in 1_u32..8,
            window in 1_u32..600,
            offsets in prop::collection::vec(0_i64..1200, 0..12),
            extra in 0_u32..600,
            severity in severity(),
        ) {
            let threshold = Threshold { count, window_seconds: window };
            let now = at(2000);
            let base: Vec<_> = offsets.iter().map(|o| at(2000 - o)).collect();
            let mut more = base.clone();
            more.push(at(2000 - i64::from(extra % window)));
            let before = threshold.decide(severity, now, &base);
            let after = threshold.decide(severity, now, &more);
            match (before, after) {
                (ThresholdDecision::Page, after) => prop_assert_eq!(after, ThresholdDecision::Page),
                (ThresholdDecision::Hold { seen, .. }, ThresholdDecision::Hold { seen: seen_after, .. }) => {
                    prop_assert_eq!(seen_after, seen + 1);
                }
                (ThresholdDecision::Hold { seen, .. }, ThresholdDecision::Page) => {
                    prop_assert_eq!(seen + 1, count);
                }
            }
        }

        #[test]
        fn occurrences_outside_the_window_never_count(
            count in 1_u32..8,
            window in 1_u32..600,
            inside in prop::collection::vec(0_u32..600, 0..8),
            outside in prop::collection::vec(0_i64..5000, 0..8),
            severity in severity(),
        ) {
            let threshold = Threshold { count, window_seconds: window };
            let now = at(10_000);
            let within: Vec<_> = inside.iter().map(|o| at(10_000 - i64::from(o % window))).collect();
            let mut with_old_and_future = within.clone();
            for offset in &outside {
                with_old_and_future.push(at(10_000 - i64::from(window) - offset));
                with_old_and_future.push(at(10_001 + offset));
            }
            prop_assert_eq!(
                threshold.decide(severity, now, &within),
                threshold.decide(severity, now, &with_old_and_future)
            );
        }
    }
}
