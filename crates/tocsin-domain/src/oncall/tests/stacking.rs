//! Properties of whole schedules (layers with restrictions and modes, temporary schedules,
//! overrides) against the oracle, and of the timeline, the layers' drawings and the gaps.
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::strategies::{ScheduleSeed, schedule_seed};
use super::{oracle, user};
use crate::id::UserId;
use crate::oncall::{
    FinalShift, LayerMode, Override, Schedule, Source, gaps_between, layer_shifts_between,
    on_call_at, shifts_between,
};

fn answer_at(schedule: &Schedule, at: Timestamp) -> Vec<(UserId, Source)> {
    let mut people: Vec<_> = on_call_at(schedule, at)
        .on_call
        .iter()
        .map(|entry| (entry.user, entry.source))
        .collect();
    people.sort();
    people
}

fn timeline_at(shifts: &[FinalShift], at: Timestamp) -> Vec<(UserId, Source)> {
    let mut people: Vec<_> = shifts
        .iter()
        .filter(|shift| shift.interval().contains(at))
        .map(|shift| (shift.user, shift.source))
        .collect();
    people.sort();
    people
}

/// A schedule, and a range of up to five days before and after its instant (in seconds).
fn seed_and_range() -> impl Strategy<Value = (ScheduleSeed, i64, i64)> {
    (schedule_seed(), 0i64..=5 * 86_400, 1i64..=5 * 86_400)
}

fn range(seed: &ScheduleSeed, before: i64, after: i64) -> (Timestamp, Timestamp) {
    let at = seed.instant();
    (
        at - SignedDuration::from_secs(before),
        at + SignedDuration::from_secs(after),
    )
}

const NANO: SignedDuration = SignedDuration::from_nanos(1);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn a_stacked_schedule_matches_the_oracle(seed in schedule_seed()) {
        let schedule = seed.schedule();
        let at = seed.instant();
        prop_assert_eq!(answer_at(&schedule, at), oracle::on_call_at(&schedule, at));
        for entry in on_call_at(&schedule, at).on_call {
            prop_assert_eq!(entry.turn.is_some(), matches!(entry.source, Source::Layer(_)));
        }
    }

    #[test]
    fn the_newest_override_wins(seed in schedule_seed(), before in 1i64..86_400, after in 1i64..86_400) {
        let mut schedule = seed.schedule();
        let at = seed.instant();
        let without = answer_at(&schedule, at + SignedDuration::from_secs(after));
        schedule.overrides.push(Override {
            user: user(99),
            start: at - SignedDuration::from_secs(before),
            end: at + SignedDuration::from_secs(after),
        });
        let newest = Source::Override(schedule.overrides.len() - 1);
        prop_assert_eq!(answer_at(&schedule, at), vec![(user(99), newest)]);
        // At its end the override lets go: the answer is what it was without it.
        prop_assert_eq!(answer_at(&schedule, at + SignedDuration::from_secs(after)), without);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn gaps_are_exactly_the_time_no_shift_covers(
        (seed, before, after) in seed_and_range(),
    ) {
        let schedule = seed.schedule();
        let (from, to) = range(&seed, before, after);
        let shifts = shifts_between(&schedule, from, to);
        let gaps = gaps_between(&schedule, from, to);
        // Covered stretches and gaps, in order, tile [from, to) with no overlap.
        let mut pieces: Vec<(Timestamp, Timestamp, bool)> = gaps.iter().map(|g| (g.start, g.end, false)).collect();
        let covered = crate::oncall::answer::union(shifts.iter().map(FinalShift::interval).collect());
        pieces.extend(covered.iter().map(|c| (c.start, c.end, true)));
        pieces.sort();
        let mut cursor = from;
        for (start, end, _) in &pieces {
            prop_assert_eq!(*start, cursor);
            prop_assert!(start < end);
            cursor = *end;
        }
        prop_assert_eq!(cursor, to);
        // Gaps are maximal: no two touch.
        for pair in gaps.windows(2) {
            prop_assert!(pair[0].end < pair[1].start);
        }
        for gap in &gaps {
            prop_assert!(answer_at(&schedule, gap.start).is_empty());
            prop_assert!(answer_at(&schedule, gap.end - NANO).is_empty());
        }
    }

    #[test]
    fn the_timeline_agrees_with_on_call_at_everywhere_it_changes(
        (seed, before, after) in seed_and_range(),
        probes in prop::collection::vec(0.0f64..1.0, 8),
    ) {
        let schedule = seed.schedule();
        let (from, to) = range(&seed, before, after);
        let shifts = shifts_between(&schedule, from, to);
        let span = to.duration_since(from).as_nanos() as f64;
        let mut instants: Vec<Timestamp> = probes
            .iter()
            .map(|fraction| from + SignedDuration::from_nanos((span * fraction) as i64))
            .collect();
        for shift in &shifts {
            prop_assert!(from <= shift.start && shift.start < shift.end && shift.end <= to);
            instants.extend([shift.start, shift.end - NANO]);
        }
        for at in instants.into_iter().filter(|at| *at >= from && *at < to) {
            prop_assert_eq!(timeline_at(&shifts, at), answer_at(&schedule, at), "at {}", at);
        }
        // Back-to-back time of one user from one source is one shift.
        for (index, shift) in shifts.iter().enumerate() {
            let joined_later = shifts.iter().skip(index + 1).any(|other| {
                other.user == shift.user && other.source == shift.source
                    && (other.start == shift.end || other.end == shift.start)
            });
            prop_assert!(!joined_later, "{:?} should have been joined", shift);
        }
        // With one person at a time, shifts never overlap.
        let one_at_a_time = schedule.layers.iter().all(|layer| layer.mode == LayerMode::Replace)
            && schedule.temporary.iter().all(|temporary| temporary.shifts.len() <= 1);
        if one_at_a_time {
            for pair in shifts.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start);
            }
        }
    }

    #[test]
    fn each_layer_drawing_follows_its_rotation(
        (seed, before, after) in seed_and_range(),
    ) {
        let schedule = seed.schedule();
        let (from, to) = range(&seed, before, after);
        for (layer, shifts) in schedule.layers.iter().zip(layer_shifts_between(&schedule, from, to)) {
            for pair in shifts.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start);
                // Touching restriction windows do not cut a turn in two.
                prop_assert!(pair[0].turn.number != pair[1].turn.number || pair[0].end < pair[1].start);
            }
            for shift in &shifts {
                prop_assert!(from <= shift.start && shift.end <= to && shift.start < shift.end);
                prop_assert!(layer.starts_at <= shift.start);
                prop_assert!(layer.ends_at.is_none_or(|end| shift.end <= end));
                let expected = oracle::turn_at(&layer.rotation, shift.start);
                prop_assert_eq!(shift.turn.number, expected.number);
                prop_assert_eq!(shift.turn.user, oracle::participant_at(&layer.rotation, shift.start));
                prop_assert!(shift.turn.start <= shift.start && shift.end <= shift.turn.end);
                if !layer.restrictions.is_empty() {
                    let zone = super::zone_of(layer.rotation.time_zone.as_str());
                    for at in [shift.start, shift.end - NANO] {
                        prop_assert!(oracle::inside_restrictions(&layer.restrictions, &zone, at));
                    }
                }
            }
        }
    }
}
