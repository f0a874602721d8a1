//! Event rules ("event orchestration"): ordered rules whose matchers pick events and whose actions
//! route, re-rate, tag, key, suppress, drop or threshold them, with a plain-words explanation of
//! every action taken.
//!
//! Evaluation runs the global rules first, then the rules of the service the event ends up routed
//! to (see [`evaluate`]). In each list, rules are tried in order; the first matching rule applies
//! its actions and stops that list, unless it has `continue_after`. A later action overrides an
//! earlier one (so a service rule overrides a global one), except tags, which accumulate, and
//! suppress and drop, which stick. A drop ends evaluation. Both lists match the event's original
//! fields: actions do not rewrite the fields later rules see.
//!
//! Templates (dedup and grouping keys) are text with `{{ field }}` placeholders replaced by the
//! field's value from the [`FieldMap`] (empty when absent), e.g. `{{ alertname }}/{{ cluster }}`.
//! There is no other syntax: no filters, conditionals or escapes.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::config::{Validate, check_names, item};
use super::threshold::Threshold;
use super::{FieldMap, Matchers, Severity};
use crate::error::{Collector, FieldError, ValidationError};
use crate::id::ServiceId;

/// Longest rule name, tag and template, in characters.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_TAG_CHARS: usize = 64;
pub const MAX_TEMPLATE_CHARS: usize = 1000;
/// Longest threshold window: one day.
pub const MAX_THRESHOLD_WINDOW_SECONDS: u32 = 24 * 60 * 60;
/// Largest threshold count (the occurrence instants kept on a held alert are at most this many).
pub const MAX_THRESHOLD_COUNT: u32 = super::threshold::MAX_COUNT;

/// Incident priority, P1 (highest) to P5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    P5,
}

/// A priority name that is not P1 to P5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown priority {0:?}: expected P1, P2, P3, P4 or P5")]
pub struct UnknownPriority(pub String);

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::P1,
        Priority::P2,
        Priority::P3,
        Priority::P4,
        Priority::P5,
    ];

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

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = UnknownPriority;
    /// `P1` to `P5`, case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|priority| priority.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPriority(s.to_string()))
    }
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unclosed {{{{ at byte {0}")]
    Unclosed(usize),
    #[error("empty or invalid field name in {{{{ }}}} at byte {0}")]
    BadField(usize),
    #[error("template must be at most {MAX_TEMPLATE_CHARS} characters")]
    TooLong,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TemplatePart {
    Text(String),
    Field(String),
}

/// Text with `{{ field }}` placeholders (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template {
    source: String,
    parts: Vec<TemplatePart>,
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        if source.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong);
        }
        let mut parts = Vec::new();
        let mut rest = source;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(TemplatePart::Text(rest[..open].to_string()));
            }
            let after_open = &rest[open + 2..];
            let close = after_open
                .find("}}")
                .ok_or(TemplateError::Unclosed(offset + open))?;
            let name = after_open[..close].trim();
            if name.is_empty() || name.contains(['{', '}']) {
                return Err(TemplateError::BadField(offset + open));
            }
            parts.push(TemplatePart::Field(name.to_string()));
            let consumed = open + 2 + close + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Self {
            source: source.to_string(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The text with each placeholder replaced by the field's value ("" when absent).
    pub fn render(&self, fields: &FieldMap) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => text.as_str(),
                TemplatePart::Field(name) => fields.get(name),
            })
            .collect()
    }
}

impl TryFrom<String> for Template {
    type Error = TemplateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Template::parse(&value)
    }
}

impl From<Template> for String {
    fn from(value: Template) -> String {
        value.source
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// What a matching rule does, as JSON `{"type": "set_severity", "severity": "critical"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// Send the event to another service (global rules only).
    RouteToService {
        service: ServiceId,
    },
    SetSeverity {
        severity: Severity,
    },
    SetPriority {
        priority: Priority,
    },
    AddTags {
        tags: Vec<String>,
    },
    SetDedupKey {
        template: Template,
    },
    SetGroupingKey {
        template: Template,
    },
    /// Store the alert but do not notify.
    Suppress,
    /// Discard the event; no further rules run.
    Drop,
    /// Hold the alert until `count` occurrences within `window_seconds` (see [`Threshold`]).
    Threshold {
        count: u32,
        window_seconds: u32,
    },
}

/// One event rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    /// All must match; none matches every event.
    #[serde(default)]
    pub conditions: Matchers,
    pub actions: Vec<RuleAction>,
    /// Keep evaluating the following rules of the list after this one matched.
    #[serde(default)]
    pub continue_after: bool,
}

/// Which list a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleStage {
    Global,
    Service,
}

/// What the rules decided for an event; `None` / empty / `false` where no rule said anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOutcome {
    pub route: Option<ServiceId>,
    pub severity: Option<Severity>,
    pub priority: Option<Priority>,
    pub tags: Vec<String>,
    pub dedup_key: Option<String>,
    pub grouping_key: Option<String>,
    pub suppress: bool,
    pub drop: bool,
    pub threshold: Option<Threshold>,
    /// The rule that set `threshold`.
    pub threshold_rule: Option<String>,
    /// One line per action of every matched rule, in order, in plain words.
    pub explanations: Vec<String>,
}

impl RuleOutcome {
    /// The service the event ends up in: the routed one, else `default`.
    pub fn service_or(&self, default: ServiceId) -> ServiceId {
        self.route.unwrap_or(default)
    }

    /// Applies one list of rules to `fields`, in order.
    pub fn apply(&mut self, stage: RuleStage, rules: &[Rule], fields: &FieldMap) {
        for rule in rules {
            if self.drop {
                return;
            }
            if !rule.conditions.matches_all(fields) {
                continue;
            }
            let conditions = if rule.conditions.is_empty() {
                "always".to_string()
            } else {
                rule.conditions.joined()
            };
            let prefix = format!("rule {:?} matched ({conditions})", rule.name);
            for action in &rule.actions {
                let said = self.apply_action(stage, action, fields);
                if matches!(action, RuleAction::Threshold { .. }) {
                    self.threshold_rule = Some(rule.name.clone());
                }
                self.explanations.push(format!("{prefix}: {said}"));
                if self.drop {
                    return;
                }
            }
            if !rule.continue_after {
                return;
            }
        }
    }

    /// Applies one action; returns what it did, in words.
    fn apply_action(&mut self, stage: RuleStage, action: &RuleAction, fields: &FieldMap) -> String {
        match action {
            RuleAction::RouteToService { service } => {
                if stage == RuleStage::Service {
                    return format!("route to service {service} ignored: only global rules route");
                }
                self.route = Some(*service);
                format!("routed to service {service}")
            }
            RuleAction::SetSeverity { severity } => {
                self.severity = Some(*severity);
                format!("severity set to {severity}")
            }
            RuleAction::SetPriority { priority } => {
                self.priority = Some(*priority);
                format!("priority set to {priority}")
            }
            RuleAction::AddTags { tags } => {
                for tag in tags {
                    if !self.tags.contains(tag) {
                        self.tags.push(tag.clone());
                    }
                }
                format!("tags added: {}", tags.join(", "))
            }
            RuleAction::SetDedupKey { template } => {
                let key = template.render(fields);
                let said = format!("dedup key set to {key:?}");
                self.dedup_key = Some(key);
                said
            }
            RuleAction::SetGroupingKey { template } => {
                let key = template.render(fields);
                let said = format!("grouping key set to {key:?}");
                self.grouping_key = Some(key);
                said
            }
            RuleAction::Suppress => {
                self.suppress = true;
                "suppressed: stored without notifying".to_string()
            }
            RuleAction::Drop => {
                self.drop = true;
                "dropped: not stored, no further rules run".to_string()
            }
            RuleAction::Threshold {
                count,
                window_seconds,
            } => {
                self.threshold = Some(Threshold {
                    count: *count,
                    window_seconds: *window_seconds,
                });
                format!("held until {count} occurrences within {window_seconds} seconds")
            }
        }
    }
}

/// Runs the global rules alone (the route they pick tells the caller which service rules follow).
pub fn evaluate_global(global: &[Rule], fields: &FieldMap) -> RuleOutcome {
    let mut outcome = RuleOutcome::default();
    outcome.apply(RuleStage::Global, global, fields);
    outcome
}

/// Runs a service's rules after [`evaluate_global`].
pub fn evaluate_service(
    mut outcome: RuleOutcome,
    service: &[Rule],
    fields: &FieldMap,
) -> RuleOutcome {
    outcome.apply(RuleStage::Service, service, fields);
    outcome
}

/// Runs the global rules, then the rules of the service the event is routed to:
/// `service_rules` is asked for the rules of the routed service, or of `default_service` (the
/// integration's) when no global rule routed. It is not asked when a global rule dropped the event.
pub fn evaluate<'s>(
    global: &[Rule],
    default_service: ServiceId,
    service_rules: impl FnOnce(ServiceId) -> &'s [Rule],
    fields: &FieldMap,
) -> RuleOutcome {
    let outcome = evaluate_global(global, fields);
    if outcome.drop {
        return outcome;
    }
    let rules = service_rules(outcome.service_or(default_service));
    evaluate_service(outcome, rules, fields)
}

impl Validate for Rule {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 || name_chars > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "/name",
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        if self.actions.is_empty() {
            errors.push(FieldError::new(
                "/actions",
                "at least one action is required",
            ));
        }
        for (index, action) in self.actions.iter().enumerate() {
            let pointer = item("/actions", index);
            validate_action(&mut errors, &pointer, action);
        }
        errors.finish()
    }
}

fn validate_action(errors: &mut Collector, pointer: &str, action: &RuleAction) {
    match action {
        RuleAction::AddTags { tags } => {
            let tags_pointer = format!("{pointer}/tags");
            if tags.is_empty() {
                errors.push(FieldError::new(
                    &tags_pointer,
                    "at least one tag is required",
                ));
            }
            check_names(errors, &tags_pointer, tags, "tag");
            for (index, tag) in tags.iter().enumerate() {
                if tag.chars().count() > MAX_TAG_CHARS || tag.chars().any(char::is_control) {
                    errors.push(FieldError::new(
                        item(&tags_pointer, index),
                        format!(
                            "must be at most {MAX_TAG_CHARS} characters, without control characters"
                        ),
                    ));
                }
            }
        }
        RuleAction::SetDedupKey { template } | RuleAction::SetGroupingKey { template } => {
            if template.as_str().trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{pointer}/template"),
                    "must not be empty",
                ));
            }
        }
        RuleAction::Threshold {
            count,
            window_seconds,
        } => {
            if !(1..=MAX_THRESHOLD_COUNT).contains(count) {
                errors.push(FieldError::new(
                    format!("{pointer}/count"),
                    format!("must be from 1 to {MAX_THRESHOLD_COUNT}"),
                ));
            }
            if !(1..=MAX_THRESHOLD_WINDOW_SECONDS).contains(window_seconds) {
                errors.push(FieldError::new(
                    format!("{pointer}/window_seconds"),
                    format!("must be from 1 to {MAX_THRESHOLD_WINDOW_SECONDS} (one day)"),
                ));
            }
        }
        RuleAction::RouteToService { .. }
        | RuleAction::SetSeverity { .. }
        | RuleAction::SetPriority { .. }
        | RuleAction::Suppress
        | RuleAction::Drop => {}
    }
}

/// An ordered list of rules: each rule valid (errors under `/<index>`), names unique.
impl Validate for Vec<Rule> {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        for (index, rule) in self.iter().enumerate() {
            if let Err(ValidationError(rule_errors)) = rule.validate() {
                let parent = item("", index);
                for error in rule_errors {
                    errors.push(error.under(&parent));
                }
            }
            if self.get(..index).is_some_and(|before| {
                before
                    .iter()
                    .any(|other| other.name.trim() == rule.name.trim())
            }) {
                errors.push(FieldError::new(
                    format!("{}/name", item("", index)),
                    format!("duplicate rule name {:?}", rule.name),
                ));
            }
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use serde_json::json;
    use uuid::Uuid;

    fn alert(pairs: &[(&str, &str)]) -> FieldMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn rule(name: &str, conditions: &str, actions: Vec<RuleAction>) -> Rule {
        Rule {
            name: name.into(),
            conditions: Matchers::parse(conditions).expect("conditions"),
            actions,
            continue_after: false,
        }
    }

    fn service(n: u128) -> ServiceId {
        ServiceId(Uuid::from_u128(n))
    }

    fn severity(severity: Severity) -> RuleAction {
        RuleAction::SetSeverity { severity }
    }

    #[test]
    fn the_first_matching_rule_stops_its_list_unless_it_continues() {
        let db = alert(&[("service", "db"), ("env", "prod")]);
        let mut rules = vec![
            rule("web", r#"{service="web"}"#, vec![severity(Severity::Info)]),
            rule(
                "db",
                r#"{service="db"}"#,
                vec![severity(Severity::Critical)],
            ),
            rule(
                "prod",
                r#"{env="prod"}"#,
                vec![RuleAction::SetPriority {
                    priority: Priority::P1,
                }],
            ),
        ];
        let outcome = evaluate_global(&rules, &db);
        assert_eq!(outcome.severity, Some(Severity::Critical));
        assert_eq!(outcome.priority, None, "the db rule stopped the list");
        assert_eq!(
            outcome.explanations,
            [r#"rule "db" matched (service="db"): severity set to critical"#]
        );
        rules[1].continue_after = true;
        let outcome = evaluate_global(&rules, &db);
        assert_eq!(outcome.priority, Some(Priority::P1));
        assert_eq!(outcome.explanations.len(), 2);
        assert!(evaluate_global(&rules, &alert(&[("service", "api")])) == RuleOutcome::default());
    }

    #[test]
    fn service_rules_run_after_global_ones_and_override_them() {
        let fields = alert(&[("alertname", "DiskFull"), ("host", "h1")]);
        let global = [rule(
            "all",
            "{}",
            vec![
                severity(Severity::Warning),
                RuleAction::AddTags {
                    tags: vec!["disk".into(), "infra".into()],
                },
            ],
        )];
        let service_rules = [rule(
            "disk full",
            r#"{alertname="DiskFull"}"#,
            vec![
                severity(Severity::Error),
                RuleAction::AddTags {
                    tags: vec!["infra".into(), "storage".into()],
                },
                RuleAction::SetDedupKey {
                    template: Template::parse("{{alertname}}@{{ host }}").expect("template"),
                },
            ],
        )];
        let outcome = evaluate(&global, service(1), |_| &service_rules, &fields);
        assert_eq!(outcome.severity, Some(Severity::Error));
        assert_eq!(outcome.tags, ["disk", "infra", "storage"]);
        assert_eq!(outcome.dedup_key.as_deref(), Some("DiskFull@h1"));
        assert_eq!(
            outcome.explanations,
            [
                r#"rule "all" matched (always): severity set to warning"#,
                r#"rule "all" matched (always): tags added: disk, infra"#,
                r#"rule "disk full" matched (alertname="DiskFull"): severity set to error"#,
                r#"rule "disk full" matched (alertname="DiskFull"): tags added: infra, storage"#,
                r#"rule "disk full" matched (alertname="DiskFull"): dedup key set to "DiskFull@h1""#,
            ]
        );
    }

    #[test]
    fn a_global_route_picks_which_service_rules_run() {
        let fields = alert(&[("team", "db")]);
        let global = [rule(
            "to db",
            r#"{team="db"}"#,
            vec![RuleAction::RouteToService {
                service: service(2),
            }],
        )];
        let db_rules = [rule(
            "db threshold",
            "{}",
            vec![
                RuleAction::Threshold {
                    count: 3,
                    window_seconds: 300,
                },
                RuleAction::RouteToService {
                    service: service(3),
                },
            ],
        )];
        let mut asked = None;
        let outcome = evaluate(
            &global,
            service(1),
            |id| {
                asked = Some(id);
                if id == service(2) { &db_rules[..] } else { &[] }
            },
            &fields,
        );
        assert_eq!(asked, Some(service(2)));
        assert_eq!(
            outcome.service_or(service(1)),
            service(2),
            "service rules cannot re-route"
        );
        assert_eq!(
            outcome.threshold,
            Some(Threshold {
                count: 3,
                window_seconds: 300
            })
        );
        assert_eq!(outcome.threshold_rule.as_deref(), Some("db threshold"));
        let last = outcome.explanations.last().expect("explained");
        assert!(last.ends_with("ignored: only global rules route"), "{last}");
        // Without a global route, the integration's own service is asked.
        let outcome = evaluate(
            &[],
            service(1),
            |id| {
                asked = Some(id);
                &[]
            },
            &fields,
        );
        assert_eq!(asked, Some(service(1)));
        assert_eq!(outcome.service_or(service(1)), service(1));
    }

    #[test]
    fn drop_ends_evaluation_and_suppress_sticks() {
        let fields = alert(&[("env", "dev")]);
        let global = [
            Rule {
                continue_after: true,
                ..rule("quiet", "{}", vec![RuleAction::Suppress])
            },
            rule(
                "dev",
                r#"{env="dev"}"#,
                vec![RuleAction::Drop, severity(Severity::Critical)],
            ),
        ];
        let mut asked = false;
        let outcome = evaluate(
            &global,
            service(1),
            |_| {
                asked = true;
                &[]
            },
            &fields,
        );
        assert!(outcome.suppress && outcome.drop);
        assert_eq!(outcome.severity, None, "nothing after the drop runs");
        assert!(
            !asked,
            "service rules are not looked up for a dropped event"
        );
        assert_eq!(outcome.explanations.len(), 2);
    }

    #[test]
    fn templates_substitute_fields_and_nothing_else() {
        let fields = alert(&[("alertname", "DiskFull"), ("details.disk", "/var")]);
        let render = |text: &str| Template::parse(text).expect(text).render(&fields);
        assert_eq!(render("{{alertname}}:{{ details.disk }}"), "DiskFull:/var");
        assert_eq!(render("x-{{ missing }}-y"), "x--y");
        assert_eq!(render("plain {single} }}"), "plain {single} }}");
        assert_eq!(Template::parse("a {{ b"), Err(TemplateError::Unclosed(2)));
        assert_eq!(Template::parse("{{ }}"), Err(TemplateError::BadField(0)));
        assert_eq!(
            Template::parse("{{ a {{ b }}"),
            Err(TemplateError::BadField(0))
        );
        assert_eq!(
            Template::parse(&"x".repeat(MAX_TEMPLATE_CHARS + 1)),
            Err(TemplateError::TooLong)
        );
    }

    #[test]
    fn priorities_parse_and_display() {
        for priority in Priority::ALL {
            assert_eq!(priority.to_string().parse::<Priority>(), Ok(priority));
        }
        assert_eq!("p2".parse::<Priority>(), Ok(Priority::P2));
        assert!("P6".parse::<Priority>().is_err());
        assert!(Priority::P1 < Priority::P5);
    }

    #[test]
    fn rules_read_from_json_with_pointers_to_each_problem() {
        let parsed: Rule = from_json(json!({
            "name": "db alerts",
            "conditions": "{service=\"db\"}",
            "actions": [
                {"type": "set_severity", "severity": "critical"},
                {"type": "set_dedup_key", "template": "{{ alertname }}"},
                {"type": "suppress"}
            ]
        }))
        .expect("valid");
        assert_eq!(parsed.actions.len(), 3);
        assert!(!parsed.continue_after);
        let invalid = from_json::<Rule>(json!({
            "name": " ",
            "actions": [
                {"type": "add_tags", "tags": ["a", ""]},
                {"type": "set_grouping_key", "template": ""},
                {"type": "threshold", "count": 0, "window_seconds": 0}
            ]
        }))
        .expect_err("invalid");
        let pointers: Vec<_> = invalid.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/name",
                "/actions/0/tags/1",
                "/actions/1/template",
                "/actions/2/count",
                "/actions/2/window_seconds"
            ]
        );
        let unknown_action = from_json::<Rule>(json!({
            "name": "x", "actions": [{"type": "page_everyone"}]
        }))
        .expect_err("unknown action");
        assert_eq!(unknown_action.0[0].pointer, "/actions/0/type");
        let bad_template = from_json::<Rule>(json!({
            "name": "x", "actions": [{"type": "set_dedup_key", "template": "{{ a"}]
        }))
        .expect_err("unclosed template");
        assert!(
            bad_template.0[0].detail.contains("unclosed"),
            "{bad_template}"
        );
        let list = from_json::<Vec<Rule>>(json!([
            {"name": "a", "actions": [{"type": "drop"}]},
            {"name": "a", "actions": []}
        ]))
        .expect_err("invalid list");
        let pointers: Vec<_> = list.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/1/actions", "/1/name"]);
    }

    #[test]
    fn actions_serialize_with_a_type_tag() {
        let action = RuleAction::Threshold {
            count: 3,
            window_seconds: 60,
        };
        assert_eq!(
            serde_json::to_value(&action).expect("serialize"),
            json!({"type": "threshold", "count": 3, "window_seconds": 60})
        );
        let route = RuleAction::RouteToService {
            service: service(7),
        };
        let back: RuleAction =
            serde_json::from_value(serde_json::to_value(&route).expect("serialize"))
                .expect("parse");
        assert_eq!(back, route);
    }
}
