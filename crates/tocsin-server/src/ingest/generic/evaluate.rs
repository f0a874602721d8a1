//! Applying a mapping (or the default one) to a webhook body: the alert's summary, severity,
//! dedup key, action, source and details. Lenient where tools differ: unknown severities are
//! `error`, unknown actions trigger, a missing dedup key is a hash of the body.
use minijinja::value::Serde;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tocsin_domain::FieldError;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_store::alert::IncomingAlert;

use super::mapping::{self, Mapping, Rule};
use crate::ingest::keys::IntakeKey;

pub const MAX_SUMMARY: usize = 1024;
pub const MAX_DEDUP_KEY: usize = 255;
const MAX_SOURCE: usize = 255;

/// Where each field is looked for when the mapping does not say, first found wins.
fn default_pointers(field: &str) -> &'static [&'static str] {
    match field {
        "summary" => &["/summary", "/title", "/message"],
        "severity" => &["/severity"],
        "dedup_key" => &["/dedup_key", "/id"],
        "action" => &["/action", "/status"],
        "source" => &["/source"],
        _ => &[],
    }
}

/// The alert a body maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub summary: String,
    pub severity: Severity,
    pub dedup_key: String,
    pub action: AlertAction,
    pub source: Option<String>,
    pub details: Value,
}

impl Mapped {
    pub fn into_incoming(self, key: &IntakeKey, raw: String) -> IncomingAlert {
        IncomingAlert {
            service_id: key.service_id,
            integration_key_id: Some(key.id),
            source_kind: "generic",
            action: self.action,
            dedup_key: self.dedup_key,
            summary: self.summary,
            severity: self.severity,
            source: self.source,
            component: None,
            group: None,
            class: None,
            labels: Default::default(),
            details: self.details,
            links: Value::Array(Vec::new()),
            images: Value::Array(Vec::new()),
            client: None,
            client_url: None,
            raw,
            action_note: None,
        }
    }
}

/// What templates see: the body's top-level fields as variables, and the whole body as `body`.
fn context(body: &Value) -> minijinja::Value {
    let mut variables = match body {
        Value::Object(entries) => entries.clone(),
        _ => Map::new(),
    };
    variables.insert("body".to_owned(), body.clone());
    minijinja::Value::from(Serde(Value::Object(variables)))
}

/// A JSON value as alert text: strings as they are, other scalars and structures as JSON.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        other => Some(other.to_string()),
    }
}

fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text,
    }
}

fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))[..40].to_owned()
}

struct Evaluator<'a> {
    mapping: &'a Mapping,
    body: &'a Value,
    env: minijinja::Environment<'static>,
    context: minijinja::Value,
}

impl Evaluator<'_> {
    /// The value of `field`: by its rule, else from the default pointers.
    fn value(&self, field: &str) -> Result<Option<Value>, FieldError> {
        match self.mapping.rule(field) {
            Some(Rule::Pointer(pointer)) => Ok(self.body.pointer(pointer).cloned()),
            Some(Rule::Template(source)) => {
                let rendered =
                    self.env
                        .render_str(source, self.context.clone())
                        .map_err(|error| {
                            FieldError::new(
                                format!("/{field}"),
                                format!(
                                    "the mapping's {field} template failed on this body: {error}"
                                ),
                            )
                        })?;
                Ok(Some(Value::String(rendered)))
            }
            None => Ok(default_pointers(field)
                .iter()
                .find_map(|pointer| self.body.pointer(pointer).filter(|v| !v.is_null()))
                .cloned()),
        }
    }

    fn text(&self, field: &str) -> Result<Option<String>, FieldError> {
        Ok(self.value(field)?.as_ref().and_then(as_text))
    }

    fn details(&self) -> Result<Value, FieldError> {
        match self.mapping.rule("details") {
            None => Ok(self.body.clone()),
            Some(Rule::Pointer(_)) => Ok(self.value("details")?.unwrap_or(Value::Null)),
            // A template that renders JSON gives that JSON; other text is kept as text.
            Some(Rule::Template(_)) => Ok(match self.value("details")? {
                Some(Value::String(text)) => {
                    serde_json::from_str(&text).unwrap_or(Value::String(text))
                }
                other => other.unwrap_or(Value::Null),
            }),
        }
    }
}

fn action_of(text: Option<&str>) -> AlertAction {
    match text.map(str::to_ascii_lowercase).as_deref() {
        Some("resolve" | "resolved" | "ok" | "recovery") => AlertAction::Resolve,
        Some("acknowledge" | "ack" | "acknowledged") => AlertAction::Acknowledge,
        // trigger, firing, alert, problem, and anything unknown.
        _ => AlertAction::Trigger,
    }
}

/// Maps `body` to an alert; failures name the field (template errors, no summary).
pub fn apply(mapping: &Mapping, body: &Value) -> Result<Mapped, Vec<FieldError>> {
    let evaluator = Evaluator {
        mapping,
        body,
        env: mapping::environment(),
        context: context(body),
    };
    let mut errors = Vec::new();
    let mut take = |result: Result<Option<String>, FieldError>| {
        result.unwrap_or_else(|error| {
            errors.push(error);
            None
        })
    };
    let summary = take(evaluator.text("summary"));
    let severity = take(evaluator.text("severity"));
    let dedup_key = take(evaluator.text("dedup_key"));
    let action = take(evaluator.text("action"));
    let source = take(evaluator.text("source"));
    let details = evaluator.details().unwrap_or_else(|error| {
        errors.push(error);
        Value::Null
    });
    let Some(summary) = summary else {
        if errors.is_empty() {
            let how = if mapping.rule("summary").is_some() {
                "the mapping's summary gave nothing for this body"
            } else {
                "no summary: send summary, title or message, or map one"
            };
            errors.push(FieldError::new("/summary", how));
        }
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let dedup_key = match dedup_key {
        Some(key) if key.chars().count() <= MAX_DEDUP_KEY => key,
        Some(long) => format!("long-{}", hash(&long)),
        // serde_json objects keep their keys sorted, so equal bodies hash alike.
        None => format!("body-{}", hash(&body.to_string())),
    };
    Ok(Mapped {
        summary: cut(summary, MAX_SUMMARY),
        severity: severity
            .as_deref()
            .and_then(Severity::from_label)
            .unwrap_or(Severity::Error),
        dedup_key,
        action: action_of(action.as_deref()),
        source: source.map(|s| cut(s, MAX_SOURCE)),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn default_apply(body: Value) -> Mapped {
        apply(&Mapping::default(), &body).expect("maps")
    }

    #[test]
    fn the_default_mapping_reads_the_usual_names() {
        let body = json!({
            "title": "CPU high", "severity": "warning", "id": "cpu-1",
            "status": "firing", "source": "zabbix", "value": 97
        });
        let mapped = default_apply(body.clone());
        assert_eq!(mapped.summary, "CPU high");
        assert_eq!(mapped.severity, Severity::Warning);
        assert_eq!(mapped.dedup_key, "cpu-1");
        assert_eq!(mapped.action, AlertAction::Trigger);
        assert_eq!(mapped.source.as_deref(), Some("zabbix"));
        assert_eq!(mapped.details, body);
    }

    #[test]
    fn defaults_fill_in_and_actions_are_read_leniently() {
        let mapped = default_apply(json!({"message": "m", "status": "RESOLVED"}));
        assert_eq!(mapped.severity, Severity::Error);
        assert_eq!(mapped.action, AlertAction::Resolve);
        assert!(mapped.dedup_key.starts_with("body-"));
        let same = default_apply(json!({"status": "RESOLVED", "message": "m"}));
        assert_eq!(
            mapped.dedup_key, same.dedup_key,
            "a stable hash of the body"
        );
        for (word, action) in [
            ("ok", AlertAction::Resolve),
            ("recovery", AlertAction::Resolve),
            ("ack", AlertAction::Acknowledge),
            ("problem", AlertAction::Trigger),
            ("something else", AlertAction::Trigger),
        ] {
            let mapped = default_apply(json!({"summary": "s", "action": word}));
            assert_eq!(mapped.action, action, "{word}");
        }
    }

    #[test]
    fn a_body_without_a_summary_is_refused_naming_it() {
        let errors = apply(&Mapping::default(), &json!({"x": 1})).expect_err("no summary");
        assert_eq!(errors[0].pointer, "/summary");
    }

    #[test]
    fn pointers_and_templates_map_nested_bodies() {
        let mapping = Mapping::parse(&json!({
            "summary": "{{ alert.name | upper }} on {{ alert.host }}",
            "dedup_key": "/alert/fingerprint",
            "severity": "{% if alert.level > 3 %}critical{% else %}info{% endif %}",
            "action": "/alert/state",
            "details": "{{ alert | tojson }}",
        }))
        .expect("valid");
        let body = json!({"alert": {"name": "disk", "host": "db-1", "fingerprint": "f1",
            "level": 5, "state": "ok"}});
        let mapped = apply(&mapping, &body).expect("maps");
        assert_eq!(mapped.summary, "DISK on db-1");
        assert_eq!(mapped.dedup_key, "f1");
        assert_eq!(mapped.severity, Severity::Critical);
        assert_eq!(mapped.action, AlertAction::Resolve);
        assert_eq!(mapped.details["host"], "db-1");
    }

    #[test]
    fn runaway_or_failing_templates_are_refused_naming_the_field() {
        let mapping = Mapping::parse(&json!({
            "summary": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "source": "{{ missing }}",
            "action": "{{ missing | default('resolve') }}",
        }))
        .expect("valid");
        let errors = apply(&mapping, &json!({})).expect_err("fails");
        assert_eq!(
            errors.len(),
            2,
            "default() covers a missing field: {errors:?}"
        );
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, vec!["/summary", "/source"]);
    }

    #[test]
    fn long_values_are_cut_or_hashed() {
        let mapped =
            default_apply(json!({"summary": "é".repeat(2000), "dedup_key": "k".repeat(300)}));
        assert_eq!(mapped.summary.chars().count(), MAX_SUMMARY);
        assert!(mapped.dedup_key.starts_with("long-"));
    }
}
