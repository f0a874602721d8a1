//! The demo's randomness: a small seeded generator (the same organisation and history on every
//! run, so the docs and tests can name what is there) and the shapes drawn from it: severities,
//! how long responders take to acknowledge and resolve, and when each past incident started.
use jiff::{SignedDuration, Timestamp};

/// How far back the past incidents go.
pub const HISTORY: SignedDuration = SignedDuration::from_hours(90 * 24);

/// A permuted congruential generator (PCG-XSH-RR 64/32): small, fast and good enough for made-up
/// data; never for secrets.
#[derive(Debug, Clone)]
pub struct Dice {
    state: u64,
}

impl Dice {
    const MULTIPLIER: u64 = 6_364_136_223_846_793_005;
    const INCREMENT: u64 = 1_442_695_040_888_963_407;

    pub fn seeded(seed: u64) -> Self {
        let mut dice = Self {
            state: seed.wrapping_add(Self::INCREMENT),
        };
        dice.next_u32();
        dice
    }

    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::INCREMENT);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// A number in `low..high` (`low` when the range is empty).
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = u64::try_from(high - low).unwrap_or(1);
        low + i64::try_from(u64::from(self.next_u32()) % span).unwrap_or(0)
    }

    /// True `per_cent` times in a hundred.
    pub fn chance(&mut self, per_cent: i64) -> bool {
        self.between(0, 100) < per_cent
    }

    /// One of `items` (they must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let last = items.len().saturating_sub(1);
        let index = usize::try_from(self.between(0, i64::try_from(items.len()).unwrap_or(1)))
            .unwrap_or(0)
            .min(last);
        &items[index]
    }
}

/// A severity: 10% critical, 25% error, 45% warning, 20% info.
pub fn severity(dice: &mut Dice) -> &'static str {
    match dice.between(0, 100) {
        0..10 => "critical",
        10..35 => "error",
        35..80 => "warning",
        _ => "info",
    }
}

/// Minutes from the page to the acknowledgement: quicker for worse severities.
pub fn minutes_to_acknowledge(dice: &mut Dice, severity: &str) -> i64 {
    match severity {
        "critical" => dice.between(1, 6),
        "error" => dice.between(2, 12),
        _ => dice.between(4, 30),
    }
}

/// Minutes from the page to the resolution: critical outages are worked on hardest, but the
/// causes behind them take longest.
pub fn minutes_to_resolve(dice: &mut Dice, severity: &str) -> i64 {
    match severity {
        "critical" => dice.between(45, 240),
        "error" => dice.between(30, 180),
        "warning" => dice.between(35, 150),
        _ => dice.between(30, 120),
    }
}

/// When past incident `index` of `total` started: evenly over the [`HISTORY`] before `now`,
/// oldest first, shifted by up to `jitter_minutes` so they do not tick like a clock.
pub fn started_at(index: usize, total: usize, jitter_minutes: i64, now: Timestamp) -> Timestamp {
    let total = i64::try_from(total.max(1)).unwrap_or(1);
    let index = i64::try_from(index).unwrap_or(0).min(total - 1);
    let step = HISTORY.as_secs() / total;
    let back = HISTORY.as_secs() - step * index;
    now - SignedDuration::from_secs(back) + SignedDuration::from_mins(jitter_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_numbers_and_others_differ() {
        let draw = |seed| {
            let mut dice = Dice::seeded(seed);
            (0..8).map(|_| dice.next_u32()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn draws_stay_in_their_range_and_cover_it() {
        let mut dice = Dice::seeded(1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let n = dice.between(10, 15);
            assert!((10..15).contains(&n), "{n}");
            seen[usize::try_from(n - 10).expect("in range")] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
        assert_eq!(dice.between(3, 3), 3, "an empty range gives its start");
        assert_eq!(*dice.pick(&["only"]), "only");
    }

    #[test]
    fn every_severity_occurs_and_critical_is_rare() {
        let mut dice = Dice::seeded(3);
        let drawn: Vec<&str> = (0..1000).map(|_| severity(&mut dice)).collect();
        let share = |s: &str| drawn.iter().filter(|d| **d == s).count();
        assert!(
            (50..150).contains(&share("critical")),
            "{}",
            share("critical")
        );
        assert!(share("warning") > share("error") && share("error") > 0 && share("info") > 0);
    }

    #[test]
    fn acknowledgement_comes_before_resolution_for_every_severity() {
        let mut dice = Dice::seeded(5);
        for severity in ["critical", "error", "warning", "info"] {
            for _ in 0..200 {
                let ack = minutes_to_acknowledge(&mut dice, severity);
                let resolve = minutes_to_resolve(&mut dice, severity);
                assert!(
                    ack >= 1 && ack < resolve,
                    "{severity}: {ack} then {resolve}"
                );
            }
        }
    }

    #[test]
    fn start_times_span_the_history_oldest_first_and_stay_in_the_past() {
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().expect("a timestamp");
        let first = started_at(0, 300, 0, now);
        assert_eq!(first, now - HISTORY);
        let starts: Vec<Timestamp> = (0..300).map(|i| started_at(i, 300, 0, now)).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
        let last = starts[299];
        assert!(
            last < now && now - last <= SignedDuration::from_hours(8),
            "{last}"
        );
        assert_eq!(
            started_at(5, 300, 30, now) - started_at(5, 300, 0, now),
            SignedDuration::from_mins(30)
        );
    }
}
