//! What an escalation policy is made of, as users define it and the store persists it (JSON), and
//! the rules it must follow, each broken rule reported under the JSON pointer of its field
//! (`/steps/1/targets/0`).
use serde::{Deserialize, Serialize};

use super::skill::normalise_skill;
use crate::alerting::config::Validate;
use crate::error::{Collector, FieldError, ValidationError};
use crate::id::{IncidentRoleId, ScheduleId, TeamId, UserId};
use crate::values::{Description, Name};

/// Bounds on a policy.
pub mod limits {
    pub const MAX_STEPS: usize = 20;
    pub const MAX_TARGETS: usize = 20;
    pub const MAX_REPEAT: u8 = 9;
    /// The longest wait before the next step, and the longest acknowledgement timeout: a day.
    pub const MAX_MINUTES: u16 = 1440;
}

/// Who is paged for an incident: the steps in order, each after the previous one's delay, then
/// the whole list again `repeat` more times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPolicy {
    pub name: Name,
    #[serde(default)]
    pub description: Description,
    #[serde(default)]
    pub team_id: Option<TeamId>,
    pub steps: Vec<EscalationStep>,
    /// How many more times the whole policy runs after its last step (0 to 9).
    #[serde(default)]
    pub repeat: u8,
    /// An acknowledged incident not resolved within this many minutes escalates again from the
    /// first step; `None`: an acknowledgement holds until resolved.
    #[serde(default)]
    pub ack_timeout_minutes: Option<u16>,
}

/// One step: page every target, then wait `delay_minutes` before the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// 1 to 1440.
    pub delay_minutes: u16,
    pub targets: Vec<Target>,
}

/// Whom a step pages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// One person.
    User { user_id: UserId },
    /// Whoever is on call in the schedule at the time.
    Schedule { schedule_id: ScheduleId },
    /// Every member of the team, or with `round_robin` one member per page, in turn.
    Team {
        team_id: TeamId,
        #[serde(default)]
        round_robin: bool,
    },
    /// Every user with the skill (stored lowercase).
    Skill { skill: String },
    /// Whoever staffs the incident role at the time (its schedule's first qualified person on
    /// call, else its backup).
    Role { role_id: IncidentRoleId },
}

impl EscalationPolicy {
    /// The users, schedules, teams and roles the policy names (for reference checks), each once.
    pub fn references(&self) -> Vec<&Target> {
        let mut seen: Vec<&Target> = Vec::new();
        for target in self.steps.iter().flat_map(|step| &step.targets) {
            if !matches!(target, Target::Skill { .. }) && !seen.contains(&target) {
                seen.push(target);
            }
        }
        seen
    }

    /// The same policy with every skill in its stored (lowercase) form.
    pub fn normalised(mut self) -> Self {
        for target in self.steps.iter_mut().flat_map(|step| &mut step.targets) {
            if let Target::Skill { skill } = target
                && let Ok(normal) = normalise_skill(skill)
            {
                *skill = normal;
            }
        }
        self
    }
}

impl Validate for EscalationPolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        count(&mut errors, "/steps", self.steps.len(), limits::MAX_STEPS);
        for (s, step) in self.steps.iter().enumerate() {
            let pointer = format!("/steps/{s}");
            if !(1..=limits::MAX_MINUTES).contains(&step.delay_minutes) {
                errors.push(FieldError::new(
                    format!("{pointer}/delay_minutes"),
                    format!("must be from 1 to {} minutes", limits::MAX_MINUTES),
                ));
            }
            let targets = format!("{pointer}/targets");
            count(
                &mut errors,
                &targets,
                step.targets.len(),
                limits::MAX_TARGETS,
            );
            for (t, target) in step.targets.iter().enumerate() {
                let before = step.targets.get(..t).unwrap_or_default();
                if before.contains(target) {
                    errors.push(FieldError::new(
                        format!("{targets}/{t}"),
                        "repeats an earlier target of the step",
                    ));
                }
                if let Target::Skill { skill } = target {
                    errors.take(&format!("{targets}/{t}/skill"), normalise_skill(skill));
                }
            }
        }
        if self.repeat > limits::MAX_REPEAT {
            errors.push(FieldError::new(
                "/repeat",
                format!("must be from 0 to {}", limits::MAX_REPEAT),
            ));
        }
        if let Some(minutes) = self.ack_timeout_minutes
            && !(1..=limits::MAX_MINUTES).contains(&minutes)
        {
            errors.push(FieldError::new(
                "/ack_timeout_minutes",
                format!("must be from 1 to {} minutes", limits::MAX_MINUTES),
            ));
        }
        errors.finish()
    }
}

/// Refuses a list at `pointer` with fewer than one or more than `most` items.
fn count(errors: &mut Collector, pointer: &str, len: usize, most: usize) {
    if !(1..=most).contains(&len) {
        errors.push(FieldError::new(
            pointer,
            format!("must have from 1 to {most} items"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::alerting::from_json;

    fn pointers(value: serde_json::Value) -> Vec<String> {
        match from_json::<EscalationPolicy>(value) {
            Ok(_) => Vec::new(),
            Err(error) => error.0.into_iter().map(|e| e.pointer).collect(),
        }
    }

    fn user() -> serde_json::Value {
        json!({"kind": "user", "user_id": "0192f0c4-0000-7000-8000-000000000001"})
    }

    #[test]
    fn a_valid_policy_parses_with_defaults() {
        let policy: EscalationPolicy = from_json(json!({
            "name": "Payments",
            "steps": [{"delay_minutes": 5, "targets": [user(),
                {"kind": "team", "team_id": "0192f0c4-0000-7000-8000-000000000002"},
                {"kind": "skill", "skill": "Postgres"}]}]
        }))
        .expect("valid");
        assert_eq!(policy.repeat, 0);
        assert_eq!(policy.ack_timeout_minutes, None);
        let normal = policy.normalised();
        assert_eq!(
            normal.steps[0].targets[2],
            Target::Skill {
                skill: "postgres".into()
            }
        );
        assert_eq!(normal.references().len(), 2, "skills are not references");
    }

    #[test]
    fn every_broken_rule_is_reported_under_its_field() {
        assert_eq!(
            pointers(json!({"name": "P", "steps": [], "repeat": 10, "ack_timeout_minutes": 0})),
            ["/steps", "/repeat", "/ack_timeout_minutes"]
        );
        assert_eq!(
            pointers(json!({"name": "P", "steps": [
                {"delay_minutes": 5, "targets": [user()]},
                {"delay_minutes": 0, "targets": [user(), user(), {"kind": "skill", "skill": "a b"}]},
                {"delay_minutes": 5, "targets": []}]})),
            [
                "/steps/1/delay_minutes",
                "/steps/1/targets/1",
                "/steps/1/targets/2/skill",
                "/steps/2/targets"
            ]
        );
        let many = vec![json!({"delay_minutes": 1, "targets": [user()]}); 21];
        assert_eq!(pointers(json!({"name": "P", "steps": many})), ["/steps"]);
    }

    #[test]
    fn shape_errors_name_the_field() {
        assert_eq!(
            pointers(json!({"name": "P", "steps": [{"delay_minutes": 5,
                "targets": [{"kind": "user", "user_id": "nope"}]}]})),
            ["/steps/0/targets/0"]
        );
        assert_eq!(
            pointers(json!({"name": "", "steps": []})),
            ["/name"],
            "a shape error is reported alone"
        );
    }
}
