//! Alerts: signals from monitoring tools, deduplicated per service by their key, stored with their
//! raw payload and the decisions taken on them. Intake (`ingest`) and the responder's own
//! acknowledge and resolve (`transitions`) are the only writers; `reads` answers the API.
pub mod change;
mod ingest;
mod locks;
mod noise;
mod open_count;
mod place;
pub mod placement;
mod reads;
pub mod requests;
mod transitions;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::alerting::FieldMap;
use tocsin_domain::alerting::dedup::{AlertAction, AlertState};
use tocsin_domain::alerting::hold::HoldKind;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{AlertId, IncidentId, IntegrationKeyId, ServiceId};

pub use ingest::{Decision, Ingested, ingest, ingest_decided, record_drop};
pub use locks::{BatchKey, lock_batch};
pub use noise::{key_changes, next_hold_deadline, set_hold};
pub use open_count::lock_all as lock_open_counts;
pub use reads::{AlertFilter, HeldAlert, firing_fields, get, held_back, list, open_alert_id};
pub use transitions::{Settings, acknowledge, release_held, resolve};

/// The largest raw payload kept on an alert; longer bodies are cut (and marked so).
pub const RAW_CAP_BYTES: usize = 64 * 1024;

/// One event from a monitoring tool, already parsed and validated by its intake endpoint.
#[derive(Debug, Clone)]
pub struct IncomingAlert {
    pub service_id: ServiceId,
    pub integration_key_id: Option<IntegrationKeyId>,
    /// Which intake format it came through (`pagerduty`, `alertmanager`, `opsgenie` ...).
    pub source_kind: &'static str,
    pub action: AlertAction,
    pub dedup_key: String,
    pub summary: String,
    pub severity: Severity,
    pub source: Option<String>,
    pub component: Option<String>,
    pub group: Option<String>,
    pub class: Option<String>,
    /// Labels (Alertmanager) or tags (Opsgenie, as `tag.<name>`).
    pub labels: BTreeMap<String, String>,
    pub details: serde_json::Value,
    pub links: serde_json::Value,
    pub images: serde_json::Value,
    pub client: Option<String>,
    pub client_url: Option<String>,
    /// The request body as received (capped by `cap_raw`).
    pub raw: String,
    /// Who asked for an acknowledge or resolve, and why, when the intake API says so.
    pub action_note: Option<ActionNote>,
}

/// Who acknowledged or resolved an alert through an intake API that says so (Opsgenie's `user`,
/// `source` and `note`): kept on the alert's `alert.acknowledged` / `alert.resolved` event as
/// `by`, `source` and `note`, and in its explanation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionNote {
    pub by: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl ActionNote {
    /// The note in words, appended to the decision it explains (empty when it says nothing).
    pub fn words(&self) -> String {
        let mut words = String::new();
        if let Some(by) = &self.by {
            words.push_str(&format!(" by {by:?}"));
        }
        if let Some(source) = &self.source {
            words.push_str(&format!(" from {source:?}"));
        }
        if let Some(note) = &self.note {
            words.push_str(&format!(" with note {note:?}"));
        }
        if words.is_empty() {
            words
        } else {
            format!(" (asked{words})")
        }
    }
}

impl IncomingAlert {
    /// The normalised field map rules and silences match against (see `FieldMap`).
    pub fn fields(&self) -> FieldMap {
        let mut fields: FieldMap = self
            .labels
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        fields.insert_details(&self.details);
        let standard = [
            ("summary", Some(self.summary.as_str())),
            ("severity", Some(self.severity.as_str())),
            ("source", self.source.as_deref()),
            ("component", self.component.as_deref()),
            ("group", self.group.as_deref()),
            ("class", self.class.as_deref()),
            ("dedup_key", Some(self.dedup_key.as_str())),
            ("integration", Some(self.source_kind)),
        ];
        for (name, value) in standard {
            if let Some(value) = value {
                fields.insert(name, value);
            }
        }
        fields
    }
}

/// Cuts `raw` to at most `RAW_CAP_BYTES` on a character boundary; says whether it cut.
pub fn cap_raw(raw: &str) -> (String, bool) {
    if raw.len() <= RAW_CAP_BYTES {
        return (raw.to_owned(), false);
    }
    let mut end = RAW_CAP_BYTES;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    (raw[..end].to_owned(), true)
}

/// An alert as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alert {
    pub id: AlertId,
    pub service_id: ServiceId,
    pub integration_key_id: Option<IntegrationKeyId>,
    pub source_kind: String,
    pub dedup_key: String,
    pub state: AlertState,
    pub severity: Severity,
    pub summary: String,
    pub source: Option<String>,
    pub component: Option<String>,
    pub group: Option<String>,
    pub class: Option<String>,
    pub fields: FieldMap,
    pub details: serde_json::Value,
    pub links: serde_json::Value,
    pub images: serde_json::Value,
    pub client: Option<String>,
    pub client_url: Option<String>,
    pub raw: String,
    pub raw_truncated: bool,
    pub occurrences: i64,
    pub first_seen_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub incident_id: Option<IncidentId>,
    /// Every decision taken on the alert, in words, oldest first.
    pub explanation: Vec<String>,
    /// The noise rule holding it back, while one does (threshold, flapping, transient pause).
    pub hold: Option<HoldKind>,
    /// When the held worker looks at it again (a flapping or transient-pause hold's end).
    pub held_until: Option<Timestamp>,
    /// Its latest occurrences while held by a threshold (at most the threshold's count).
    pub recent_occurrences: Vec<Timestamp>,
    /// It resolved within its transient pause: it never paged.
    pub transient: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_payloads_are_cut_on_a_character_boundary() {
        let (kept, cut) = cap_raw("small");
        assert_eq!((kept.as_str(), cut), ("small", false));
        let long = "é".repeat(RAW_CAP_BYTES); // two bytes each
        let (kept, cut) = cap_raw(&long);
        assert!(cut);
        assert!(kept.len() <= RAW_CAP_BYTES);
        assert!(kept.chars().all(|c| c == 'é'));
    }
}
