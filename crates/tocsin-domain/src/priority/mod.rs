//! Incident classification and priority: P1..P5 from an impact x urgency matrix, impact from
//! business inputs by thresholds, dynamic rules that raise or lower it, major incident criteria,
//! the versioned category/attribution taxonomy and auto-triage. Every automatic decision answers
//! the rule that made it, in words.
pub mod impact;
pub mod major;
pub mod matrix;
pub mod policy;
pub mod rules;
pub mod taxonomy;
pub mod triage;

use serde::{Deserialize, Serialize};

pub use impact::{ImpactBand, ImpactInputs, ImpactThresholds, UrgencyMap};
pub use major::MajorCriteria;
pub use matrix::Matrix;
pub use policy::{AssessInput, Assessment, PriorityPolicy};
pub use rules::{BusinessEvent, Day, DynamicRule, Effect, RuleConditions, TimeWindow};
pub use taxonomy::{Taxonomy, TaxonomyEntry};
pub use triage::{PastIncident, Suggestion, SymptomRule, TriageInput};

/// An incident's priority, P1 (most urgent) to P5. `Ord` sorts P1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    P5,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::P1,
        Priority::P2,
        Priority::P3,
        Priority::P4,
        Priority::P5,
    ];

    /// 1 for P1 .. 5 for P5 (as stored).
    pub fn rank(self) -> u8 {
        match self {
            Priority::P1 => 1,
            Priority::P2 => 2,
            Priority::P3 => 3,
            Priority::P4 => 4,
            Priority::P5 => 5,
        }
    }

    /// The priority of rank 1..5.
    pub fn from_rank(rank: i64) -> Option<Priority> {
        usize::try_from(rank)
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// `steps` more urgent (towards P1), stopping at P1.
    pub fn raised(self, steps: u8) -> Priority {
        let rank = self.rank().saturating_sub(steps).max(1);
        Self::from_rank(i64::from(rank)).unwrap_or(Priority::P1)
    }

    /// `steps` less urgent (towards P5), stopping at P5.
    pub fn lowered(self, steps: u8) -> Priority {
        let rank = self.rank().saturating_add(steps).min(5);
        Self::from_rank(i64::from(rank)).unwrap_or(Priority::P5)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
            Priority::P5 => "P5",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An impact or urgency level: 1 high, 2 medium, 3 low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    pub const HIGH: Level = Level(1);
    pub const MEDIUM: Level = Level(2);
    pub const LOW: Level = Level(3);
    pub const ALL: [Level; 3] = [Level::HIGH, Level::MEDIUM, Level::LOW];

    pub fn get(self) -> u8 {
        self.0
    }

    /// The index into a matrix row or column (0 for high).
    pub(crate) fn index(self) -> usize {
        usize::from(self.0 - 1)
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "high",
            2 => "medium",
            _ => "low",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, String> {
        if (1..=3).contains(&value) {
            Ok(Level(value))
        } else {
            Err(format!(
                "{value} is not a level: 1 (high), 2 (medium) or 3 (low)"
            ))
        }
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_and_lowering_stop_at_the_ends() {
        assert_eq!(Priority::P3.raised(1), Priority::P2);
        assert_eq!(Priority::P2.raised(5), Priority::P1);
        assert_eq!(Priority::P4.lowered(3), Priority::P5);
        assert_eq!(Priority::from_rank(0), None);
        assert_eq!(Priority::from_rank(6), None);
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(i64::from(p.rank())), Some(p));
        }
    }

    #[test]
    fn levels_are_one_to_three() {
        assert!(Level::try_from(0).is_err());
        assert!(Level::try_from(4).is_err());
        assert_eq!(serde_json::to_value(Level::MEDIUM).ok(), Some(2.into()));
        assert_eq!(
            serde_json::from_value::<Priority>("P4".into()).ok(),
            Some(Priority::P4)
        );
    }
}
