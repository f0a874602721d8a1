//! A generic webhook key's field mapping: for each of `summary`, `severity`, `dedup_key`,
//! `action`, `source` and `details`, either a JSON pointer into the body (`/alert/name`) or a
//! minijinja template (`{{ alert.name | upper }}`). Templates run sandboxed: no loader (so no
//! filesystem), a fuel budget, a recursion limit, and undefined values that fail when printed.
use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::{Map, Value};
use tocsin_domain::FieldError;

/// The fields a mapping may set.
pub const FIELDS: [&str; 6] = [
    "summary",
    "severity",
    "dedup_key",
    "action",
    "source",
    "details",
];

/// The longest pointer or template accepted.
pub const MAX_RULE: usize = 2048;
/// Template instructions (and memory, in 64-byte units) one render may use.
const FUEL: u64 = 50_000;
const RECURSION_LIMIT: usize = 32;

/// Where one field comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Pointer(String),
    Template(String),
}

impl Rule {
    fn text(&self) -> &str {
        match self {
            Rule::Pointer(text) | Rule::Template(text) => text,
        }
    }
}

/// A key's mapping; a field without a rule uses the default mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    rules: BTreeMap<String, Rule>,
}

/// The sandboxed template environment.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    // Printing a field the body lacks fails (naming the mapping's field) instead of rendering
    // nothing; `{% if field %}` and `| default(...)` still work.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env
}

fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A pointer is valid when it starts with `/` and every `~` escapes `0` or `1` (RFC 6901).
fn valid_pointer(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.starts_with('/')
        && bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'~')
            .all(|(i, _)| matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

fn parse_rule(env: &Environment<'_>, text: &str) -> Result<Rule, String> {
    if text.chars().count() > MAX_RULE {
        return Err(format!("should be at most {MAX_RULE} characters"));
    }
    if is_template(text) {
        env.template_from_str(text)
            .map_err(|error| format!("is not a valid template: {error}"))?;
        return Ok(Rule::Template(text.to_owned()));
    }
    if valid_pointer(text) {
        return Ok(Rule::Pointer(text.to_owned()));
    }
    Err("should be a JSON pointer (starting with /) or a template ({{ ... }})".into())
}

impl Mapping {
    /// Validates a mapping document: an object of the known fields, each a pointer or a
    /// template (`null` leaves the field on the default). Every problem names its field.
    pub fn parse(document: &Value) -> Result<Mapping, Vec<FieldError>> {
        let Some(entries) = document.as_object() else {
            return Err(vec![FieldError::new(
                "",
                "the mapping should be an object of summary, severity, dedup_key, action, source, details",
            )]);
        };
        let env = environment();
        let mut rules = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, value) in entries {
            let pointer = format!("/{}", name.replace('~', "~0").replace('/', "~1"));
            if !FIELDS.contains(&name.as_str()) {
                errors.push(FieldError::new(
                    pointer,
                    format!(
                        "{name} is not a mapped field; map one of {}",
                        FIELDS.join(", ")
                    ),
                ));
                continue;
            }
            match value {
                Value::Null => {}
                Value::String(text) => match parse_rule(&env, text) {
                    Ok(rule) => {
                        rules.insert(name.clone(), rule);
                    }
                    Err(detail) => {
                        errors.push(FieldError::new(pointer, format!("{name} {detail}")))
                    }
                },
                _ => errors.push(FieldError::new(
                    pointer,
                    format!("{name} should be a JSON pointer or a template string"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(Mapping { rules })
        } else {
            Err(errors)
        }
    }

    /// The mapping as stored and shown: field -> pointer or template.
    pub fn to_json(&self) -> Value {
        let entries: Map<String, Value> = self
            .rules
            .iter()
            .map(|(name, rule)| (name.clone(), Value::String(rule.text().to_owned())))
            .collect();
        Value::Object(entries)
    }

    /// The rule for `field`, if the mapping sets one.
    pub fn rule(&self, field: &str) -> Option<&Rule> {
        self.rules.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_and_templates_are_told_apart_and_kept() {
        let document = json!({
            "summary": "{{ alert.name | upper }} on {{ host }}",
            "dedup_key": "/alert/id",
            "severity": null,
        });
        let mapping = Mapping::parse(&document).expect("valid");
        assert_eq!(
            mapping.rule("summary"),
            Some(&Rule::Template(
                "{{ alert.name | upper }} on {{ host }}".into()
            ))
        );
        assert_eq!(
            mapping.rule("dedup_key"),
            Some(&Rule::Pointer("/alert/id".into()))
        );
        assert_eq!(mapping.rule("severity"), None);
        assert_eq!(
            mapping.to_json(),
            json!({"summary": "{{ alert.name | upper }} on {{ host }}", "dedup_key": "/alert/id"})
        );
    }

    #[test]
    fn every_invalid_rule_is_named() {
        let document = json!({
            "summary": "{{ unclosed",
            "dedup_key": "alert.id",
            "action": "/a~2b",
            "source": 3,
            "colour": "/c",
        });
        let errors = Mapping::parse(&document).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec!["/action", "/colour", "/dedup_key", "/source", "/summary"]
        );
        assert!(errors[4].detail.contains("not a valid template"));
        assert!(Mapping::parse(&json!("/summary")).is_err());
        let long = "/".repeat(MAX_RULE + 1);
        assert!(Mapping::parse(&json!({ "summary": long })).is_err());
    }
}
