//! Response plans: what an organisation does as soon as an incident of a certain kind appears —
//! add roles, page teams or people (legal, compliance, HR when data is exposed), create tasks,
//! restrict visibility. A plan names its trigger (major, a priority, incident types, data
//! exposure; every condition given must hold) and runs once per incident, the first time its
//! trigger holds. This module holds the plans' shape, their validation and the matching rule.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::alerting::Validate;
use crate::catalog::OrgRole;
use crate::error::{FieldError, ValidationError};
use crate::id::{TeamId, UserId};
use crate::priority::Priority;

/// Most plans in the organisation's document.
pub const MAX_PLANS: usize = 100;
/// Most actions of one kind in a plan.
pub const MAX_ACTIONS: usize = 50;
/// Longest plan name or task title, in characters.
pub const MAX_NAME: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;
/// Latest a plan's task may be due: one week after the plan runs.
pub const MAX_DUE_MINUTES: u32 = 7 * 24 * 60;

/// The organisation's response plans, in the order they run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResponsePlans {
    pub plans: Vec<ResponsePlan>,
}

/// One plan: when it runs and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsePlan {
    /// A stable identifier: lowercase letters, digits, `-` and `_`; an incident records the keys
    /// of the plans that ran on it.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    pub when: Trigger,
    #[serde(default)]
    pub actions: Actions,
}

fn enabled_by_default() -> bool {
    true
}

/// When a plan runs: every condition given must hold; at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Trigger {
    /// The incident was marked major.
    pub major: bool,
    /// The incident's priority is this urgent or more (P2: P1 or P2).
    pub priority_at_most: Option<Priority>,
    /// The incident is of one of these types.
    pub incident_types: Vec<String>,
    /// The incident exposed at least one of these kinds of data.
    pub data_exposure: Vec<DataExposure>,
}

/// A kind of data an incident may have exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataExposure {
    PersonalData,
    HealthData,
    PaymentCardData,
}

impl DataExposure {
    pub fn as_str(self) -> &'static str {
        match self {
            DataExposure::PersonalData => "personal data",
            DataExposure::HealthData => "health data",
            DataExposure::PaymentCardData => "payment card data",
        }
    }
}

/// What a plan does, in this order: roles, visibility, pages, tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Actions {
    pub roles: Vec<PlanRole>,
    /// Active members of these teams are paged (they join the response, escalation is untouched).
    pub page_team_ids: Vec<TeamId>,
    pub page_user_ids: Vec<UserId>,
    pub tasks: Vec<PlanTask>,
    /// Restricts the incident to its participants and these organisation roles. A plan never
    /// lifts a restriction.
    pub restrict_to_roles: Option<Vec<OrgRole>>,
}

/// A role the plan adds: given to `user_id` when the role is vacant; without a user, a task to
/// staff it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRole {
    /// A standard role slug or a custom role's key.
    pub role: String,
    #[serde(default)]
    pub user_id: Option<UserId>,
}

/// A task the plan creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTask {
    pub title: String,
    #[serde(default)]
    pub owner_user_id: Option<UserId>,
    /// Due this many minutes after the plan runs.
    #[serde(default)]
    pub due_minutes: Option<u32>,
}

/// What matching needs to know about an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFacts {
    pub is_major: bool,
    pub priority: Option<Priority>,
    pub incident_type: String,
    pub exposed: BTreeSet<DataExposure>,
}

impl Trigger {
    fn is_empty(&self) -> bool {
        !self.major
            && self.priority_at_most.is_none()
            && self.incident_types.is_empty()
            && self.data_exposure.is_empty()
    }

    /// Why the trigger holds for `facts`, one reason per condition; `None`: it does not hold.
    pub fn holds(&self, facts: &IncidentFacts) -> Option<Vec<String>> {
        if self.is_empty() {
            return None;
        }
        let mut reasons = Vec::new();
        if self.major {
            if !facts.is_major {
                return None;
            }
            reasons.push("the incident is major".to_owned());
        }
        if let Some(at_most) = self.priority_at_most {
            let priority = facts.priority.filter(|p| *p <= at_most)?;
            reasons.push(format!(
                "priority {priority} (plan runs at {at_most} or more urgent)"
            ));
        }
        if !self.incident_types.is_empty() {
            if !self.incident_types.contains(&facts.incident_type) {
                return None;
            }
            reasons.push(format!("incident type {}", facts.incident_type));
        }
        if !self.data_exposure.is_empty() {
            let exposed: Vec<&str> = self
                .data_exposure
                .iter()
                .filter(|kind| facts.exposed.contains(kind))
                .map(|kind| kind.as_str())
                .collect();
            if exposed.is_empty() {
                return None;
            }
            reasons.push(format!("{} exposed", exposed.join(" and ")));
        }
        Some(reasons)
    }
}

/// A plan due to run on an incident, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePlan<'a> {
    pub plan: &'a ResponsePlan,
    pub reasons: Vec<String>,
}

/// The enabled plans whose trigger holds for `facts` and that have not run on the incident yet
/// (`already_ran`: their keys), in the document's order.
pub fn due<'a>(
    plans: &'a ResponsePlans,
    facts: &IncidentFacts,
    already_ran: &[String],
) -> Vec<DuePlan<'a>> {
    plans
        .plans
        .iter()
        .filter(|plan| plan.enabled && !already_ran.contains(&plan.key))
        .filter_map(|plan| {
            plan.when
                .holds(facts)
                .map(|reasons| DuePlan { plan, reasons })
        })
        .collect()
}

fn is_key(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check_text(errors: &mut Vec<FieldError>, pointer: String, text: &str, max: usize) {
    if text.trim().is_empty() {
        errors.push(FieldError::new(pointer, "must not be empty"));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
    }
}

fn check_count(errors: &mut Vec<FieldError>, pointer: String, count: usize) {
    if count > MAX_ACTIONS {
        errors.push(FieldError::new(
            pointer,
            format!("must list at most {MAX_ACTIONS}"),
        ));
    }
}

impl ResponsePlan {
    fn check(&self, at: &str, errors: &mut Vec<FieldError>) {
        if !is_key(&self.key) {
            errors.push(FieldError::new(
                format!("{at}/key"),
                "must be 1 to 64 lowercase letters, digits, '-' or '_'",
            ));
        }
        check_text(errors, format!("{at}/name"), &self.name, MAX_NAME);
        if self.description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                format!("{at}/description"),
                format!("must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        if self.when.is_empty() {
            errors.push(FieldError::new(
                format!("{at}/when"),
                "must name at least one condition: major, priority_at_most, incident_types or \
                 data_exposure",
            ));
        }
        for (i, kind) in self.when.incident_types.iter().enumerate() {
            if kind.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}/when/incident_types/{i}"),
                    "must not be empty",
                ));
            }
        }
        let actions = &self.actions;
        let nothing = actions.roles.is_empty()
            && actions.page_team_ids.is_empty()
            && actions.page_user_ids.is_empty()
            && actions.tasks.is_empty()
            && actions.restrict_to_roles.is_none();
        if nothing {
            errors.push(FieldError::new(
                format!("{at}/actions"),
                "must do something: roles, page_team_ids, page_user_ids, tasks or \
                 restrict_to_roles",
            ));
        }
        check_count(errors, format!("{at}/actions/roles"), actions.roles.len());
        check_count(
            errors,
            format!("{at}/actions/page_team_ids"),
            actions.page_team_ids.len(),
        );
        check_count(
            errors,
            format!("{at}/actions/page_user_ids"),
            actions.page_user_ids.len(),
        );
        check_count(errors, format!("{at}/actions/tasks"), actions.tasks.len());
        for (i, role) in actions.roles.iter().enumerate() {
            if role.role.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}/actions/roles/{i}/role"),
                    "must name a role",
                ));
            }
        }
        for (i, task) in actions.tasks.iter().enumerate() {
            check_text(
                errors,
                format!("{at}/actions/tasks/{i}/title"),
                &task.title,
                MAX_NAME,
            );
            if task
                .due_minutes
                .is_some_and(|m| m == 0 || m > MAX_DUE_MINUTES)
            {
                errors.push(FieldError::new(
                    format!("{at}/actions/tasks/{i}/due_minutes"),
                    format!("must be 1 to {MAX_DUE_MINUTES}"),
                ));
            }
        }
    }
}

impl Validate for ResponsePlans {
    /// Every bad field, named (the users, teams and roles named are checked by the store).
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        if self.plans.len() > MAX_PLANS {
            errors.push(FieldError::new(
                "/plans",
                format!("must list at most {MAX_PLANS} plans"),
            ));
        }
        let mut keys = BTreeSet::new();
        for (i, plan) in self.plans.iter().enumerate() {
            let at = format!("/plans/{i}");
            plan.check(&at, &mut errors);
            if !keys.insert(plan.key.as_str()) {
                errors.push(FieldError::new(
                    format!("{at}/key"),
                    format!("repeats the key {}", plan.key),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(key: &str, when: Trigger) -> ResponsePlan {
        ResponsePlan {
            key: key.to_owned(),
            name: format!("plan {key}"),
            description: String::new(),
            enabled: true,
            when,
            actions: Actions {
                tasks: vec![PlanTask {
                    title: "Open the bridge".to_owned(),
                    owner_user_id: None,
                    due_minutes: Some(15),
                }],
                ..Actions::default()
            },
        }
    }

    fn facts(is_major: bool, priority: Option<Priority>, kind: &str) -> IncidentFacts {
        IncidentFacts {
            is_major,
            priority,
            incident_type: kind.to_owned(),
            exposed: BTreeSet::new(),
        }
    }

    #[test]
    fn a_major_plan_runs_only_on_major_incidents_and_says_why() {
        let major = Trigger {
            major: true,
            ..Trigger::default()
        };
        assert_eq!(
            major.holds(&facts(false, Some(Priority::P1), "outage")),
            None
        );
        assert_eq!(
            major.holds(&facts(true, Some(Priority::P3), "outage")),
            Some(vec!["the incident is major".to_owned()])
        );
    }

    #[test]
    fn every_condition_given_must_hold() {
        let trigger = Trigger {
            priority_at_most: Some(Priority::P2),
            incident_types: vec!["security".to_owned()],
            ..Trigger::default()
        };
        assert_eq!(
            trigger.holds(&facts(false, Some(Priority::P1), "outage")),
            None
        );
        assert_eq!(
            trigger.holds(&facts(false, Some(Priority::P3), "security")),
            None
        );
        assert_eq!(trigger.holds(&facts(false, None, "security")), None);
        assert_eq!(
            trigger.holds(&facts(false, Some(Priority::P2), "security")),
            Some(vec![
                "priority P2 (plan runs at P2 or more urgent)".to_owned(),
                "incident type security".to_owned(),
            ])
        );
    }

    #[test]
    fn data_exposure_matches_any_kind_listed() {
        let trigger = Trigger {
            data_exposure: vec![DataExposure::HealthData, DataExposure::PersonalData],
            ..Trigger::default()
        };
        let mut incident = facts(false, None, "security");
        assert_eq!(trigger.holds(&incident), None);
        incident.exposed.insert(DataExposure::PaymentCardData);
        assert_eq!(trigger.holds(&incident), None);
        incident.exposed.insert(DataExposure::PersonalData);
        assert_eq!(
            trigger.holds(&incident),
            Some(vec!["personal data exposed".to_owned()])
        );
    }

    #[test]
    fn an_empty_trigger_never_holds() {
        assert_eq!(
            Trigger::default().holds(&facts(true, Some(Priority::P1), "x")),
            None
        );
    }

    #[test]
    fn due_leaves_out_disabled_plans_and_plans_that_already_ran() {
        let major = Trigger {
            major: true,
            ..Trigger::default()
        };
        let mut off = plan("off", major.clone());
        off.enabled = false;
        let plans = ResponsePlans {
            plans: vec![plan("first", major.clone()), off, plan("second", major)],
        };
        let incident = facts(true, None, "outage");
        let keys =
            |due: Vec<DuePlan>| -> Vec<String> { due.iter().map(|d| d.plan.key.clone()).collect() };
        assert_eq!(keys(due(&plans, &incident, &[])), ["first", "second"]);
        assert_eq!(
            keys(due(&plans, &incident, &["first".to_owned()])),
            ["second"]
        );
        assert!(due(&plans, &facts(false, None, "outage"), &[]).is_empty());
    }

    #[test]
    fn validation_names_every_bad_field() {
        let mut bad = plan("Bad Key", Trigger::default());
        bad.name = " ".to_owned();
        bad.actions = Actions {
            tasks: vec![PlanTask {
                title: String::new(),
                owner_user_id: None,
                due_minutes: Some(0),
            }],
            roles: vec![PlanRole {
                role: String::new(),
                user_id: None,
            }],
            ..Actions::default()
        };
        let twin = plan(
            "twin",
            Trigger {
                major: true,
                ..Trigger::default()
            },
        );
        let mut empty = twin.clone();
        empty.actions = Actions::default();
        let plans = ResponsePlans {
            plans: vec![bad, twin, empty],
        };
        let error = plans.validate().expect_err("invalid plans");
        let pointers: Vec<&str> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/plans/0/key",
                "/plans/0/name",
                "/plans/0/when",
                "/plans/0/actions/roles/0/role",
                "/plans/0/actions/tasks/0/title",
                "/plans/0/actions/tasks/0/due_minutes",
                "/plans/2/actions",
                "/plans/2/key",
            ]
        );
    }

    #[test]
    fn a_plan_document_reads_with_its_defaults() {
        let plans: ResponsePlans = serde_json::from_str(
            r#"{"plans":[{"key":"legal","name":"Legal","when":{"data_exposure":["personal_data"]},
                "actions":{"tasks":[{"title":"Call legal"}]}}]}"#,
        )
        .expect("a plan document");
        assert!(plans.plans[0].enabled);
        assert!(plans.validate().is_ok());
        let unknown = serde_json::from_str::<ResponsePlans>(
            r#"{"plans":[{"key":"x","name":"x","when":{"sev":1}}]}"#,
        );
        assert!(unknown.is_err());
    }
}
