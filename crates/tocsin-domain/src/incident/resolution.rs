//! How an incident was resolved (its strategy and the reasoning behind it) and the recovery
//! checklist that must be confirmed before it may resolve, with the gate deciding whether it may.
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::priority::Priority;

/// Longest reasoning, in characters.
pub const MAX_REASONING: usize = 5000;
/// Longest recovery check description, in characters.
pub const MAX_DESCRIPTION: usize = 500;
/// Longest note or reason on a confirmation, in characters.
pub const MAX_NOTE: usize = 2000;

/// How the incident was (or is being) resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Rollback,
    Hotfix,
    Workaround,
    Failover,
    Other,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [
        Strategy::Rollback,
        Strategy::Hotfix,
        Strategy::Workaround,
        Strategy::Failover,
        Strategy::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Rollback => "rollback",
            Strategy::Hotfix => "hotfix",
            Strategy::Workaround => "workaround",
            Strategy::Failover => "failover",
            Strategy::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Strategy> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a recovery check verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The system works again (error rates, latency, data consistency).
    Technical,
    /// The business works again (orders flow, customers told, support queue drained).
    Business,
}

impl CheckKind {
    pub const ALL: [CheckKind; 2] = [CheckKind::Technical, CheckKind::Business];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Technical => "technical",
            CheckKind::Business => "business",
        }
    }

    pub fn parse(text: &str) -> Option<CheckKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// `text` trimmed: required (1 to `max` characters) under `pointer`.
pub fn required_text(pointer: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(pointer, "must not be empty"));
    }
    optional_text(pointer, Some(text), max).map(|t| t.unwrap_or_default())
}

/// `text` trimmed, blank as none, at most `max` characters under `pointer`.
pub fn optional_text(
    pointer: &str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(FieldError::new(
            pointer,
            format!("at most {max} characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// One recovery check as the gate sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckState<'a> {
    pub kind: CheckKind,
    pub description: &'a str,
    pub confirmed: bool,
}

/// What the gate looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateInput<'a> {
    pub checks: &'a [CheckState<'a>],
    pub has_resolution: bool,
    pub priority: Option<Priority>,
    pub is_major: bool,
    /// A responder resolving it; `false`: its alerts resolving it on their own, which only
    /// unconfirmed recovery checks hold (an alert incident resolves as alerts do, and the record
    /// is asked for when a responder closes it out by hand).
    pub by_hand: bool,
}

/// Why an incident may not resolve yet: the field at fault and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRefusal {
    pub pointer: &'static str,
    pub detail: String,
}

/// Whether the incident needs a resolution record before it resolves: P1, P2 and major ones.
pub fn needs_resolution(priority: Option<Priority>, is_major: bool) -> bool {
    is_major || matches!(priority, Some(Priority::P1 | Priority::P2))
}

/// Whether the incident may resolve: every recovery check confirmed and, for P1, P2 and major
/// incidents resolved by hand, a resolution record written. Unconfirmed checks are named first.
pub fn gate(input: &GateInput<'_>) -> Result<(), GateRefusal> {
    let open: Vec<String> = input
        .checks
        .iter()
        .filter(|c| !c.confirmed)
        .map(|c| format!("\"{}\" ({})", c.description, c.kind.as_str()))
        .collect();
    if !open.is_empty() {
        return Err(GateRefusal {
            pointer: "/recovery_checks",
            detail: format!(
                "{} recovery check{} not confirmed yet: {}",
                open.len(),
                if open.len() == 1 { " is" } else { "s are" },
                open.join(", ")
            ),
        });
    }
    if input.by_hand && !input.has_resolution && needs_resolution(input.priority, input.is_major) {
        let what = match input.priority {
            Some(p @ (Priority::P1 | Priority::P2)) => p.as_str().to_owned(),
            _ => "a major incident".to_owned(),
        };
        return Err(GateRefusal {
            pointer: "/resolution",
            detail: format!(
                "the incident is {what}: record its resolution (strategy and reasoning) first"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(description: &str, confirmed: bool) -> CheckState<'_> {
        CheckState {
            kind: CheckKind::Technical,
            description,
            confirmed,
        }
    }

    fn input<'a>(checks: &'a [CheckState<'a>], priority: Option<Priority>) -> GateInput<'a> {
        GateInput {
            checks,
            has_resolution: false,
            priority,
            is_major: false,
            by_hand: true,
        }
    }

    #[test]
    fn names_round_trip() {
        for strategy in Strategy::ALL {
            assert_eq!(Strategy::parse(strategy.as_str()), Some(strategy));
        }
        for kind in CheckKind::ALL {
            assert_eq!(CheckKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Strategy::parse("pray"), None);
    }

    #[test]
    fn unconfirmed_checks_hold_resolution_and_are_named() {
        let checks = [
            check("error rate at baseline", true),
            check("queue drained", false),
            CheckState {
                kind: CheckKind::Business,
                description: "orders flowing",
                confirmed: false,
            },
        ];
        let refused = gate(&input(&checks, Some(Priority::P4))).expect_err("held");
        assert_eq!(refused.pointer, "/recovery_checks");
        assert!(refused.detail.contains("\"queue drained\" (technical)"));
        assert!(refused.detail.contains("\"orders flowing\" (business)"));
        assert!(!refused.detail.contains("baseline"));
        assert!(refused.detail.starts_with("2 recovery checks are"));
    }

    #[test]
    fn p1_p2_and_major_incidents_need_a_resolution_record() {
        let done = [check("error rate at baseline", true)];
        for priority in [Priority::P1, Priority::P2] {
            let refused = gate(&input(&done, Some(priority))).expect_err("record");
            assert_eq!(refused.pointer, "/resolution");
            assert!(refused.detail.contains(priority.as_str()));
        }
        let major = GateInput {
            is_major: true,
            ..input(&done, Some(Priority::P3))
        };
        assert!(gate(&major).expect_err("major").detail.contains("major"));
        let recorded = GateInput {
            has_resolution: true,
            ..major
        };
        assert!(gate(&recorded).is_ok());
        assert!(gate(&input(&done, Some(Priority::P3))).is_ok());
        assert!(gate(&input(&[], None)).is_ok());
    }

    #[test]
    fn alerts_resolving_an_incident_are_held_by_unconfirmed_checks_only() {
        let automatic = |checks| GateInput {
            by_hand: false,
            is_major: true,
            ..input(checks, Some(Priority::P1))
        };
        assert!(gate(&automatic(&[])).is_ok(), "no record needed");
        let open = [check("payments flowing", false)];
        let refused = gate(&automatic(&open)).expect_err("an open check holds it");
        assert_eq!(refused.pointer, "/recovery_checks");
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(
            required_text("/reasoning", "  rolled back ", MAX_REASONING).expect("ok"),
            "rolled back"
        );
        assert_eq!(
            required_text("/reasoning", " ", 10)
                .expect_err("empty")
                .pointer,
            "/reasoning"
        );
        assert!(
            required_text("/reasoning", &"x".repeat(MAX_REASONING + 1), MAX_REASONING).is_err()
        );
        assert_eq!(optional_text("/note", Some("  "), 10).expect("blank"), None);
        assert!(optional_text("/note", Some("eleven chars"), 10).is_err());
    }
}
