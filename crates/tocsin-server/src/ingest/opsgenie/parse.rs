//! Opsgenie alert API bodies (create, close, acknowledge), validated field by field with
//! Opsgenie's own limits: every problem is reported at once, each naming its field.
use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tocsin_domain::FieldError;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_store::alert::{ActionNote, IncomingAlert};

use crate::ingest::keys::IntakeKey;

pub const MAX_MESSAGE: usize = 130;
pub const MAX_ALIAS: usize = 512;
pub const MAX_DESCRIPTION: usize = 15_000;
const MAX_ENTITY: usize = 512;
const MAX_USER: usize = 100;
const MAX_SOURCE: usize = 100;
const MAX_NOTE: usize = 25_000;
const MAX_TAG: usize = 50;

/// A valid create-alert body.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCreate {
    pub message: String,
    /// The dedup key: the given alias, or a stable hash of the message.
    pub alias: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub entity: Option<String>,
    pub source: Option<String>,
    /// The body's `details` (string values), plus `opsgenie`: the other Opsgenie fields given.
    pub details: Map<String, Value>,
}

impl ParsedCreate {
    /// The alert for the key's service.
    pub fn into_incoming(self, key: &IntakeKey, raw: String) -> IncomingAlert {
        let mut alert = transition(key, AlertAction::Trigger, self.alias, self.message, raw);
        alert.labels = self
            .tags
            .iter()
            .map(|tag| (format!("tag.{tag}"), "true".to_owned()))
            .collect();
        alert.severity = self.severity;
        alert.details = Value::Object(self.details);
        alert.source = self.source;
        alert.component = self.entity;
        alert
    }
}

/// An alert event that only moves the open alert under `dedup_key` (close, acknowledge), or the
/// base of a create.
pub fn transition(
    key: &IntakeKey,
    action: AlertAction,
    dedup_key: String,
    summary: String,
    raw: String,
) -> IncomingAlert {
    IncomingAlert {
        service_id: key.service_id,
        integration_key_id: Some(key.id),
        source_kind: "opsgenie",
        action,
        dedup_key,
        summary,
        severity: Severity::Warning,
        source: None,
        component: None,
        group: None,
        class: None,
        labels: BTreeMap::new(),
        details: Value::Object(Map::new()),
        links: Value::Array(Vec::new()),
        images: Value::Array(Vec::new()),
        client: None,
        client_url: None,
        raw,
        action_note: None,
    }
}

/// How the path's identifier names the alert (`identifierType`, default `id` as in Opsgenie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierType {
    /// Tocsin's alert id.
    Id,
    /// The alias given at create: the dedup key.
    Alias,
}

/// The `identifierType` of a query string.
pub fn identifier_type(query: Option<&str>) -> Result<IdentifierType, Vec<FieldError>> {
    let given = query
        .map(|q| form_urlencoded::parse(q.as_bytes()))
        .and_then(|mut pairs| pairs.find(|(name, _)| name == "identifierType"))
        .map(|(_, value)| value.into_owned());
    match given.as_deref() {
        None | Some("id") => Ok(IdentifierType::Id),
        Some("alias") => Ok(IdentifierType::Alias),
        Some(other) => Err(vec![FieldError::new(
            "/identifierType",
            format!(
                "identifierType should be one of id, alias (got {other:?}; tiny ids are not supported)"
            ),
        )]),
    }
}

/// The dedup key of an alert created without an alias: stable for the same message.
pub fn alias_of_message(message: &str) -> String {
    let digest = Sha256::digest(message.as_bytes());
    format!("message-{}", &hex::encode(digest)[..32])
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, pointer: &str, detail: String) {
        self.0.push(FieldError::new(pointer, detail));
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}

/// The body's fields; a body that is not an object is reported as such.
fn object(body: &Value) -> Result<&Map<String, Value>, Vec<FieldError>> {
    body.as_object()
        .ok_or_else(|| vec![FieldError::new("", "the body should be a JSON object")])
}

/// An optional string of at most `max` characters.
fn text(body: &Map<String, Value>, name: &str, max: usize, errors: &mut Errors) -> Option<String> {
    let pointer = format!("/{name}");
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= max => Some(text.clone()),
        Some(Value::String(_)) => {
            errors.push(
                &pointer,
                format!("{name} should be at most {max} characters"),
            );
            None
        }
        Some(_) => {
            errors.push(&pointer, format!("{name} should be a string"));
            None
        }
    }
}

fn tags(body: &Map<String, Value>, errors: &mut Errors) -> Vec<String> {
    let items = match body.get("tags") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push("/tags", "tags should be an array of strings".into());
            return Vec::new();
        }
    };
    let mut tags = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match item.as_str().map(str::trim) {
            Some(tag) if !tag.is_empty() && tag.chars().count() <= MAX_TAG => {
                tags.push(tag.to_owned());
            }
            _ => errors.push(
                &format!("/tags/{index}"),
                format!("tags should be non-empty strings of at most {MAX_TAG} characters"),
            ),
        }
    }
    tags
}

/// `details`: an object of string values.
fn details(body: &Map<String, Value>, errors: &mut Errors) -> Map<String, Value> {
    match body.get("details") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(entries)) => {
            for (name, value) in entries {
                if !value.is_string() {
                    let escaped = name.replace('~', "~0").replace('/', "~1");
                    errors.push(
                        &format!("/details/{escaped}"),
                        format!("details.{name} should be a string"),
                    );
                }
            }
            entries.clone()
        }
        Some(_) => {
            errors.push("/details", "details should be an object of strings".into());
            Map::new()
        }
    }
}

/// `responders`, `visibleTo`, `actions`: arrays accepted as given and kept.
fn kept_array(body: &Map<String, Value>, name: &str, errors: &mut Errors) -> Option<Value> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(Value::Array(items.clone())),
        Some(_) => {
            errors.push(&format!("/{name}"), format!("{name} should be an array"));
            None
        }
    }
}

/// A create-alert body (`POST /v2/alerts`).
pub fn parse_create(body: &Value) -> Result<ParsedCreate, Vec<FieldError>> {
    let body = object(body)?;
    let mut errors = Errors::default();
    let before = errors.0.len();
    let message = text(body, "message", MAX_MESSAGE, &mut errors).filter(|m| !m.trim().is_empty());
    if message.is_none() && errors.0.len() == before {
        errors.push("/message", "message is missing or blank".into());
    }
    let alias = text(body, "alias", MAX_ALIAS, &mut errors).filter(|a| !a.trim().is_empty());
    let severity = match body.get("priority") {
        None | Some(Value::Null) => Some(Severity::Warning),
        Some(value) => {
            let parsed = value.as_str().and_then(Severity::from_opsgenie_priority);
            if parsed.is_none() {
                errors.push(
                    "/priority",
                    format!("priority should be one of P1, P2, P3, P4, P5 (got {value})"),
                );
            }
            parsed
        }
    };
    let tags = tags(body, &mut errors);
    let mut details = details(body, &mut errors);
    let mut opsgenie = Map::new();
    let limits = [
        ("description", MAX_DESCRIPTION),
        ("entity", MAX_ENTITY),
        ("source", MAX_SOURCE),
        ("user", MAX_USER),
        ("note", MAX_NOTE),
    ];
    for (name, max) in limits {
        if let Some(value) = text(body, name, max, &mut errors) {
            opsgenie.insert(name.to_owned(), Value::String(value));
        }
    }
    for name in ["responders", "visibleTo", "actions"] {
        if let Some(value) = kept_array(body, name, &mut errors) {
            opsgenie.insert(name.to_owned(), value);
        }
    }
    let text_of = |name: &str| {
        opsgenie
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (entity, source) = (text_of("entity"), text_of("source"));
    if !opsgenie.is_empty() {
        details.insert("opsgenie".to_owned(), Value::Object(opsgenie));
    }
    errors.finish(|| {
        let message = message.unwrap_or_default();
        ParsedCreate {
            alias: alias.unwrap_or_else(|| alias_of_message(&message)),
            message,
            severity: severity.unwrap_or(Severity::Warning),
            tags,
            entity,
            source,
            details,
        }
    })
}

/// A close or acknowledge body: optional, with optional `user`, `source` and `note` (Opsgenie's
/// limits: 100, 100 and 25000 characters), kept on the alert's event as `by`, `source`, `note`.
pub fn parse_transition(body: &Value) -> Result<ActionNote, Vec<FieldError>> {
    if body.is_null() {
        return Ok(ActionNote::default());
    }
    let body = object(body)?;
    let mut errors = Errors::default();
    let by = text(body, "user", MAX_USER, &mut errors);
    let source = text(body, "source", MAX_SOURCE, &mut errors);
    let note = text(body, "note", MAX_NOTE, &mut errors);
    errors.finish(|| ActionNote { by, source, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The create example of Opsgenie's Alert API documentation.
    fn documented_create() -> Value {
        json!({
            "message": "An example alert message",
            "alias": "Life is too short for no alias",
            "description": "Every alert needs a description",
            "responders": [
                {"id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c", "type": "team"},
                {"name": "NOC", "type": "team"},
                {"username": "trinity@opsgenie.com", "type": "user"},
                {"name": "Nightwatch Escalation", "type": "escalation"},
                {"name": "First Responders Schedule", "type": "schedule"}
            ],
            "visibleTo": [
                {"name": "rocket_team", "type": "team"},
                {"username": "trinity@opsgenie.com", "type": "user"}
            ],
            "actions": ["Restart", "AnExampleAction"],
            "tags": ["OverwriteQuietHours", "Critical"],
            "details": {"key1": "value1", "key2": "value2"},
            "entity": "An example entity",
            "priority": "P1"
        })
    }

    #[test]
    fn the_documented_create_example_parses_with_every_field() {
        let parsed = parse_create(&documented_create()).expect("valid");
        assert_eq!(parsed.message, "An example alert message");
        assert_eq!(parsed.alias, "Life is too short for no alias");
        assert_eq!(parsed.severity, Severity::Critical);
        assert_eq!(parsed.tags, vec!["OverwriteQuietHours", "Critical"]);
        assert_eq!(parsed.entity.as_deref(), Some("An example entity"));
        assert_eq!(parsed.details["key1"], "value1");
        let kept = &parsed.details["opsgenie"];
        assert_eq!(kept["description"], "Every alert needs a description");
        assert_eq!(kept["actions"], json!(["Restart", "AnExampleAction"]));
        assert_eq!(kept["responders"][1]["name"], "NOC");
        assert_eq!(kept["visibleTo"][0]["name"], "rocket_team");
    }

    #[test]
    fn tags_become_labels_and_the_entity_the_component() {
        let key = IntakeKey {
            id: tocsin_domain::id::IntegrationKeyId(uuid::Uuid::nil()),
            service_id: tocsin_domain::id::ServiceId(uuid::Uuid::nil()),
        };
        let parsed = parse_create(&documented_create()).expect("valid");
        let alert = parsed.into_incoming(&key, "{}".into());
        assert_eq!(
            alert.labels.get("tag.Critical").map(String::as_str),
            Some("true")
        );
        assert_eq!(alert.component.as_deref(), Some("An example entity"));
        assert_eq!(alert.severity, Severity::Critical);
        assert_eq!(alert.action, AlertAction::Trigger);
        assert_eq!(alert.dedup_key, "Life is too short for no alias");
    }

    #[test]
    fn only_a_message_is_needed_and_the_defaults_are_opsgenies() {
        let parsed = parse_create(&json!({"message": "disk full"})).expect("valid");
        assert_eq!(parsed.severity, Severity::Warning, "P3 by default");
        assert_eq!(parsed.alias, alias_of_message("disk full"));
        assert_eq!(parsed.alias, alias_of_message("disk full"), "stable");
        assert_ne!(parsed.alias, alias_of_message("disk fine"));
        assert!(parsed.details.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let body = json!({
            "message": "m".repeat(MAX_MESSAGE + 1),
            "alias": "a".repeat(MAX_ALIAS + 1),
            "priority": "P9",
            "tags": ["ok", 3],
            "details": {"n": 1},
            "responders": "NOC",
        });
        let errors = parse_create(&body).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/message",
                "/alias",
                "/priority",
                "/tags/1",
                "/details/n",
                "/responders"
            ]
        );
        assert!(errors[2].detail.contains("P1, P2, P3, P4, P5"));
    }

    #[test]
    fn a_missing_message_or_a_non_object_body_is_refused() {
        let errors = parse_create(&json!({"priority": "P1"})).expect_err("no message");
        assert_eq!(errors[0].pointer, "/message");
        let errors = parse_create(&json!(["message"])).expect_err("not an object");
        assert_eq!(errors[0].pointer, "");
    }

    #[test]
    fn close_bodies_are_optional_and_checked() {
        let documented = json!({"user": "Monitoring Script", "source": "AWS Lambda", "note": "Action executed via Alert API"});
        let note = parse_transition(&documented).expect("valid");
        assert_eq!(note.by.as_deref(), Some("Monitoring Script"));
        assert_eq!(note.source.as_deref(), Some("AWS Lambda"));
        assert_eq!(note.note.as_deref(), Some("Action executed via Alert API"));
        assert_eq!(parse_transition(&Value::Null), Ok(ActionNote::default()));
        let errors = parse_transition(&json!({"user": 7})).expect_err("not a string");
        assert_eq!(errors[0].pointer, "/user");
        let too_long = json!({
            "user": "u".repeat(MAX_USER + 1),
            "source": "s".repeat(MAX_SOURCE + 1),
            "note": "n".repeat(MAX_NOTE + 1),
        });
        let errors = parse_transition(&too_long).expect_err("too long");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, vec!["/user", "/source", "/note"]);
        let at_the_limits = json!({
            "user": "u".repeat(MAX_USER),
            "source": "s".repeat(MAX_SOURCE),
            "note": "é".repeat(MAX_NOTE),
        });
        assert!(
            parse_transition(&at_the_limits).is_ok(),
            "limits count characters"
        );
    }

    #[test]
    fn the_identifier_type_defaults_to_id() {
        assert_eq!(identifier_type(None), Ok(IdentifierType::Id));
        assert_eq!(
            identifier_type(Some("identifierType=alias")),
            Ok(IdentifierType::Alias)
        );
        assert_eq!(
            identifier_type(Some("foo=1&identifierType=id")),
            Ok(IdentifierType::Id)
        );
        let errors = identifier_type(Some("identifierType=tiny")).expect_err("unsupported");
        assert_eq!(errors[0].pointer, "/identifierType");
    }
}
