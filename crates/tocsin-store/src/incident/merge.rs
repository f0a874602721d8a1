//! Merging a duplicate incident into its primary: the duplicate's alerts and participants move to
//! the primary, its roles end, its paging stops, and it points at the primary for good. Both
//! timelines say so.
use jiff::Timestamp;
use tocsin_domain::ValidationError;
use tocsin_domain::id::IncidentId;

use super::event;
use super::respond::status_of;
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// What a merge moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Merged {
    pub alerts_moved: u64,
    pub participants_moved: u64,
}

/// Merges `duplicate` into `primary`. The duplicate must be open or resolved; the primary open.
pub async fn merge(
    tx: &mut Tx,
    duplicate: IncidentId,
    primary: IncidentId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<Merged, StoreError> {
    if duplicate == primary {
        return Err(StoreError::Invalid(ValidationError::field(
            "/into_incident_id",
            "an incident cannot be merged into itself",
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(ValidationError::field(
            "/reason",
            "say why it is a duplicate",
        )));
    }
    let from = status_of(tx, duplicate).await?;
    if from.is_final() {
        return Err(StoreError::refused(
            "",
            format!("the incident is {} and cannot be merged", from.as_str()),
        ));
    }
    let into = match status_of(tx, primary).await {
        Ok(status) => status,
        Err(StoreError::NotFound(_)) => {
            return Err(StoreError::Invalid(ValidationError::field(
                "/into_incident_id",
                "no such incident",
            )));
        }
        Err(error) => return Err(error),
    };
    if !into.is_open() {
        return Err(StoreError::refused(
            "/into_incident_id",
            format!(
                "the primary incident is {}; merge into an open incident",
                into.as_str()
            ),
        ));
    }
    let now = to_micros(at);
    let (alerts, open, folded, number): (i64, i64, i64, i64) = tx
        .fetch_one(
            "SELECT alert_count, open_alert_count, folded_alerts, number FROM incidents WHERE id = $1",
            crate::args![duplicate.0],
        )
        .await?;
    let primary_number: i64 = tx
        .scalar(
            "SELECT number FROM incidents WHERE id = $1",
            crate::args![primary.0],
        )
        .await?;
    let alerts_moved = tx
        .execute(
            "UPDATE alerts SET incident_id = $2 WHERE incident_id = $1",
            crate::args![duplicate.0, primary.0],
        )
        .await?;
    tx.execute(
        "UPDATE incidents SET alert_count = alert_count + $2, open_alert_count = open_alert_count + $3, \
         folded_alerts = folded_alerts + $4, updated_at = $5, \
         resolve_due_at = CASE WHEN $3 > 0 THEN NULL ELSE resolve_due_at END WHERE id = $1",
        crate::args![primary.0, alerts, open, folded, now],
    )
    .await?;
    let participants_moved = tx
        .execute(
            "INSERT INTO incident_participants (incident_id, user_id, joined_at, added_by) \
             SELECT $2, p.user_id, $3, $4 FROM incident_participants p WHERE p.incident_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM incident_participants q \
             WHERE q.incident_id = $2 AND q.user_id = p.user_id)",
            crate::args![duplicate.0, primary.0, now, actor],
        )
        .await?;
    tx.execute(
        "UPDATE incident_role_assignments SET ended_at = $2 WHERE incident_id = $1 AND ended_at IS NULL",
        crate::args![duplicate.0, now],
    )
    .await?;
    tx.execute(
        "UPDATE incidents SET status = 'merged', merged_into = $2, open_alert_count = 0, \
         resolve_due_at = NULL, closed_at = $3, updated_at = $3 WHERE id = $1",
        crate::args![duplicate.0, primary.0, now],
    )
    .await?;
    let moved = Merged {
        alerts_moved,
        participants_moved,
    };
    let payload = serde_json::json!({
        "into_incident_id": primary, "into_number": primary_number, "from": from,
        "alerts_moved": alerts_moved, "participants_moved": participants_moved, "reason": reason,
    });
    tx.append(event(duplicate, "incident.merged", actor, at, payload))
        .await?;
    let payload = serde_json::json!({
        "from_incident_id": duplicate, "from_number": number,
        "alerts_moved": alerts_moved, "participants_moved": participants_moved, "reason": reason,
    });
    tx.append(event(
        primary,
        "incident.merge_received",
        actor,
        at,
        payload,
    ))
    .await?;
    crate::outbox::cancel_pages(tx, duplicate, at).await?;
    crate::paging::recheck(tx, duplicate, at).await?;
    Ok(moved)
}
