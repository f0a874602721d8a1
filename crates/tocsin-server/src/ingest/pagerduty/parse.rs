//! PagerDuty Events API v2 bodies, validated field by field: every problem is reported at once,
//! each naming its field (as PagerDuty's `errors` strings do, plus a JSON pointer).
use serde_json::Value;
use tocsin_domain::FieldError;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_store::alert::IncomingAlert;

use crate::ingest::keys::IntakeKey;

pub const MAX_DEDUP_KEY: usize = 255;
pub const MAX_SUMMARY: usize = 1024;
const MAX_SHORT_FIELD: usize = 1024;

/// A valid alert event.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEvent {
    pub action: AlertAction,
    pub dedup_key: String,
    pub summary: String,
    pub severity: Severity,
    pub source: Option<String>,
    pub component: Option<String>,
    pub group: Option<String>,
    pub class: Option<String>,
    pub custom_details: Value,
    pub links: Value,
    pub images: Value,
    pub client: Option<String>,
    pub client_url: Option<String>,
}

impl ParsedEvent {
    /// The alert for the key's service.
    pub fn into_incoming(self, key: &IntakeKey, raw: String) -> IncomingAlert {
        IncomingAlert {
            service_id: key.service_id,
            integration_key_id: Some(key.id),
            source_kind: "pagerduty",
            action: self.action,
            dedup_key: self.dedup_key,
            summary: self.summary,
            severity: self.severity,
            source: self.source,
            component: self.component,
            group: self.group,
            class: self.class,
            labels: Default::default(),
            details: self.custom_details,
            links: self.links,
            images: self.images,
            client: self.client,
            client_url: self.client_url,
            raw,
            action_note: None,
        }
    }
}

/// A valid change event.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedChange {
    pub summary: String,
    pub source: Option<String>,
    pub timestamp: Option<jiff::Timestamp>,
    pub custom_details: Value,
    pub links: Value,
}

/// Collects errors in PagerDuty's words with the field's pointer.
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

fn path_of(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

/// An optional string of at most `max` characters.
fn optional_text(body: &Value, pointer: &str, max: usize, errors: &mut Errors) -> Option<String> {
    match body.pointer(pointer) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= max => Some(text.clone()),
        Some(Value::String(_)) => {
            errors.push(
                pointer,
                format!("'{}' is longer than {max} characters", path_of(pointer)),
            );
            None
        }
        Some(_) => {
            errors.push(pointer, format!("'{}' must be a string", path_of(pointer)));
            None
        }
    }
}

/// A required, non-blank string of at most `max` characters.
fn required_text(body: &Value, pointer: &str, max: usize, errors: &mut Errors) -> Option<String> {
    let before = errors.0.len();
    match optional_text(body, pointer, max, errors) {
        Some(text) if !text.trim().is_empty() => Some(text),
        _ => {
            if errors.0.len() == before {
                errors.push(
                    pointer,
                    format!("'{}' is missing or blank", path_of(pointer)),
                );
            }
            None
        }
    }
}

/// An optional array of objects (links, images); `null` or absent is an empty array.
fn object_array(body: &Value, pointer: &str, errors: &mut Errors) -> Value {
    match body.pointer(pointer) {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
            Value::Array(items.clone())
        }
        Some(_) => {
            errors.push(
                pointer,
                format!("'{}' must be an array of objects", path_of(pointer)),
            );
            Value::Array(Vec::new())
        }
    }
}

fn timestamp(body: &Value, pointer: &str, errors: &mut Errors) -> Option<jiff::Timestamp> {
    let text = optional_text(body, pointer, 64, errors)?;
    match text.parse::<jiff::Timestamp>() {
        Ok(at) => Some(at),
        Err(_) => {
            errors.push(
                pointer,
                format!("'{}' is not an ISO 8601 timestamp", path_of(pointer)),
            );
            None
        }
    }
}

/// Parses an alert event; `generated_dedup_key` is used for a trigger without one.
pub fn parse_event(
    body: &Value,
    generated_dedup_key: String,
) -> Result<ParsedEvent, Vec<FieldError>> {
    let mut errors = Errors::default();
    if !body.is_object() {
        errors.push("", "the event must be a JSON object".into());
        return errors.finish(|| unreachable!("an error was recorded"));
    }
    let action = match body.get("event_action").and_then(Value::as_str) {
        Some("trigger") => Some(AlertAction::Trigger),
        Some("acknowledge") => Some(AlertAction::Acknowledge),
        Some("resolve") => Some(AlertAction::Resolve),
        _ => {
            errors.push(
                "/event_action",
                "'event_action' must be one of trigger, acknowledge, resolve".into(),
            );
            None
        }
    };
    let dedup_key = optional_text(body, "/dedup_key", MAX_DEDUP_KEY, &mut errors);
    let is_trigger = action == Some(AlertAction::Trigger);
    if !is_trigger && action.is_some() && dedup_key.as_deref().is_none_or(|k| k.trim().is_empty()) {
        errors.push(
            "/dedup_key",
            "'dedup_key' is required to acknowledge or resolve".into(),
        );
    }
    let (mut summary, mut severity, mut source) = (None, None, None);
    if is_trigger {
        if !body.get("payload").is_some_and(Value::is_object) {
            errors.push("/payload", "'payload' is missing or not an object".into());
        } else {
            summary = required_text(body, "/payload/summary", MAX_SUMMARY, &mut errors);
            source = required_text(body, "/payload/source", MAX_SHORT_FIELD, &mut errors);
            severity = match body.pointer("/payload/severity").and_then(Value::as_str) {
                Some(text) => match text.parse::<Severity>() {
                    Ok(severity) => Some(severity),
                    Err(unknown) => {
                        errors.push(
                            "/payload/severity",
                            format!("'payload.severity': {unknown}"),
                        );
                        None
                    }
                },
                None => {
                    errors.push(
                        "/payload/severity",
                        "'payload.severity' is missing or blank".into(),
                    );
                    None
                }
            };
        }
    }
    timestamp(body, "/payload/timestamp", &mut errors);
    let component = optional_text(body, "/payload/component", MAX_SHORT_FIELD, &mut errors);
    let group = optional_text(body, "/payload/group", MAX_SHORT_FIELD, &mut errors);
    let class = optional_text(body, "/payload/class", MAX_SHORT_FIELD, &mut errors);
    let client = optional_text(body, "/client", MAX_SHORT_FIELD, &mut errors);
    let client_url = optional_text(body, "/client_url", MAX_SHORT_FIELD, &mut errors);
    let links = object_array(body, "/links", &mut errors);
    let images = object_array(body, "/images", &mut errors);
    let custom_details = body
        .pointer("/payload/custom_details")
        .cloned()
        .unwrap_or(Value::Null);
    errors.finish(|| ParsedEvent {
        action: action.unwrap_or(AlertAction::Trigger),
        dedup_key: dedup_key
            .filter(|k| !k.trim().is_empty())
            .unwrap_or(generated_dedup_key),
        summary: summary.unwrap_or_default(),
        severity: severity.unwrap_or(Severity::Error),
        source,
        component,
        group,
        class,
        custom_details,
        links,
        images,
        client,
        client_url,
    })
}

/// Parses a change event.
pub fn parse_change(body: &Value) -> Result<ParsedChange, Vec<FieldError>> {
    let mut errors = Errors::default();
    if !body.get("payload").is_some_and(Value::is_object) {
        errors.push("/payload", "'payload' is missing or not an object".into());
    }
    let summary = required_text(body, "/payload/summary", MAX_SUMMARY, &mut errors);
    let source = optional_text(body, "/payload/source", MAX_SHORT_FIELD, &mut errors);
    let timestamp = timestamp(body, "/payload/timestamp", &mut errors);
    let links = object_array(body, "/links", &mut errors);
    let custom_details = body
        .pointer("/payload/custom_details")
        .cloned()
        .unwrap_or(Value::Null);
    errors.finish(|| ParsedChange {
        summary: summary.unwrap_or_default(),
        source,
        timestamp,
        custom_details,
        links,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// PagerDuty's own documentation example.
    fn documented_trigger() -> Value {
        json!({
          "payload": {
            "summary": "DISK at 99% on machine prod-datapipe03.example.com",
            "timestamp": "2015-07-17T08:42:58.315+0000",
            "severity": "critical",
            "source": "prod-datapipe03.example.com",
            "component": "mysql",
            "group": "prod-datapipe",
            "class": "disk",
            "custom_details": { "free space": "1%", "ping time": "1500ms", "load avg": 0.75 }
          },
          "routing_key": "samplekeyhere",
          "dedup_key": "samplekeyhere",
          "images": [{ "src": "https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png",
                       "href": "https://example.com/", "alt": "Example text" }],
          "links": [{ "href": "https://example.com/", "text": "Link text" }],
          "event_action": "trigger",
          "client": "Sample Monitoring Service",
          "client_url": "https://monitoring.example.com"
        })
    }

    #[test]
    fn the_documented_example_parses_with_every_field() {
        let event = parse_event(&documented_trigger(), "generated".into()).expect("valid");
        assert_eq!(event.action, AlertAction::Trigger);
        assert_eq!(event.dedup_key, "samplekeyhere");
        assert_eq!(event.severity, Severity::Critical);
        assert_eq!(event.source.as_deref(), Some("prod-datapipe03.example.com"));
        assert_eq!(
            (event.component.as_deref(), event.class.as_deref()),
            (Some("mysql"), Some("disk"))
        );
        assert_eq!(event.custom_details["free space"], "1%");
        assert_eq!(event.links[0]["text"], "Link text");
        assert_eq!(event.images.as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn a_trigger_without_a_dedup_key_gets_the_generated_one() {
        let mut body = documented_trigger();
        body.as_object_mut().expect("object").remove("dedup_key");
        let event = parse_event(&body, "generated".into()).expect("valid");
        assert_eq!(event.dedup_key, "generated");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let body = json!({
            "routing_key": "k",
            "event_action": "trigger",
            "dedup_key": "x".repeat(256),
            "payload": { "summary": "s".repeat(1025), "severity": "severe", "source": "  ",
                         "timestamp": "yesterday" },
            "links": "not a list"
        });
        let errors = parse_event(&body, "g".into()).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/dedup_key",
                "/payload/summary",
                "/payload/source",
                "/payload/severity",
                "/payload/timestamp",
                "/links"
            ]
        );
        assert!(
            errors[3].detail.contains("unknown severity"),
            "{:?}",
            errors[3]
        );
    }

    #[test]
    fn acknowledge_and_resolve_need_a_dedup_key_but_no_payload() {
        let ack = json!({ "routing_key": "k", "event_action": "acknowledge", "dedup_key": "abc" });
        let event = parse_event(&ack, "g".into()).expect("valid");
        assert_eq!(
            (event.action, event.dedup_key.as_str()),
            (AlertAction::Acknowledge, "abc")
        );
        let resolve = json!({ "routing_key": "k", "event_action": "resolve" });
        let errors = parse_event(&resolve, "g".into()).expect_err("invalid");
        assert_eq!(errors[0].pointer, "/dedup_key");
        let bogus = json!({ "routing_key": "k", "event_action": "snooze", "dedup_key": "a" });
        assert_eq!(
            parse_event(&bogus, "g".into()).expect_err("invalid")[0].pointer,
            "/event_action"
        );
    }

    #[test]
    fn change_events_need_a_summary() {
        let change = json!({ "routing_key": "k", "payload": {
            "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
            "timestamp": "2020-07-17T08:42:58.315+0000", "source": "acme-build-pipeline-tool-default-i-9999",
            "custom_details": { "build_state": "passed", "build_number": "2", "run_time": "1236s" } },
            "links": [{ "href": "https://acme.pagerduty.dev/build/2", "text": "View more details in Acme!" }] });
        let parsed = parse_change(&change).expect("valid");
        assert_eq!(parsed.custom_details["build_state"], "passed");
        assert!(parsed.timestamp.is_some());
        let errors =
            parse_change(&json!({ "routing_key": "k", "payload": {} })).expect_err("invalid");
        assert_eq!(errors[0].pointer, "/payload/summary");
    }
}
