//! Acknowledging and resolving an alert, whether a monitoring tool or a responder asks: the alert
//! row, its explanation, an event on its stream, and the knock-on change to its incident.
use jiff::Timestamp;
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::id::{AlertId, IncidentId};
use uuid::Uuid;

use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;
use crate::{execute, incident, with_conn};

/// The open alert an action applies to.
#[derive(Debug, Clone)]
pub(super) struct OpenAlert {
    pub id: AlertId,
    pub state: AlertState,
    pub incident: Option<IncidentId>,
}

/// Adds a decision to the alert's explanation.
async fn explain(tx: &mut Tx, alert: AlertId, line: &str) -> Result<(), StoreError> {
    let (text,): (String,) = with_conn!(tx, c => sqlx::query_as("SELECT explanation FROM alerts WHERE id = $1")
        .bind(alert.0).fetch_one(&mut *c).await)?;
    let mut lines: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
    lines.push(line.to_owned());
    let text = serde_json::to_string(&lines)
        .map_err(|e| StoreError::Corrupt(format!("explanation not serialisable: {e}")))?;
    execute!(
        tx,
        sqlx::query("UPDATE alerts SET explanation = $2 WHERE id = $1")
            .bind(alert.0)
            .bind(text)
    )?;
    Ok(())
}

pub(super) async fn acknowledge_open(
    tx: &mut Tx,
    open: &OpenAlert,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = to_micros(at);
    execute!(tx, sqlx::query(
        "UPDATE alerts SET state = 'acknowledged', acknowledged_at = $2, last_seen_at = $2 WHERE id = $1")
        .bind(open.id.0).bind(now))?;
    explain(tx, open.id, reason).await?;
    tx.append(NewEvent::new(
        "alert",
        open.id.0,
        "alert.acknowledged",
        actor,
        at,
        serde_json::json!({ "reason": reason }),
    ))
    .await?;
    if let Some(incident) = open.incident {
        incident::alert_acknowledged(tx, incident, open.id, actor, at).await?;
    }
    Ok(())
}

pub(super) async fn resolve_open(
    tx: &mut Tx,
    open: &OpenAlert,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = to_micros(at);
    execute!(tx, sqlx::query(
        "UPDATE alerts SET state = 'resolved', resolved_at = $2, last_seen_at = $2 WHERE id = $1")
        .bind(open.id.0).bind(now))?;
    explain(tx, open.id, reason).await?;
    tx.append(NewEvent::new(
        "alert",
        open.id.0,
        "alert.resolved",
        actor,
        at,
        serde_json::json!({ "reason": reason }),
    ))
    .await?;
    if let Some(incident) = open.incident {
        incident::alert_resolved(tx, incident, open.id, actor, at).await?;
    }
    Ok(())
}

/// The alert by id, for a responder's action.
async fn load(tx: &mut Tx, id: AlertId) -> Result<OpenAlert, StoreError> {
    let row: Option<(String, Option<Uuid>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT state, incident_id FROM alerts WHERE id = $1").bind(id.0).fetch_optional(&mut *c).await)?;
    let (state, incident) = row.ok_or(StoreError::NotFound("alert"))?;
    Ok(OpenAlert {
        id,
        state: AlertState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("alert {id} has state {state:?}")))?,
        incident: incident::incident_id(incident),
    })
}

/// A responder acknowledges an alert. Acknowledging it again changes nothing; a resolved alert
/// cannot be acknowledged (409).
pub async fn acknowledge(
    tx: &mut Tx,
    id: AlertId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let open = load(tx, id).await?;
    match open.state {
        AlertState::Resolved => Err(StoreError::Conflict("alert_resolved".into())),
        AlertState::Acknowledged => Ok(()),
        AlertState::Triggered | AlertState::Suppressed => {
            acknowledge_open(tx, &open, &format!("acknowledged by {actor}"), actor, at).await
        }
    }
}

/// A responder resolves an alert. Resolving a resolved alert changes nothing.
pub async fn resolve(
    tx: &mut Tx,
    id: AlertId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let open = load(tx, id).await?;
    if open.state == AlertState::Resolved {
        return Ok(());
    }
    resolve_open(tx, &open, &format!("resolved by {actor}"), actor, at).await
}
