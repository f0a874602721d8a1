//! Walking a policy: the step at a position, the position after it (through the repeats), and a
//! label for people ("step 2 of 3, round 1 of 2").
use serde::{Deserialize, Serialize};

use super::model::{EscalationPolicy, EscalationStep};

/// Where an incident is in its policy: the round (0 for the first run, up to `repeat`) and the
/// step index within it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct EscalationPosition {
    pub round: u8,
    pub step: usize,
}

impl EscalationPosition {
    /// The first step of the first round.
    pub const START: Self = Self { round: 0, step: 0 };
}

/// The step at `position`, or `None` when the position is past the policy's end.
pub fn step_at(policy: &EscalationPolicy, position: EscalationPosition) -> Option<&EscalationStep> {
    if position.round > policy.repeat {
        return None;
    }
    policy.steps.get(position.step)
}

/// The position after `current`: the next step of the round; after the last step of round `r`,
/// step 0 of round `r + 1` while `r < repeat`; then `None` (the policy is exhausted). A position
/// that is already past the end has no successor.
pub fn next_position(
    policy: &EscalationPolicy,
    current: EscalationPosition,
) -> Option<EscalationPosition> {
    step_at(policy, current)?;
    let step = current.step + 1;
    if step < policy.steps.len() {
        return Some(EscalationPosition { step, ..current });
    }
    (current.round < policy.repeat).then(|| EscalationPosition {
        round: current.round + 1,
        step: 0,
    })
}

/// The position in words, counting from one: "step 2 of 3" or, for a repeating policy,
/// "step 2 of 3, round 1 of 2".
pub fn position_label(policy: &EscalationPolicy, position: EscalationPosition) -> String {
    let step = format!("step {} of {}", position.step + 1, policy.steps.len());
    if policy.repeat == 0 {
        step
    } else {
        let rounds = u16::from(policy.repeat) + 1;
        format!(
            "{step}, round {} of {rounds}",
            u16::from(position.round) + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::escalation::Target;
    use crate::id::UserId;
    use crate::values::{Description, Name};

    fn policy(steps: usize, repeat: u8) -> EscalationPolicy {
        let step = EscalationStep {
            delay_minutes: 5,
            targets: vec![Target::User {
                user_id: UserId(uuid::Uuid::from_u128(1)),
            }],
        };
        EscalationPolicy {
            name: Name::parse("P").expect("valid"),
            description: Description::default(),
            team_id: None,
            steps: vec![step; steps],
            repeat,
            ack_timeout_minutes: None,
        }
    }

    fn at(round: u8, step: usize) -> EscalationPosition {
        EscalationPosition { round, step }
    }

    #[test]
    fn the_walk_goes_through_the_steps_then_repeats_then_stops() {
        let policy = policy(2, 1);
        assert_eq!(next_position(&policy, at(0, 0)), Some(at(0, 1)));
        assert_eq!(next_position(&policy, at(0, 1)), Some(at(1, 0)));
        assert_eq!(next_position(&policy, at(1, 1)), None);
        assert_eq!(next_position(&policy, at(2, 0)), None, "past the end");
        assert!(step_at(&policy, at(1, 1)).is_some());
        assert!(step_at(&policy, at(2, 0)).is_none());
        assert!(step_at(&policy, at(0, 2)).is_none());
    }

    #[test]
    fn labels_count_from_one_and_mention_rounds_only_when_repeating() {
        assert_eq!(position_label(&policy(3, 0), at(0, 1)), "step 2 of 3");
        assert_eq!(
            position_label(&policy(3, 1), at(1, 0)),
            "step 1 of 3, round 2 of 2"
        );
    }

    proptest! {
        #[test]
        fn the_walk_visits_every_position_once_then_stops(steps in 1usize..=20, repeat in 0u8..=9) {
            let policy = policy(steps, repeat);
            let mut seen = vec![EscalationPosition::START];
            let mut current = EscalationPosition::START;
            while let Some(next) = next_position(&policy, current) {
                prop_assert!(next > current, "positions only move forward");
                prop_assert!(step_at(&policy, next).is_some());
                seen.push(next);
                current = next;
                prop_assert!(seen.len() <= 21 * 10, "the walk must end");
            }
            prop_assert_eq!(seen.len(), steps * (usize::from(repeat) + 1));
        }
    }
}
