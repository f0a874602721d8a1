//! The incident lifecycle beyond one alert: resolving after the service's stability window
//! (scheduled when the last open alert resolves, cancelled when a new alert joins, carried out by
//! the engine at the due instant), reopening within the reopen window, and counting alerts folded
//! in during an alert storm. Each change is an event on the incident's timeline, in words.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_domain::open_incident_sql;
use uuid::Uuid;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::orchestration::config::lifecycle_scope;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The most incidents the engine resolves in one write.
pub const RESOLVE_BATCH: i64 = 256;

/// How long an incident that only counts folded alerts (no alert of its own open) stays open after
/// the last one, at least: the storm must quieten before it resolves itself.
pub const STORM_QUIET: SignedDuration = SignedDuration::from_secs(300);

/// The service's lifecycle settings as stored (the defaults when never set), read in a write.
pub(crate) async fn settings_of(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<IncidentLifecycle, StoreError> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            "SELECT definition FROM alerting_config WHERE scope = $1",
            crate::args![lifecycle_scope(service.0)],
        )
        .await?;
    match row {
        None => Ok(IncidentLifecycle::default()),
        Some((text,)) => serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!("incident lifecycle of service {service}: {e}"))
        }),
    }
}

/// The incident's last open alert resolved and its service has a stability window: it resolves
/// itself at `due` unless an alert joins first.
pub(crate) async fn schedule_resolve(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    due: Timestamp,
    window_seconds: u32,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE incidents SET resolve_due_at = $2, updated_at = $3 WHERE id = $1",
        crate::args![incident.0, to_micros(due), to_micros(at)],
    )
    .await?;
    let reason = format!(
        "all of its alerts have resolved: it resolves itself at {due} unless an alert fires again \
         within the stability window of {window_seconds} s"
    );
    tx.append(event(
        incident,
        "incident.resolve_scheduled",
        actor,
        at,
        serde_json::json!({ "alert_id": alert, "resolve_due_at": due, "reason": reason }),
    ))
    .await?;
    Ok(())
}

/// A new alert joined: a scheduled self-resolution is cancelled (and the timeline says so).
pub(crate) async fn cancel_resolve(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let cancelled = tx.execute("UPDATE incidents SET resolve_due_at = NULL WHERE id = $1 AND resolve_due_at IS NOT NULL", crate::args![incident.0]).await?;
    if cancelled > 0 {
        tx.append(event(
            incident,
            "incident.resolve_cancelled",
            actor,
            at,
            serde_json::json!({
                "alert_id": alert,
                "reason": "a new alert joined before its stability window ended: it stays open",
            }),
        ))
        .await?;
    }
    Ok(())
}

/// Resolves the incident if no alert of it is open (and any scheduled resolution is due by `at`);
/// answers whether it did. An incident whose recovery checks are not all confirmed stays open and
/// its timeline says why.
pub(crate) async fn resolve_if_quiet(
    tx: &mut Tx,
    incident: IncidentId,
    payload: serde_json::Value,
    actor: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let now = to_micros(at);
    if let Err(refusal) = super::resolution::gate(tx, incident, false).await? {
        let quiet: Option<i64> = tx
            .scalar_optional(
                concat!(
                    "SELECT number FROM incidents WHERE id = $1 AND ",
                    open_incident_sql!(),
                    " AND open_alert_count = 0 AND (resolve_due_at IS NULL OR resolve_due_at <= $2)"
                ),
                crate::args![incident.0, now],
            )
            .await?;
        if quiet.is_some() {
            super::resolution::hold_resolve(tx, incident, refusal, actor, at).await?;
        }
        return Ok(false);
    }
    let resolved = tx
        .execute(
            concat!(
                "UPDATE incidents SET status = 'resolved', resolved_at = $2, resolve_due_at = NULL, \
                 updated_at = $2 WHERE id = $1 AND ",
                open_incident_sql!(),
                " AND open_alert_count = 0 AND (resolve_due_at IS NULL OR resolve_due_at <= $2)"
            ),
            crate::args![incident.0, now],
        )
        .await?;
    if resolved > 0 {
        tx.append(event(incident, "incident.resolved", actor, at, payload))
            .await?;
        super::respond::after_resolved(tx, incident, at).await?;
    }
    Ok(resolved > 0)
}

/// Resolves every incident whose stability window has passed by `now` with still no alert open
/// (looking at most at `RESOLVE_BATCH`); answers the incidents resolved and how many were looked
/// at. A due incident that cannot resolve has its deadline dropped, so it is not looked at again.
pub async fn resolve_due(
    tx: &mut Tx,
    now: Timestamp,
) -> Result<(Vec<IncidentId>, usize), StoreError> {
    let due: Vec<(Uuid,)> = tx
        .fetch_all(
            "SELECT id FROM incidents WHERE resolve_due_at IS NOT NULL AND resolve_due_at <= $1 \
         ORDER BY resolve_due_at LIMIT $2",
            crate::args![to_micros(now), RESOLVE_BATCH],
        )
        .await?;
    let looked_at = due.len();
    let mut resolved = Vec::new();
    for (id,) in due {
        let incident = IncidentId(id);
        let payload = serde_json::json!({
            "reason": "resolved itself: its stability window passed and no alert of it fired again",
        });
        if resolve_if_quiet(tx, incident, payload, "system:tocsin", now).await? {
            resolved.push(incident);
        } else {
            tx.execute(
                "UPDATE incidents SET resolve_due_at = NULL WHERE id = $1 AND resolve_due_at <= $2",
                crate::args![id, to_micros(now)],
            )
            .await?;
        }
    }
    Ok((resolved, looked_at))
}

/// The earliest instant an incident is due to resolve itself.
pub async fn next_resolve_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let (due,): (Option<i64>,) = reader
        .fetch_one(
            "SELECT MIN(resolve_due_at) FROM incidents WHERE resolve_due_at IS NOT NULL",
            crate::args![],
        )
        .await?;
    Ok(due.map(from_micros))
}

/// A re-trigger within the reopen window: the resolved incident is triggered again, and the
/// alert joins it.
pub(crate) async fn reopen(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute("UPDATE incidents SET status = 'triggered', resolved_at = NULL, acknowledged_at = NULL WHERE id = $1", crate::args![incident.0]).await?;
    tx.append(event(
        incident,
        "incident.reopened",
        actor,
        at,
        serde_json::json!({ "alert_id": alert, "reason": reason }),
    ))
    .await?;
    super::attach_alert(tx, incident, alert, reason, actor, at).await?;
    let service: Uuid = tx
        .scalar(
            "SELECT service_id FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    // Triggered again: it pages again, from the top of its policy.
    crate::paging::restart_escalation(tx, incident, ServiceId(service), at).await
}

/// An alert beyond the service's open-alert cap is counted on the incident. The timeline records
/// the first folded alert only (later ones only raise the counter), so a storm cannot grow the
/// log. An incident with no alert of its own open resolves itself once the storm has been quiet
/// for its stability window (at least `STORM_QUIET`).
pub(crate) async fn fold(
    tx: &mut Tx,
    incident: IncidentId,
    reason: &str,
    quiet: SignedDuration,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let quiet_until = to_micros(at + quiet.max(STORM_QUIET));
    let (folded,): (i64,) = tx.fetch_one("UPDATE incidents SET folded_alerts = folded_alerts + 1, last_alert_at = $2, updated_at = $2, \
         resolve_due_at = CASE WHEN open_alert_count = 0 THEN $3 ELSE resolve_due_at END \
         WHERE id = $1 RETURNING folded_alerts", crate::args![incident.0, to_micros(at), quiet_until]).await?;
    metrics::counter!("tocsin_alerts_folded_total").increment(1);
    if folded == 1 {
        tx.append(event(
            incident,
            "incident.alerts_folded",
            actor,
            at,
            serde_json::json!({
                "reason": format!(
                    "alert storm: {reason}; recorded once, later folded alerts only raise folded_alerts"
                ),
            }),
        ))
        .await?;
    }
    Ok(())
}
