//! Acknowledging and resolving an alert, whether a monitoring tool or a responder asks: the alert
//! row, its explanation, an event on its stream, and the knock-on change to its incident; and
//! releasing a held-back alert, placed as a fresh trigger is.
use jiff::Timestamp;
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::hold::{HoldKind, is_transient};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use uuid::Uuid;

use super::ActionNote;
use super::place::{Paging, Placed, place};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::incident;
use crate::time::to_micros;
use crate::tx::Tx;

/// The open alert an action applies to.
#[derive(Debug, Clone)]
pub(super) struct OpenAlert {
    pub id: AlertId,
    pub state: AlertState,
    pub incident: Option<IncidentId>,
}

/// Adds a decision to the alert's explanation.
pub(super) async fn explain(tx: &mut Tx, alert: AlertId, line: &str) -> Result<(), StoreError> {
    let (text,): (String,) = tx
        .fetch_one(
            "SELECT explanation FROM alerts WHERE id = $1",
            crate::args![alert.0],
        )
        .await?;
    let mut lines: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
    lines.push(line.to_owned());
    let text = serde_json::to_string(&lines)
        .map_err(|e| StoreError::Corrupt(format!("explanation not serialisable: {e}")))?;
    tx.execute(
        "UPDATE alerts SET explanation = $2 WHERE id = $1",
        crate::args![alert.0, text],
    )
    .await?;
    Ok(())
}

/// Why an alert is acknowledged or resolved: the decision in words, and who asked (if an intake
/// API said so).
#[derive(Debug, Clone, Copy)]
pub(super) struct Why<'a> {
    pub reason: &'a str,
    pub note: Option<&'a ActionNote>,
}

impl<'a> Why<'a> {
    pub fn plain(reason: &'a str) -> Self {
        Self { reason, note: None }
    }
}

/// Moves an open alert to `state` (its timestamp column set to `at`), explains why, and records
/// `alert.<state>` on its stream (with `by`, `source` and `note` when the request said so).
async fn move_to(
    tx: &mut Tx,
    open: &OpenAlert,
    state: AlertState,
    why: Why<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let (sql, kind) = match state {
        AlertState::Acknowledged => (
            "UPDATE alerts SET state = 'acknowledged', acknowledged_at = $2, last_seen_at = $2 WHERE id = $1",
            "alert.acknowledged",
        ),
        _ => (
            "UPDATE alerts SET state = 'resolved', resolved_at = $2, last_seen_at = $2 WHERE id = $1",
            "alert.resolved",
        ),
    };
    tx.execute(sql, crate::args![open.id.0, to_micros(at)])
        .await?;
    if kind == "alert.resolved" && open.state != AlertState::Resolved {
        super::open_count::resolved(tx, open.id).await?;
    }
    let mut payload = serde_json::json!({ "reason": why.reason });
    let mut line = why.reason.to_owned();
    if let Some(note) = why.note {
        line.push_str(&note.words());
        payload["by"] = serde_json::json!(note.by);
        payload["source"] = serde_json::json!(note.source);
        payload["note"] = serde_json::json!(note.note);
    }
    explain(tx, open.id, &line).await?;
    tx.append(NewEvent::new("alert", open.id.0, kind, actor, at, payload))
        .await?;
    Ok(())
}

pub(super) async fn acknowledge_open(
    tx: &mut Tx,
    open: &OpenAlert,
    why: Why<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    move_to(tx, open, AlertState::Acknowledged, why, actor, at).await?;
    if let Some(incident) = open.incident {
        incident::alert_acknowledged(tx, incident, open.id, actor, at).await?;
    }
    Ok(())
}

pub(super) async fn resolve_open(
    tx: &mut Tx,
    open: &OpenAlert,
    why: Why<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let mut reason = why.reason.to_owned();
    if open.state == AlertState::Suppressed {
        let (hold, held_until): (Option<String>, Option<i64>) = tx
            .fetch_one(
                "SELECT hold, held_until FROM alerts WHERE id = $1",
                crate::args![open.id.0],
            )
            .await?;
        let held_until = held_until.map(crate::time::from_micros);
        let hold = hold.as_deref().and_then(HoldKind::parse);
        if let Some(until) = held_until.filter(|_| is_transient(hold, held_until, at)) {
            tx.execute(
                "UPDATE alerts SET transient = $2 WHERE id = $1",
                crate::args![open.id.0, true],
            )
            .await?;
            reason.push_str(&format!(
                "; transient: resolved within its transient pause (until {until}), it never paged"
            ));
        }
    }
    let why = Why {
        reason: &reason,
        note: why.note,
    };
    move_to(tx, open, AlertState::Resolved, why, actor, at).await?;
    if let Some(incident) = open.incident {
        incident::alert_resolved(tx, incident, open.id, actor, at).await?;
    }
    Ok(())
}

/// The alert by id, for a responder's action.
async fn load(tx: &mut Tx, id: AlertId) -> Result<OpenAlert, StoreError> {
    let row: Option<(String, Option<Uuid>)> = tx
        .fetch_optional(
            "SELECT state, incident_id FROM alerts WHERE id = $1",
            crate::args![id.0],
        )
        .await?;
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
            let reason = format!("acknowledged by {actor}");
            acknowledge_open(tx, &open, Why::plain(&reason), actor, at).await
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
    let reason = format!("resolved by {actor}");
    resolve_open(tx, &open, Why::plain(&reason), actor, at).await
}

/// How a released alert is placed: its grouping key with its service's policy (`None`: one
/// incident per alert) and its service's incident lifecycle — what a fresh trigger is placed by.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub grouping: Option<&'a (String, GroupingPolicy)>,
    pub lifecycle: &'a IncidentLifecycle,
}

/// A held-back (suppressed) alert pages after all: it becomes triggered and is placed exactly as
/// a fresh trigger would be (`place`: cap, grouping, stability and reopen windows, upstream
/// correlation), its service's counter row locked first (see `locks`).
pub(super) async fn release(
    tx: &mut Tx,
    open: &OpenAlert,
    settings: Settings<'_>,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<IncidentId, StoreError> {
    let (service, dedup_key, title, severity): (Uuid, String, String, String) = tx
        .fetch_one(
            "SELECT service_id, dedup_key, summary, severity FROM alerts WHERE id = $1",
            crate::args![open.id.0],
        )
        .await?;
    let service = ServiceId(service);
    super::open_count::lock(tx, service).await?;
    let severity = severity
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("alert {} has severity {severity:?}", open.id)))?;
    let paging = Paging {
        service,
        dedup_key: &dedup_key,
        title: &title,
        severity,
        alert: open.id,
        opened: reason,
        grouping: settings
            .grouping
            .map(|(key, policy)| (key.as_str(), policy)),
        lifecycle: settings.lifecycle,
        stored: true,
    };
    let Placed::Into(incident, line) = place(tx, paging, actor, at).await? else {
        return Err(StoreError::Corrupt(format!(
            "stored alert {} was folded",
            open.id
        )));
    };
    tx.execute("UPDATE alerts SET state = 'triggered', incident_id = $2, occurrences = occurrences + 1, last_seen_at = $3, \
         hold = NULL, held_until = NULL WHERE id = $1", crate::args![open.id.0, incident.0, to_micros(at)]).await?;
    explain(tx, open.id, &format!("{reason}; {line}")).await?;
    tx.append(NewEvent::new(
        "alert",
        open.id.0,
        "alert.released",
        actor,
        at,
        serde_json::json!({ "reason": reason, "incident_id": incident }),
    ))
    .await?;
    Ok(incident)
}

/// Re-evaluation found nothing holding a suppressed alert back any more: it pages now, placed as
/// `settings` say.
pub async fn release_held(
    tx: &mut Tx,
    id: AlertId,
    settings: Settings<'_>,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<Option<IncidentId>, StoreError> {
    let row: Option<(String,)> = tx
        .fetch_optional("SELECT state FROM alerts WHERE id = $1", crate::args![id.0])
        .await?;
    let Some((state,)) = row else {
        return Err(StoreError::NotFound("alert"));
    };
    if state != AlertState::Suppressed.as_str() {
        return Ok(None);
    }
    let open = OpenAlert {
        id,
        state: AlertState::Suppressed,
        incident: None,
    };
    release(tx, &open, settings, reason, actor, at)
        .await
        .map(Some)
}
