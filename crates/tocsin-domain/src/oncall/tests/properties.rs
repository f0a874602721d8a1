//! The calculator's rotation arithmetic against the brute-force oracle: 10,000 random rotations
//! across daylight saving transitions in several zones.
use jiff::tz::AmbiguousOffset;
use proptest::prelude::*;

use super::strategies::{InstantSeed, RotationSeed, instant_seed, rotation_seed};
use super::{layer, oracle, schedule, zone_of};
use crate::oncall::{ShiftLength, Source, on_call_at};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn the_turn_at_an_instant_matches_walking_the_rotation(
        seed in rotation_seed(),
        instant in instant_seed(),
    ) {
        check_turn(&seed, instant)?;
    }
}

fn check_turn(seed: &RotationSeed, instant: InstantSeed) -> Result<(), TestCaseError> {
    let zone = zone_of(seed.zone);
    let at = instant.instant(&zone);
    let rotation = seed.rotation(at);
    let answer = on_call_at(&schedule(vec![layer("only", rotation.clone())]), at);
    let expected = oracle::turn_at(&rotation, at);

    prop_assert_eq!(answer.on_call.len(), 1);
    let entry = answer.on_call[0];
    prop_assert_eq!(entry.source, Source::Layer(0));
    prop_assert_eq!(entry.user, oracle::participant_at(&rotation, at));
    let turn = entry.turn.expect("a layer's answer names its turn");
    prop_assert_eq!(turn.number, expected.number);
    prop_assert_eq!(turn.start, expected.start);
    prop_assert_eq!(turn.end, expected.end);
    prop_assert_eq!(rotation.participants[turn.participant], entry.user);
    prop_assert!(turn.start <= at && at < turn.end);

    match rotation.shift {
        ShiftLength::Days(_) | ShiftLength::Weeks(_) => {
            // The handoff happens at its local time of day whenever that time exists that day;
            // when it does not (a gap), it happens later that day, after the clocks jump.
            let intended = expected.intended_local_start;
            prop_assert_eq!(intended.time(), rotation.first_handoff.time());
            let local_start = zone.to_datetime(turn.start);
            match zone.to_ambiguous_timestamp(intended).offset() {
                AmbiguousOffset::Gap { .. } => prop_assert!(local_start > intended),
                _ => prop_assert_eq!(local_start, intended),
            }
        }
        ShiftLength::Hours(hours) => {
            prop_assert_eq!(
                turn.end.duration_since(turn.start).as_secs(),
                i64::from(hours) * 3600
            );
        }
        ShiftLength::Custom { seconds } => {
            prop_assert_eq!(
                turn.end.duration_since(turn.start).as_secs() as u64,
                seconds
            );
        }
    }
    Ok(())
}
