//! Alertmanager webhook bodies (payload version 4), validated alert by alert: every problem is
//! reported at once with its JSON pointer (`/alerts/3/status`).
//!
//! Mapping, per alert: the dedup key is Alertmanager's `fingerprint` (or, when absent, a stable
//! hash of the sorted labels); `firing` triggers (a repeat of an open alert is counted) and
//! `resolved` resolves; the summary is `annotations.summary`, else `annotations.description`,
//! else `labels.alertname` (with `labels.instance`), capped at 1024 characters; the severity is
//! `labels.severity` read leniently by `Severity::from_label`, and `error` when the label is absent
//! or unrecognised; the source is `labels.instance`, else `labels.job`. Labels become the alert's
//! labels; annotations, `generatorURL`, `startsAt`, `endsAt` and the notification's `groupKey`,
//! `receiver` and `externalURL` go into its details; `generatorURL` is its link. The raw payload
//! kept on each alert is that alert's own object, not the whole (possibly large) notification.
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tocsin_domain::FieldError;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_store::alert::IncomingAlert;

use crate::ingest::keys::IntakeKey;

pub const MAX_SUMMARY: usize = 1024;
const MAX_FINGERPRINT: usize = 255;
const MAX_SHORT_FIELD: usize = 4096;

/// One valid alert of a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAlert {
    pub action: AlertAction,
    pub dedup_key: String,
    pub summary: String,
    pub severity: Severity,
    pub source: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub details: Value,
    pub links: Value,
    pub client_url: Option<String>,
    pub raw: String,
}

impl ParsedAlert {
    /// The alert for the key's service.
    pub fn into_incoming(self, key: &IntakeKey) -> IncomingAlert {
        IncomingAlert {
            service_id: key.service_id,
            integration_key_id: Some(key.id),
            source_kind: "alertmanager",
            action: self.action,
            dedup_key: self.dedup_key,
            summary: self.summary,
            severity: self.severity,
            source: self.source,
            component: None,
            group: None,
            class: None,
            labels: self.labels,
            details: self.details,
            links: self.links,
            images: Value::Array(Vec::new()),
            client: Some("Alertmanager".into()),
            client_url: self.client_url,
            raw: self.raw,
            action_note: None,
        }
    }
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, pointer: &str, detail: String) {
        self.0.push(FieldError::new(pointer, detail));
    }
}

/// A JSON pointer segment (RFC 6901 escaping).
fn segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// An optional string of at most `max` characters at `pointer` (relative to `object`).
fn optional_text(
    object: &Map<String, Value>,
    field: &str,
    at: &str,
    max: usize,
    errors: &mut Errors,
) -> Option<String> {
    let pointer = format!("{at}/{field}");
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= max => Some(text.clone()),
        Some(Value::String(_)) => {
            errors.push(
                &pointer,
                format!("'{field}' is longer than {max} characters"),
            );
            None
        }
        Some(_) => {
            errors.push(&pointer, format!("'{field}' must be a string"));
            None
        }
    }
}

/// An optional object of string values (labels, annotations); absent is empty.
fn string_map(
    object: &Map<String, Value>,
    field: &str,
    at: &str,
    errors: &mut Errors,
) -> BTreeMap<String, String> {
    let pointer = format!("{at}/{field}");
    match object.get(field) {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(name, value)| match value {
                Value::String(text) => Some((name.clone(), text.clone())),
                _ => {
                    errors.push(
                        &format!("{pointer}/{}", segment(name)),
                        format!("'{field}.{name}' must be a string"),
                    );
                    None
                }
            })
            .collect(),
        Some(_) => {
            errors.push(&pointer, format!("'{field}' must be an object of strings"));
            BTreeMap::new()
        }
    }
}

/// An optional RFC 3339 timestamp, kept as sent.
fn timestamp(
    object: &Map<String, Value>,
    field: &str,
    at: &str,
    errors: &mut Errors,
) -> Option<String> {
    let text = optional_text(object, field, at, 64, errors)?;
    if text.parse::<jiff::Timestamp>().is_err() {
        errors.push(
            &format!("{at}/{field}"),
            format!("'{field}' is not an RFC 3339 timestamp"),
        );
    }
    Some(text)
}

/// A stable dedup key for an alert without a fingerprint: a hash of its sorted labels.
pub fn labels_hash(labels: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (name, value) in labels {
        for part in [name, value] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
    }
    format!("labels:{}", hex::encode(&hasher.finalize()[..16]))
}

/// `text` cut to `max` characters, marked with an ellipsis when cut.
fn capped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max - 1).collect();
    kept.push('…');
    kept
}

fn summary_of(labels: &BTreeMap<String, String>, annotations: &BTreeMap<String, String>) -> String {
    let non_blank = |map: &BTreeMap<String, String>, name: &str| {
        map.get(name)
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let text = non_blank(annotations, "summary")
        .or_else(|| non_blank(annotations, "description"))
        .or_else(|| {
            let name = non_blank(labels, "alertname")?;
            Some(match non_blank(labels, "instance") {
                Some(instance) => format!("{name} on {instance}"),
                None => name,
            })
        })
        .unwrap_or_else(|| "Alertmanager alert".to_owned());
    capped(&text, MAX_SUMMARY)
}

/// The notification-wide fields copied into every alert's details.
struct Group {
    group_key: Option<String>,
    receiver: Option<String>,
    external_url: Option<String>,
}

fn parse_alert(item: &Value, at: &str, group: &Group, errors: &mut Errors) -> Option<ParsedAlert> {
    let before = errors.0.len();
    let Some(alert) = item.as_object() else {
        errors.push(at, "each alert must be a JSON object".into());
        return None;
    };
    let action = match alert.get("status").and_then(Value::as_str) {
        Some("firing") => Some(AlertAction::Trigger),
        Some("resolved") => Some(AlertAction::Resolve),
        _ => {
            errors.push(
                &format!("{at}/status"),
                "'status' must be one of firing, resolved".into(),
            );
            None
        }
    };
    let labels = string_map(alert, "labels", at, errors);
    let annotations = string_map(alert, "annotations", at, errors);
    let starts_at = timestamp(alert, "startsAt", at, errors);
    let ends_at = timestamp(alert, "endsAt", at, errors);
    let generator_url = optional_text(alert, "generatorURL", at, MAX_SHORT_FIELD, errors)
        .filter(|url| !url.trim().is_empty());
    let fingerprint = optional_text(alert, "fingerprint", at, MAX_FINGERPRINT, errors)
        .filter(|key| !key.trim().is_empty());
    if fingerprint.is_none() && labels.is_empty() && errors.0.len() == before {
        errors.push(
            &format!("{at}/labels"),
            "an alert without a 'fingerprint' needs 'labels' to identify it".into(),
        );
    }
    let action = action.filter(|_| errors.0.len() == before)?;
    let severity = labels
        .get("severity")
        .and_then(|label| Severity::from_label(label.trim()))
        .unwrap_or(Severity::Error);
    let source = labels
        .get("instance")
        .or_else(|| labels.get("job"))
        .cloned()
        .filter(|source| !source.trim().is_empty());
    let links = match &generator_url {
        Some(url) => json!([{ "href": url, "text": "Alert source (generatorURL)" }]),
        None => json!([]),
    };
    let details = json!({
        "annotations": annotations,
        "generatorURL": generator_url,
        "startsAt": starts_at,
        "endsAt": ends_at,
        "groupKey": group.group_key,
        "receiver": group.receiver,
        "externalURL": group.external_url,
    });
    Some(ParsedAlert {
        action,
        dedup_key: fingerprint.unwrap_or_else(|| labels_hash(&labels)),
        summary: summary_of(&labels, &annotations),
        severity,
        source,
        labels,
        details,
        links,
        client_url: group.external_url.clone(),
        raw: item.to_string(),
    })
}

/// Parses a webhook notification into its alerts, in order.
pub fn parse_webhook(body: &Value) -> Result<Vec<ParsedAlert>, Vec<FieldError>> {
    let mut errors = Errors::default();
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "the notification must be a JSON object",
        )]);
    };
    if let Some(version) = optional_text(object, "version", "", 16, &mut errors)
        && version != "4"
    {
        errors.push(
            "/version",
            format!("'version' {version:?} is not supported; Alertmanager sends \"4\""),
        );
    }
    let group = Group {
        group_key: optional_text(object, "groupKey", "", MAX_SHORT_FIELD, &mut errors),
        receiver: optional_text(object, "receiver", "", MAX_SHORT_FIELD, &mut errors),
        external_url: optional_text(object, "externalURL", "", MAX_SHORT_FIELD, &mut errors)
            .filter(|url| !url.trim().is_empty()),
    };
    let items = match object.get("alerts") {
        Some(Value::Array(items)) => items.as_slice(),
        _ => {
            errors.push("/alerts", "'alerts' is missing or not an array".into());
            &[]
        }
    };
    let alerts: Vec<ParsedAlert> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            parse_alert(item, &format!("/alerts/{index}"), &group, &mut errors)
        })
        .collect();
    if errors.0.is_empty() {
        Ok(alerts)
    } else {
        Err(errors.0)
    }
}

#[cfg(test)]
mod tests;
