//! Auto-triage when an incident opens: the policy's symptom rules, else the nearest past
//! classified incidents; a suggestion at or above the policy's confidence (in the current
//! taxonomy) is applied, anything else puts the incident in the human review queue.
use jiff::Timestamp;
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::priority::triage::{by_neighbours, by_rules, rules_use_tags};
use tocsin_domain::priority::{PastIncident, PriorityPolicy, TriageInput};

use super::assess::SYSTEM;
use super::event;
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// How many recent classified incidents suggestions learn from.
pub const HISTORY: i64 = 200;

const TAGS: &str = "SELECT tag FROM service_tags WHERE service_id = $1";
const HISTORY_SQL: &str = "SELECT title, category FROM incidents \
    WHERE category IS NOT NULL AND id <> $1 ORDER BY id DESC LIMIT $2";
const APPLY: &str = "UPDATE incidents SET category = $2, taxonomy_version = $3, \
    initial_category = COALESCE(initial_category, $2), triage_state = 'applied', \
    triage_suggestion = $4, updated_at = $5 WHERE id = $1";
const QUEUE: &str = "UPDATE incidents SET triage_state = 'needs_review', triage_suggestion = $2, \
    updated_at = $3 WHERE id = $1";

pub(crate) async fn run(
    tx: &mut Tx,
    id: IncidentId,
    service: ServiceId,
    title: &str,
    policy: &PriorityPolicy,
    at: Timestamp,
) -> Result<(), StoreError> {
    let tags: Vec<String> = if rules_use_tags(&policy.symptom_rules) {
        tx.scalars(TAGS, crate::args![service.0]).await?
    } else {
        Vec::new()
    };
    let input = TriageInput {
        title,
        service_id: service.0,
        service_tags: &tags,
    };
    let suggestion = match by_rules(&input, &policy.symptom_rules) {
        Some(found) => Some(found),
        None => {
            let past: Vec<(String, String)> = tx
                .fetch_all(HISTORY_SQL, crate::args![id.0, HISTORY])
                .await?;
            let past: Vec<PastIncident> = past
                .into_iter()
                .map(|(title, category)| PastIncident { title, category })
                .collect();
            by_neighbours(title, &past)
        }
    };
    let (version, taxonomy) = super::taxonomy::current_in(tx).await?;
    let threshold = policy.auto_apply_confidence;
    let text = suggestion
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("triage suggestion: {e}")))?;
    let now = to_micros(at);
    match &suggestion {
        Some(s) if s.confidence >= threshold && taxonomy.has_category(&s.category) => {
            tx.execute(
                APPLY,
                crate::args![id.0, s.category.as_str(), version, text, now],
            )
            .await?;
            let payload = serde_json::json!({
                "category": s.category, "attribution": null, "taxonomy_version": version,
                "source": "auto_triage", "confidence": s.confidence,
                "reason": format!(
                    "auto-triage: {} (confidence {:.2}, applied at {threshold:.2} or more)",
                    s.reason, s.confidence
                ),
            });
            tx.append(event(id, "incident.classified", SYSTEM, at, payload))
                .await?;
        }
        _ => {
            tx.execute(QUEUE, crate::args![id.0, text, now]).await?;
            let reason = match &suggestion {
                Some(s) if !taxonomy.has_category(&s.category) => format!(
                    "auto-triage suggests {} but the current taxonomy (version {version}) has \
                     no such category; waiting for review",
                    s.category
                ),
                Some(s) => format!(
                    "auto-triage suggests {} with confidence {:.2}, below {threshold:.2} ({}); \
                     waiting for review",
                    s.category, s.confidence, s.reason
                ),
                None => "auto-triage found no matching symptom rule and no similar past \
                         incident; waiting for review"
                    .to_owned(),
            };
            let payload = serde_json::json!({ "suggestion": suggestion, "reason": reason });
            tx.append(event(
                id,
                "incident.triage_review_needed",
                SYSTEM,
                at,
                payload,
            ))
            .await?;
        }
    }
    Ok(())
}
