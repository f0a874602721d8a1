//! The normalised field map of an alert: what rules, silences, inhibitions and grouping keys
//! match against, whatever tool the alert came from.
//!
//! Keys: the alert's labels under their own names (Alertmanager labels, Opsgenie tags as
//! `tag.<name>`), then the standard fields (`summary`, `severity`, `source`, `component`, `group`,
//! `class`, `dedup_key`, `integration`), which win over a label of the same name, and custom details
//! flattened under `details.` with dot-separated paths (`details.disk.free`). A missing key reads
//! as the empty string, as in Prometheus.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field name to value; ordered, so explanations and grouping keys are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldMap(BTreeMap<String, String>);

/// How deep custom details are flattened; deeper values are kept as compact JSON text.
const MAX_DETAIL_DEPTH: usize = 4;

impl FieldMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds custom details under `details.`: objects are flattened with dots, scalars become
    /// their text (strings without quotes), arrays and deep values compact JSON.
    pub fn insert_details(&mut self, details: &serde_json::Value) {
        flatten(&mut self.0, "details", details, 0);
    }
}

impl FromIterator<(String, String)> for FieldMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

fn flatten(
    into: &mut BTreeMap<String, String>,
    prefix: &str,
    value: &serde_json::Value,
    depth: usize,
) {
    match value {
        serde_json::Value::Object(object) if depth < MAX_DETAIL_DEPTH => {
            for (key, inner) in object {
                flatten(into, &format!("{prefix}.{key}"), inner, depth + 1);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(text) => {
            into.insert(prefix.to_string(), text.clone());
        }
        other => {
            into.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_flatten_with_dotted_paths_and_missing_keys_read_empty() {
        let mut fields = FieldMap::new();
        fields.insert("alertname", "DiskFull");
        fields.insert_details(&json!({
            "disk": { "free": 3, "mount": "/var" },
            "hosts": ["a", "b"],
            "note": "hello",
            "nothing": null
        }));
        assert_eq!(fields.get("details.disk.free"), "3");
        assert_eq!(fields.get("details.disk.mount"), "/var");
        assert_eq!(fields.get("details.hosts"), r#"["a","b"]"#);
        assert_eq!(fields.get("details.note"), "hello");
        assert!(!fields.contains("details.nothing"));
        assert_eq!(fields.get("instance"), "");
    }

    #[test]
    fn very_deep_details_stop_flattening_and_keep_json() {
        let mut fields = FieldMap::new();
        fields.insert_details(&json!({ "a": { "b": { "c": { "d": { "e": 1 } } } } }));
        assert_eq!(fields.get("details.a.b.c.d"), r#"{"e":1}"#);
    }
}
