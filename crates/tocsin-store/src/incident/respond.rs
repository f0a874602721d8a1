//! A responder acknowledges or resolves an incident by hand (not through one of its alerts).
//! Either stops pending pages; resolving also resolves its open alerts and tells everyone who was
//! paged (the resolve contract), all in the one transaction.
use jiff::Timestamp;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
use uuid::Uuid;

use super::event;
use crate::error::StoreError;
use crate::outbox;
use crate::time::to_micros;
use crate::tx::Tx;

async fn status_of(tx: &mut Tx, id: IncidentId) -> Result<IncidentStatus, StoreError> {
    let status: Option<String> = tx
        .scalar_optional(
            "SELECT status FROM incidents WHERE id = $1",
            crate::args![id.0],
        )
        .await?;
    let status = status.ok_or(StoreError::NotFound("incident"))?;
    IncidentStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("incident {id} has status {status:?}")))
}

/// Acknowledges a triggered incident and cancels its pending pages. An incident already
/// acknowledged or resolved answers `Conflict("incident_acknowledged" | "incident_resolved")`.
pub async fn acknowledge(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    match status_of(tx, id).await? {
        IncidentStatus::Acknowledged => {
            return Err(StoreError::Conflict("incident_acknowledged".into()));
        }
        IncidentStatus::Resolved => return Err(StoreError::Conflict("incident_resolved".into())),
        IncidentStatus::Triggered => {}
    }
    let now = to_micros(at);
    tx.execute(
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, updated_at = $2 \
         WHERE id = $1",
        crate::args![id.0, now],
    )
    .await?;
    let payload = serde_json::json!({ "reason": format!("acknowledged by {actor}") });
    tx.append(event(id, "incident.acknowledged", actor, at, payload))
        .await?;
    outbox::cancel_pages(tx, id, at).await?;
    crate::paging::recheck(tx, id, at).await?;
    Ok(())
}

/// Resolves an open incident and its open alerts, cancels its pending pages and queues the
/// resolution notices. A resolved incident answers `Conflict("incident_resolved")`.
pub async fn resolve(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if status_of(tx, id).await? == IncidentStatus::Resolved {
        return Err(StoreError::Conflict("incident_resolved".into()));
    }
    let open: Vec<(Uuid, Uuid)> = tx
        .fetch_all(
            "SELECT id, service_id FROM alerts WHERE incident_id = $1 AND state <> 'resolved' ORDER BY id",
            crate::args![id.0],
        )
        .await?;
    // The counter rows of all their services first (see the lock order in `alert::locks`).
    crate::alert::lock_open_counts(tx, open.iter().map(|(_, service)| ServiceId(*service))).await?;
    for (alert, _) in open {
        crate::alert::resolve(tx, AlertId(alert), actor, at).await?;
    }
    let now = to_micros(at);
    let resolved = tx
        .execute(
            "UPDATE incidents SET status = 'resolved', resolved_at = $2, resolve_due_at = NULL, \
             updated_at = $2 WHERE id = $1 AND status <> 'resolved'",
            crate::args![id.0, now],
        )
        .await?;
    if resolved > 0 {
        let payload = serde_json::json!({ "reason": format!("resolved by {actor}") });
        tx.append(event(id, "incident.resolved", actor, at, payload))
            .await?;
    }
    after_resolved(tx, id, at).await
}

/// What follows an incident resolving, however it resolved: its pending pages are cancelled,
/// everyone paged for it is told (once), and its escalation timer is due at once (to stop).
pub(crate) async fn after_resolved(
    tx: &mut Tx,
    id: IncidentId,
    at: Timestamp,
) -> Result<(), StoreError> {
    outbox::cancel_pages(tx, id, at).await?;
    outbox::enqueue_resolution_notices(tx, id, at).await?;
    crate::paging::recheck(tx, id, at).await
}
