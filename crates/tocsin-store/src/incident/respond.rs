//! A responder acknowledges or resolves an incident by hand (not through one of its alerts).
//! Either stops pending pages; resolving also resolves its open alerts and tells everyone who was
//! paged (the resolve contract), all in the one transaction.
use jiff::Timestamp;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::open_incident_sql;

use super::event;
use crate::error::StoreError;
use crate::outbox;
use crate::time::to_micros;
use crate::tx::Tx;

pub(crate) async fn status_of(tx: &mut Tx, id: IncidentId) -> Result<IncidentStatus, StoreError> {
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
/// acknowledged (or further along) answers `Conflict("incident_acknowledged")`, a resolved one
/// `Conflict("incident_resolved")`, a closed, declined, canceled or merged one
/// `Conflict("incident_ended")`.
pub async fn acknowledge(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    match status_of(tx, id).await? {
        IncidentStatus::Triggered => {}
        status if status.is_engaged() => {
            return Err(StoreError::Conflict("incident_acknowledged".into()));
        }
        status => return Err(not_open(status)),
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
/// resolution notices. A resolved incident answers `Conflict("incident_resolved")`; one the
/// resolution gate holds, `Refused` naming its unconfirmed checks or `/resolution`.
pub async fn resolve(
    tx: &mut Tx,
    id: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let status = status_of(tx, id).await?;
    if !status.is_open() {
        return Err(not_open(status));
    }
    super::resolution::require_gate(tx, id).await?;
    super::status::resolve_open_alerts(tx, id, actor, at).await?;
    let now = to_micros(at);
    let resolved = tx
        .execute(
            concat!(
                "UPDATE incidents SET status = 'resolved', resolved_at = $2, resolve_due_at = NULL, \
                 updated_at = $2 WHERE id = $1 AND ",
                open_incident_sql!()
            ),
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

/// The conflict answering a change only an open incident can take.
pub(crate) fn not_open(status: IncidentStatus) -> StoreError {
    if status == IncidentStatus::Resolved {
        StoreError::Conflict("incident_resolved".into())
    } else {
        StoreError::Conflict("incident_ended".into())
    }
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
