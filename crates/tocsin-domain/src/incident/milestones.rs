//! An incident's milestone times (impact started, detected, acknowledged, escalated, mitigated,
//! resolved), derived from its timeline. They are never edited: a correction is a timeline entry
//! of its own, with a reason, and the latest correction of a milestone wins.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    ImpactStarted,
    Detected,
    Acknowledged,
    Escalated,
    Mitigated,
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 6] = [
        Milestone::ImpactStarted,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Escalated,
        Milestone::Mitigated,
        Milestone::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "impact_started",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Escalated => "escalated",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Milestone> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// What a timeline entry says about milestones (the store reads its kinds and payloads into this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// Opened from an alert or declared by hand; a declaration may say when impact began.
    Opened {
        impact_started: Option<Timestamp>,
    },
    Acknowledged,
    /// Paged at an escalation level (1 is the first page), or escalated by hand (`None`).
    Escalated {
        level: Option<u32>,
    },
    /// Moved to monitoring: a fix or workaround is in place.
    Mitigated,
    Resolved,
    /// Taken up again after resolving: resolution (and mitigation) start over.
    Reopened,
    /// A responder's correction of one milestone (`None` clears it).
    Corrected {
        milestone: Milestone,
        at: Option<Timestamp>,
    },
}

/// One timeline entry, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: Timestamp,
    pub fact: Fact,
}

/// A milestone's time and the timeline entry it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MilestoneTime {
    pub at: Option<Timestamp>,
    /// The timeline entry that set it.
    pub seq: i64,
    /// Set by a correction rather than derived.
    pub corrected: bool,
}

/// Every milestone known from `entries` (oldest first).
pub fn derive(entries: &[Entry]) -> Vec<(Milestone, MilestoneTime)> {
    type Found = Vec<(Milestone, MilestoneTime)>;
    fn put(found: &mut Found, milestone: Milestone, time: MilestoneTime, overwrite: bool) {
        match found.iter_mut().find(|(m, _)| *m == milestone) {
            Some(slot) if overwrite || slot.1.at.is_none() => slot.1 = time,
            Some(_) => {}
            None => found.push((milestone, time)),
        }
    }
    let mut found: Found = Vec::new();
    let derived = |seq, at| MilestoneTime {
        at: Some(at),
        seq,
        corrected: false,
    };
    let mut corrections: Vec<(Milestone, MilestoneTime)> = Vec::new();
    for Entry { seq, at, fact } in entries {
        let (seq, at) = (*seq, *at);
        match fact {
            Fact::Opened { impact_started } => {
                put(&mut found, Milestone::Detected, derived(seq, at), false);
                let impact = impact_started.unwrap_or(at).min(at);
                put(
                    &mut found,
                    Milestone::ImpactStarted,
                    derived(seq, impact),
                    false,
                );
            }
            Fact::Acknowledged => put(&mut found, Milestone::Acknowledged, derived(seq, at), false),
            Fact::Escalated { level } if level.is_none_or(|level| level >= 2) => {
                put(&mut found, Milestone::Escalated, derived(seq, at), false);
            }
            Fact::Escalated { .. } => {}
            Fact::Mitigated => put(&mut found, Milestone::Mitigated, derived(seq, at), false),
            Fact::Resolved => put(&mut found, Milestone::Resolved, derived(seq, at), true),
            Fact::Reopened => {
                found.retain(|(m, _)| !matches!(m, Milestone::Resolved | Milestone::Mitigated));
            }
            Fact::Corrected { milestone, at } => corrections.push((
                *milestone,
                MilestoneTime {
                    at: *at,
                    seq,
                    corrected: true,
                },
            )),
        }
    }
    for (milestone, time) in corrections {
        put(&mut found, milestone, time, true);
    }
    found.retain(|(_, time)| time.at.is_some());
    found.sort_by_key(|(m, _)| *m);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).expect("in range")
    }

    fn entry(seq: i64, minute: i64, fact: Fact) -> Entry {
        Entry {
            seq,
            at: at(minute),
            fact,
        }
    }

    fn time_of(found: &[(Milestone, MilestoneTime)], m: Milestone) -> Option<Timestamp> {
        found.iter().find(|(x, _)| *x == m).and_then(|(_, t)| t.at)
    }

    #[test]
    fn a_plain_incident_yields_its_milestones_from_the_first_of_each_fact() {
        let found = derive(&[
            entry(
                1,
                0,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(2, 0, Fact::Escalated { level: Some(1) }),
            entry(3, 5, Fact::Escalated { level: Some(2) }),
            entry(4, 7, Fact::Acknowledged),
            entry(5, 8, Fact::Acknowledged),
            entry(6, 20, Fact::Mitigated),
            entry(7, 30, Fact::Resolved),
        ]);
        assert_eq!(time_of(&found, Milestone::Detected), Some(at(0)));
        assert_eq!(time_of(&found, Milestone::ImpactStarted), Some(at(0)));
        assert_eq!(time_of(&found, Milestone::Escalated), Some(at(5)));
        assert_eq!(time_of(&found, Milestone::Acknowledged), Some(at(7)));
        assert_eq!(time_of(&found, Milestone::Mitigated), Some(at(20)));
        assert_eq!(time_of(&found, Milestone::Resolved), Some(at(30)));
    }

    #[test]
    fn the_first_page_is_not_an_escalation_but_a_page_by_hand_is() {
        let paged = derive(&[
            entry(
                1,
                0,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(2, 0, Fact::Escalated { level: Some(1) }),
        ]);
        assert_eq!(time_of(&paged, Milestone::Escalated), None);
        let by_hand = derive(&[
            entry(
                1,
                0,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(2, 3, Fact::Escalated { level: None }),
        ]);
        assert_eq!(time_of(&by_hand, Milestone::Escalated), Some(at(3)));
    }

    #[test]
    fn a_declared_impact_start_counts_but_never_after_detection() {
        let early = derive(&[entry(
            1,
            10,
            Fact::Opened {
                impact_started: Some(at(2)),
            },
        )]);
        assert_eq!(time_of(&early, Milestone::ImpactStarted), Some(at(2)));
        let late = derive(&[entry(
            1,
            10,
            Fact::Opened {
                impact_started: Some(at(12)),
            },
        )]);
        assert_eq!(time_of(&late, Milestone::ImpactStarted), Some(at(10)));
    }

    #[test]
    fn reopening_clears_resolution_and_the_last_resolution_counts() {
        let found = derive(&[
            entry(
                1,
                0,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(2, 5, Fact::Mitigated),
            entry(3, 10, Fact::Resolved),
            entry(4, 15, Fact::Reopened),
        ]);
        assert_eq!(time_of(&found, Milestone::Resolved), None);
        assert_eq!(time_of(&found, Milestone::Mitigated), None);
        let again = derive(&[
            entry(
                1,
                0,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(3, 10, Fact::Resolved),
            entry(4, 15, Fact::Reopened),
            entry(5, 40, Fact::Resolved),
        ]);
        assert_eq!(time_of(&again, Milestone::Resolved), Some(at(40)));
    }

    #[test]
    fn the_latest_correction_wins_wherever_it_sits_and_can_clear() {
        let found = derive(&[
            entry(
                1,
                10,
                Fact::Opened {
                    impact_started: None,
                },
            ),
            entry(
                2,
                11,
                Fact::Corrected {
                    milestone: Milestone::ImpactStarted,
                    at: Some(at(1)),
                },
            ),
            entry(
                3,
                12,
                Fact::Corrected {
                    milestone: Milestone::ImpactStarted,
                    at: Some(at(3)),
                },
            ),
            entry(4, 20, Fact::Mitigated),
            entry(
                5,
                21,
                Fact::Corrected {
                    milestone: Milestone::Mitigated,
                    at: None,
                },
            ),
        ]);
        let impact = found
            .iter()
            .find(|(m, _)| *m == Milestone::ImpactStarted)
            .map(|(_, t)| *t)
            .expect("impact");
        assert_eq!(impact.at, Some(at(3)));
        assert!(impact.corrected);
        assert_eq!(impact.seq, 3);
        assert_eq!(time_of(&found, Milestone::Mitigated), None);
        assert_eq!(time_of(&found, Milestone::Detected), Some(at(10)));
    }

    #[test]
    fn milestones_round_trip_by_name() {
        for m in Milestone::ALL {
            assert_eq!(Milestone::parse(m.as_str()), Some(m));
        }
    }
}
