//! What the seeded incidents look like, as pure functions of their index: spread evenly over the
//! past year (oldest first, so ids grow with age like UUIDv7 ids do), over the services, with a
//! realistic mix: about 1% still open, most resolved or closed, a few declined or canceled; one in
//! 200 a restricted security case.
use jiff::{SignedDuration, Timestamp};

/// One in this many incidents is restricted.
pub const RESTRICTED_EVERY: usize = 200;
const YEAR: SignedDuration = SignedDuration::from_hours(365 * 24);

/// A well-mixed 64-bit draw for `index` (splitmix64), so the mix is the same on every run.
pub fn draw(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The status of an incident from a draw: per mille, 4 triggered, 3 acknowledged, 1 each
/// investigating, identified and monitoring (1% open), 590 resolved, 380 closed, 10 declined and
/// 10 canceled.
pub fn status(draw: u64) -> &'static str {
    match draw % 1000 {
        0..4 => "triggered",
        4..7 => "acknowledged",
        7 => "investigating",
        8 => "identified",
        9 => "monitoring",
        10..600 => "resolved",
        600..980 => "closed",
        980..990 => "declined",
        _ => "canceled",
    }
}

/// The severity from a draw: 5% critical, 20% error, 45% warning, 30% info.
pub fn severity(draw: u64) -> &'static str {
    match (draw >> 20) % 100 {
        0..5 => "critical",
        5..25 => "error",
        25..70 => "warning",
        _ => "info",
    }
}

/// Which of `services` services the incident is on.
pub fn service(draw: u64, services: usize) -> usize {
    usize::try_from((draw >> 40) % services.max(1) as u64).unwrap_or(0)
}

/// When incident `index` of `total` was created: evenly over the year before `now`, oldest first.
pub fn created_at(index: usize, total: usize, now: Timestamp) -> Timestamp {
    let step = YEAR.as_micros() / i128::try_from(total.max(1)).unwrap_or(1);
    let offset = step * i128::try_from(index).unwrap_or(0);
    let micros = i64::try_from(YEAR.as_micros() - offset).unwrap_or(0);
    now - SignedDuration::from_micros(micros)
}

/// Whether incident `index` is a restricted security case.
pub fn restricted(index: usize) -> bool {
    index % RESTRICTED_EVERY == RESTRICTED_EVERY / 2
}

/// Whether the bench's participant is a participant of incident `index`: every other restricted
/// one.
pub fn joined_by_participant(index: usize) -> bool {
    restricted(index) && (index / RESTRICTED_EVERY).is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(total: u64, pick: impl Fn(u64) -> bool) -> f64 {
        (0..total).filter(|i| pick(draw(*i))).count() as f64 / total as f64
    }

    #[test]
    fn about_one_percent_is_open_and_most_are_resolved_or_closed() {
        let open = [
            "triggered",
            "acknowledged",
            "investigating",
            "identified",
            "monitoring",
        ];
        let open_share = share(100_000, |d| open.contains(&status(d)));
        assert!((0.008..0.012).contains(&open_share), "{open_share}");
        let done = share(100_000, |d| ["resolved", "closed"].contains(&status(d)));
        assert!(done > 0.95, "{done}");
        let triggered = share(100_000, |d| status(d) == "triggered");
        assert!((0.003..0.005).contains(&triggered), "{triggered}");
    }

    #[test]
    fn severities_and_services_are_all_used() {
        for wanted in ["critical", "error", "warning", "info"] {
            assert!(share(10_000, |d| severity(d) == wanted) > 0.03, "{wanted}");
        }
        let mut seen = [false; 200];
        (0..100_000).for_each(|i| seen[service(draw(i), 200)] = true);
        assert!(seen.iter().all(|s| *s));
        assert_eq!(service(draw(7), 0), 0, "no services: the first");
    }

    #[test]
    fn creation_times_span_the_past_year_oldest_first() {
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().expect("a timestamp");
        let first = created_at(0, 1000, now);
        let last = created_at(999, 1000, now);
        assert_eq!(first, now - YEAR);
        assert!(first < created_at(1, 1000, now) && last < now);
        assert!(
            now - last <= SignedDuration::from_hours(9),
            "{}",
            now - last
        );
    }

    #[test]
    fn one_in_two_hundred_is_restricted() {
        assert_eq!((0..10_000).filter(|i| restricted(*i)).count(), 50);
        let joined: Vec<usize> = (0..1000).filter(|i| joined_by_participant(*i)).collect();
        assert_eq!(joined, [100, 500, 900], "every other restricted one");
    }
}
