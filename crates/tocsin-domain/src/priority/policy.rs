//! The priority policy, one configuration document: the matrix, impact thresholds, urgency per
//! severity, dynamic rules and the business-event calendar, major incident criteria, symptom
//! rules and the confidence above which auto-triage applies a category. `assess` answers an
//! incident's automatic priority with its rule trail.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::rules::{RuleContext, apply_rules};
use super::{
    BusinessEvent, DynamicRule, ImpactInputs, ImpactThresholds, Level, MajorCriteria, Matrix,
    Priority, SymptomRule, UrgencyMap,
};
use crate::alerting::Validate;
use crate::alerting::severity::Severity;
use crate::error::{Collector, FieldError, ValidationError};

/// The most dynamic rules, calendar windows and symptom rules a policy holds (each).
pub const MAX_ITEMS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityPolicy {
    pub matrix: Matrix,
    pub impact: ImpactThresholds,
    pub urgency: UrgencyMap,
    pub rules: Vec<DynamicRule>,
    pub calendar: Vec<BusinessEvent>,
    pub major: MajorCriteria,
    pub symptom_rules: Vec<SymptomRule>,
    /// Whether incidents are triaged when opened (symptom rules, then past incidents).
    pub auto_triage: bool,
    /// A suggestion at least this confident (0..1) is applied; below, the incident waits for
    /// review.
    pub auto_apply_confidence: f64,
}

impl Default for PriorityPolicy {
    fn default() -> Self {
        Self {
            matrix: Matrix::default(),
            impact: ImpactThresholds::default(),
            urgency: UrgencyMap::default(),
            rules: Vec::new(),
            calendar: Vec::new(),
            major: MajorCriteria::default(),
            symptom_rules: Vec::new(),
            auto_triage: false,
            auto_apply_confidence: 0.8,
        }
    }
}

impl Validate for PriorityPolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        self.matrix.check(&mut errors, "/matrix");
        self.impact.check(&mut errors, "/impact");
        super::rules::check(&self.rules, &self.calendar, &mut errors);
        self.major.check(&mut errors);
        super::triage::check(&self.symptom_rules, &mut errors);
        for (pointer, len) in [
            ("/rules", self.rules.len()),
            ("/calendar", self.calendar.len()),
            ("/symptom_rules", self.symptom_rules.len()),
        ] {
            if len > MAX_ITEMS {
                errors.push(FieldError::new(
                    pointer,
                    format!("at most {MAX_ITEMS} entries"),
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.auto_apply_confidence) {
            errors.push(FieldError::new(
                "/auto_apply_confidence",
                "must be from 0 to 1",
            ));
        }
        errors.finish()
    }
}

/// An automatic priority and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub impact: Level,
    pub urgency: Level,
    /// The matrix's answer, before dynamic rules.
    pub matrix_priority: Priority,
    pub priority: Priority,
    /// Every step, in words: the impact threshold, the urgency, the matrix cell, each rule.
    pub trail: Vec<String>,
    /// The major incident criterion met, if any.
    pub major: Option<String>,
}

/// What an assessment is made from.
#[derive(Debug, Clone, Copy)]
pub struct AssessInput {
    pub severity: Severity,
    pub urgency_by_hand: Option<Level>,
    pub inputs: ImpactInputs,
    pub at: Timestamp,
}

impl PriorityPolicy {
    /// The automatic priority of an incident.
    pub fn assess(&self, input: &AssessInput) -> Assessment {
        let (impact, impact_why) = self.impact.impact(&input.inputs);
        let (urgency, urgency_why) = self.urgency.urgency(input.severity, input.urgency_by_hand);
        let matrix_priority = self.matrix.priority(impact, urgency);
        let mut trail = vec![
            impact_why,
            urgency_why,
            format!(
                "matrix: impact {} x urgency {} = {matrix_priority}",
                impact.name(),
                urgency.name()
            ),
        ];
        let context = RuleContext {
            at: input.at,
            service_tier: input.inputs.service_tier,
        };
        let (priority, applied) =
            apply_rules(matrix_priority, &context, &self.rules, &self.calendar);
        trail.extend(applied);
        let major = self.major.matched(priority, &input.inputs);
        Assessment {
            impact,
            urgency,
            matrix_priority,
            priority,
            trail,
            major,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use crate::priority::RuleConditions;
    use crate::priority::rules::Effect;

    fn input(severity: Severity, inputs: ImpactInputs) -> AssessInput {
        AssessInput {
            severity,
            urgency_by_hand: None,
            inputs,
            at: "2026-11-27T12:00:00Z".parse().expect("timestamp"),
        }
    }

    #[test]
    fn the_default_policy_gives_the_itil_priority_with_its_trail() {
        let policy = PriorityPolicy::default();
        let a = policy.assess(&input(Severity::Error, ImpactInputs::default()));
        assert_eq!(a.priority, Priority::P4);
        assert_eq!(
            a.trail,
            [
                "impact low: no impact threshold met",
                "urgency medium from severity error",
                "matrix: impact low x urgency medium = P4"
            ]
        );
        assert_eq!(a.major, None);
        let a = policy.assess(&input(
            Severity::Critical,
            ImpactInputs {
                customers_affected: Some(1000),
                ..Default::default()
            },
        ));
        assert_eq!(a.priority, Priority::P1);
        assert_eq!(
            a.major.as_deref(),
            Some("priority P1 (major at P1 or more urgent)")
        );
    }

    #[test]
    fn dynamic_rules_follow_the_matrix_in_the_trail() {
        let policy = PriorityPolicy {
            rules: vec![DynamicRule {
                name: "tier one".into(),
                when: RuleConditions {
                    service_tier: Some(1),
                    ..Default::default()
                },
                effect: Effect::Raise(2),
            }],
            ..Default::default()
        };
        let a = policy.assess(&input(
            Severity::Warning,
            ImpactInputs {
                service_tier: Some(1),
                ..Default::default()
            },
        ));
        assert_eq!(
            (a.matrix_priority, a.priority),
            (Priority::P4, Priority::P2)
        );
        assert_eq!(
            a.trail.last().map(String::as_str),
            Some("rule \"tier one\" (service tier 1): raised P4 by 2 to P2")
        );
    }

    #[test]
    fn the_documented_example_parses_and_applies_its_rules() {
        let policy: PriorityPolicy = from_json(serde_json::json!({
            "matrix": { "cells": [["P1","P2","P3"], ["P2","P3","P4"], ["P3","P4","P5"]] },
            "urgency": { "critical": 1, "error": 2, "warning": 3, "info": 3 },
            "rules": [
                { "name": "sales peak", "when": { "business_event": "Black Friday sale" },
                  "effect": { "raise": 1 } },
                { "name": "quiet nights", "when": { "time_of_day": { "from": "22:00", "to": "06:00" },
                  "time_zone": "Europe/Paris", "days": ["saturday", "sunday"] },
                  "effect": { "lower": 1 } },
                { "name": "tier one", "when": { "service_tier": 1 }, "effect": { "set": "P2" } }
            ],
            "calendar": [{ "name": "Black Friday sale", "starts_at": "2026-11-27T00:00:00Z",
                           "ends_at": "2026-11-30T00:00:00Z" }],
            "major": { "priority_at_most": "P1", "customers_at_least": 10000 },
            "symptom_rules": [{ "name": "disk", "category": "capacity",
                                "title_contains": ["disk full"] }],
            "auto_triage": false,
            "auto_apply_confidence": 0.8
        }))
        .expect("the example in docs/incident-response.md is valid");
        // Saturday 23:30 in Paris, inside the sale: raised, then lowered.
        let a = policy.assess(&AssessInput {
            at: "2026-11-28T22:30:00Z".parse().expect("timestamp"),
            ..input(Severity::Error, ImpactInputs::default())
        });
        assert_eq!(a.priority, Priority::P4);
        assert_eq!(a.trail.len(), 5, "{:?}", a.trail);
    }

    #[test]
    fn a_policy_document_parses_with_defaults_and_names_bad_fields() {
        let policy: PriorityPolicy =
            from_json(serde_json::json!({"auto_apply_confidence": 0.5})).expect("valid");
        assert_eq!(policy.matrix, Matrix::default());
        let refused =
            from_json::<PriorityPolicy>(serde_json::json!({"auto_apply_confidence": 2.0}))
                .expect_err("refused");
        assert_eq!(refused.0[0].pointer, "/auto_apply_confidence");
        let refused =
            from_json::<PriorityPolicy>(serde_json::json!({"matrix": {"cells": [["P1"]]}}))
                .expect_err("refused");
        assert!(
            refused.0[0].pointer.starts_with("/matrix/cells"),
            "{refused:?}"
        );
        let refused =
            from_json::<PriorityPolicy>(serde_json::json!({"colour": 1})).expect_err("refused");
        assert!(refused.0[0].detail.contains("unknown field"));
    }
}
