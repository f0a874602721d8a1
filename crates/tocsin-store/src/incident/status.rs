//! A responder moves an incident through its lifecycle by hand (investigating, identified,
//! monitoring, resolved, closed, or out of it: declined, canceled), within the domain's rules.
//! Each change is one timeline entry with its reason.
use jiff::Timestamp;
use tocsin_domain::ValidationError;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::transition;
use uuid::Uuid;

use super::event;
use super::respond::{self, status_of};
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// Moves the incident to `to`; `reason` is required for declining, canceling and reopening.
pub async fn change_status(
    tx: &mut Tx,
    id: IncidentId,
    to: IncidentStatus,
    reason: Option<&str>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let from = status_of(tx, id).await?;
    let step = transition::check(from, to).map_err(|e| StoreError::refused("/status", e))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if step.needs_reason && reason.is_none() {
        return Err(StoreError::Invalid(ValidationError::field(
            "/reason",
            format!("moving an incident to {} needs a reason", to.as_str()),
        )));
    }
    match to {
        IncidentStatus::Acknowledged => return respond::acknowledge(tx, id, actor, at).await,
        IncidentStatus::Resolved => return respond::resolve(tx, id, actor, at).await,
        _ => {}
    }
    // Taking up a triggered incident acknowledges it first (pages stop, the milestone is set).
    if from == IncidentStatus::Triggered && to.is_engaged() {
        respond::acknowledge(tx, id, actor, at).await?;
    }
    let now = to_micros(at);
    tx.execute(
        "UPDATE incidents SET status = $2, updated_at = $3, \
         acknowledged_at = CASE WHEN $4 THEN COALESCE(acknowledged_at, $3) ELSE acknowledged_at END, \
         resolved_at = CASE WHEN $5 THEN NULL ELSE resolved_at END, \
         closed_at = CASE WHEN $6 THEN $3 ELSE closed_at END, \
         resolve_due_at = CASE WHEN $4 THEN resolve_due_at ELSE NULL END \
         WHERE id = $1",
        crate::args![
            id.0,
            to.as_str(),
            now,
            to.is_open(),
            step.reopens,
            to.is_final()
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "from": from, "to": to, "reopens": step.reopens,
        "reason": reason.map_or_else(|| format!("{actor} moved it to {}", to.as_str()), str::to_owned),
    });
    tx.append(event(id, "incident.status_changed", actor, at, payload))
        .await?;
    if step.reopens {
        // Its status-update cadence resumes (a closed incident's was cleared).
        crate::cadence::look_again(tx, id.0, at).await?;
    }
    if matches!(to, IncidentStatus::Declined | IncidentStatus::Canceled) {
        end_response(tx, id, actor, at).await?;
    }
    Ok(())
}

/// A declined or canceled incident stops: its open alerts resolve, pending pages are cancelled,
/// and whoever was paged is told it is over.
async fn end_response(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    resolve_open_alerts(tx, id, actor, at).await?;
    respond::after_resolved(tx, id, at).await
}

/// Resolves the incident's open alerts (their services' counter rows locked first, in the lock
/// order of `alert::locks`).
pub(crate) async fn resolve_open_alerts(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let open: Vec<(Uuid, Uuid)> = tx
        .fetch_all(
            "SELECT id, service_id FROM alerts WHERE incident_id = $1 AND state <> 'resolved' ORDER BY id",
            crate::args![id.0],
        )
        .await?;
    crate::alert::lock_open_counts(tx, open.iter().map(|(_, service)| ServiceId(*service))).await?;
    for (alert, _) in open {
        crate::alert::resolve(tx, AlertId(alert), actor, at).await?;
    }
    Ok(())
}
