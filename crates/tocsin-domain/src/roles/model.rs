//! What an incident role is made of, as users define it and the store persists it, and the rules
//! it must follow, each broken rule reported under the JSON pointer of its field.
use serde::{Deserialize, Serialize};

use crate::alerting::config::Validate;
use crate::error::{Collector, FieldError, ValidationError};
use crate::escalation::normalise_skill;
use crate::id::{ScheduleId, UserId};
use crate::values::Name;

/// Bounds on a role.
pub mod limits {
    /// The longest slug, in characters.
    pub const MAX_SLUG_CHARS: usize = 40;
    /// The longest instructions, in bytes (10 KB of markdown).
    pub const MAX_INSTRUCTIONS_BYTES: usize = 10 * 1024;
    /// The most required skills.
    pub const MAX_SKILLS: usize = 20;
}

/// A responsibility during an incident, and who staffs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRole {
    /// Stable lowercase key (`incident_commander`), unique.
    pub slug: String,
    pub name: Name,
    /// Markdown: what whoever fills the role does.
    #[serde(default)]
    pub instructions: String,
    /// The schedule whose on-call people staff the role; none: only the backup does.
    #[serde(default)]
    pub schedule_id: Option<ScheduleId>,
    /// Skills (stored lowercase, sorted) whoever fills the role from the schedule must have.
    #[serde(default)]
    pub required_skills: Vec<String>,
    /// Fills the role when no qualified person is on call.
    #[serde(default)]
    pub backup_user_id: Option<UserId>,
}

/// A role every organisation has, for seeding and for the incident response that reuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardRole {
    pub slug: &'static str,
    pub name: &'static str,
    pub instructions: &'static str,
}

/// The five standard roles (no schedule, no skills, no backup).
pub const STANDARD_ROLES: [StandardRole; 5] = [
    StandardRole {
        slug: "incident_commander",
        name: "Incident commander",
        instructions: "Owns the incident: sets priorities, assigns roles, decides. Exactly one at a time.",
    },
    StandardRole {
        slug: "communications_lead",
        name: "Communications lead",
        instructions: "Keeps stakeholders and the status page informed at a steady cadence.",
    },
    StandardRole {
        slug: "technical_lead",
        name: "Technical lead",
        instructions: "Leads the investigation and the fix; proposes actions to the commander.",
    },
    StandardRole {
        slug: "scribe",
        name: "Scribe",
        instructions: "Records decisions, actions and times on the incident timeline.",
    },
    StandardRole {
        slug: "liaison",
        name: "Liaison",
        instructions: "Works with other teams, vendors and customers on the commander's behalf.",
    },
];

/// A slug as stored: 1 to 40 of `a-z`, `0-9` and `_`, starting with a letter. Not rewritten:
/// a slug is a stable key, so one in another form is refused rather than guessed.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let max = limits::MAX_SLUG_CHARS;
    if raw.is_empty() || raw.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    let mut chars = raw.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts_with_letter || !rest_ok {
        return Err(
            "must be lowercase letters a-z, digits and '_', starting with a letter \
             (like incident_commander)"
                .to_owned(),
        );
    }
    Ok(raw.to_owned())
}

impl IncidentRole {
    /// The same role with its skills in stored form: lowercase, sorted, each once.
    pub fn normalised(mut self) -> Self {
        let mut skills: Vec<String> = self
            .required_skills
            .iter()
            .map(|skill| normalise_skill(skill).unwrap_or_else(|_| skill.clone()))
            .collect();
        skills.sort();
        skills.dedup();
        self.required_skills = skills;
        self
    }
}

impl Validate for IncidentRole {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        errors.take("/slug", parse_slug(&self.slug));
        if self.instructions.len() > limits::MAX_INSTRUCTIONS_BYTES {
            errors.push(FieldError::new(
                "/instructions",
                format!(
                    "must be at most {} bytes (10 KB)",
                    limits::MAX_INSTRUCTIONS_BYTES
                ),
            ));
        }
        if self.required_skills.len() > limits::MAX_SKILLS {
            errors.push(FieldError::new(
                "/required_skills",
                format!("must have at most {} items", limits::MAX_SKILLS),
            ));
        }
        for (index, skill) in self.required_skills.iter().enumerate() {
            errors.take(&format!("/required_skills/{index}"), normalise_skill(skill));
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::alerting::from_json;

    fn pointers(value: serde_json::Value) -> Vec<String> {
        match from_json::<IncidentRole>(value) {
            Ok(_) => Vec::new(),
            Err(error) => error.0.into_iter().map(|e| e.pointer).collect(),
        }
    }

    #[test]
    fn a_valid_role_parses_with_defaults_and_normalised_skills() {
        let role: IncidentRole = from_json(json!({
            "slug": "incident_commander", "name": "Incident commander",
            "required_skills": ["IC-Trained", "k8s", "ic-trained"]
        }))
        .expect("valid");
        assert_eq!(role.schedule_id, None);
        assert_eq!(role.backup_user_id, None);
        assert_eq!(role.instructions, "");
        assert_eq!(role.normalised().required_skills, ["ic-trained", "k8s"]);
    }

    #[test]
    fn slugs_are_lowercase_keys_starting_with_a_letter() {
        assert!(parse_slug("communications_lead").is_ok());
        assert!(parse_slug("ic2").is_ok());
        for bad in [
            "",
            "Incident_Commander",
            "incident commander",
            "2nd",
            "_ic",
            "ic-lead",
        ] {
            assert!(parse_slug(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_slug(&"a".repeat(41)).is_err());
        for standard in STANDARD_ROLES {
            assert_eq!(parse_slug(standard.slug).as_deref(), Ok(standard.slug));
        }
    }

    #[test]
    fn every_broken_rule_is_reported_under_its_field() {
        assert_eq!(
            pointers(json!({"slug": "Bad Slug", "name": "IC",
                "instructions": "x".repeat(10 * 1024 + 1),
                "required_skills": ["ok", "not ok"]})),
            ["/slug", "/instructions", "/required_skills/1"]
        );
        assert!(
            pointers(json!({"slug": "ic", "name": "IC", "instructions": "x".repeat(10 * 1024)}))
                .is_empty()
        );
        let many: Vec<String> = (0..21).map(|n| format!("s{n}")).collect();
        assert_eq!(
            pointers(json!({"slug": "ic", "name": "IC", "required_skills": many})),
            ["/required_skills"]
        );
        assert_eq!(
            pointers(json!({"slug": "ic", "name": "IC", "backup_user_id": "nope"})),
            ["/backup_user_id"]
        );
        assert_eq!(
            pointers(json!({"slug": "ic", "name": "IC", "extra": 1})),
            ["/extra"]
        );
    }
}
