//! Intake: one event from a monitoring tool, applied in the caller's transaction. The open alert
//! under the same service and dedup key decides (see `tocsin_domain::alerting::dedup`): open a
//! new alert and place it in an incident (see `placement`), count a repeat, acknowledge, resolve,
//! or ignore. At its service's open-alert cap a new trigger is folded into an incident's counter.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::dedup::{self, AlertAction, AlertState, DedupOutcome};
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::placement::Placement;
use tocsin_domain::id::{AlertId, IncidentId};
use uuid::Uuid;

use super::IncomingAlert;
use super::placement::{self, Placing, Source};
use super::transitions::{self, OpenAlert};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::incident;
use crate::time::to_micros;
use crate::tx::Tx;

/// What an intake event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub outcome: DedupOutcome,
    /// The alert it opened or touched; `None` when it was ignored or dropped.
    pub alert_id: Option<AlertId>,
    pub incident_id: Option<IncidentId>,
    /// The alert is held back (silence, maintenance, inhibition, a rule): stored, not paging.
    pub suppressed: bool,
    /// An event rule dropped it: not stored as an alert, the drop recorded on the service.
    pub dropped: bool,
}

/// What the pipeline decided about a trigger before deduplication.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The rules' decisions, in words, kept on the alert.
    pub explanations: Vec<String>,
    /// Why the alert is held back, when it is.
    pub held_back: Option<String>,
    /// The service's grouping: the alert's grouping key and the policy deciding whether it joins
    /// the open incident of that key. `None`: one incident per alert.
    pub grouping: Option<(String, GroupingPolicy)>,
    /// The service's incident lifecycle settings (stability, reopen, cap, correlation).
    pub lifecycle: IncidentLifecycle,
}

const FIND_OPEN: &str = "SELECT id, state, incident_id FROM alerts \
    WHERE service_id = $1 AND dedup_key = $2 AND state <> 'resolved'";

const FIND_OPEN_BY_KEY: &str = "SELECT id, state, incident_id FROM alerts \
    WHERE integration_key_id = $1 AND dedup_key = $2 AND state <> 'resolved' ORDER BY id DESC LIMIT 1";

/// Applies one intake event with nothing decided beforehand.
pub async fn ingest(
    tx: &mut Tx,
    alert: IncomingAlert,
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    ingest_decided(tx, alert, &Decision::default(), actor, at).await
}

/// Applies one intake event, with the pipeline's decision about it.
pub async fn ingest_decided(
    tx: &mut Tx,
    alert: IncomingAlert,
    decision: &Decision,
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    // Concurrent events under one key queue here, so exactly one of them opens the alert.
    let mut lock_key = alert.service_id.0.as_bytes().to_vec();
    lock_key.extend_from_slice(alert.dedup_key.as_bytes());
    tx.lock(&lock_key).await?;
    let open: Option<(Uuid, String, Option<Uuid>)> = tx
        .fetch_optional(
            FIND_OPEN,
            crate::args![alert.service_id.0, &alert.dedup_key],
        )
        .await?;
    // An acknowledge or resolve carries few fields, so routing rules may not send it where its
    // trigger went: the same integration key's open alert under the key is the one it means.
    let open = match (open, alert.action, alert.integration_key_id) {
        (None, AlertAction::Acknowledge | AlertAction::Resolve, Some(key)) => {
            tx.fetch_optional(FIND_OPEN_BY_KEY, crate::args![key.0, &alert.dedup_key])
                .await?
        }
        (open, _, _) => open,
    };
    let open = open.map(|(id, state, incident)| OpenAlert {
        id: AlertId(id),
        state: AlertState::parse(&state).unwrap_or(AlertState::Triggered),
        incident: incident::incident_id(incident),
    });
    let outcome = dedup::decide(alert.action, open.as_ref().map(|o| o.state));
    let touched = |open: &OpenAlert| Ingested {
        outcome,
        alert_id: Some(open.id),
        incident_id: open.incident,
        suppressed: open.state == AlertState::Suppressed,
        dropped: false,
    };
    match (outcome, open) {
        (DedupOutcome::Open, _) => open_alert(tx, alert, decision, actor, at).await,
        (DedupOutcome::Repeat, Some(open))
            if open.state == AlertState::Suppressed && decision.held_back.is_none() =>
        {
            // Held back before, nothing holds it now and it is still firing: it pages.
            let summary = alert.summary.clone();
            let incident = transitions::release(
                tx,
                &open,
                &summary,
                alert.severity,
                "no longer held back and still firing: paging now",
                actor,
                at,
            )
            .await?;
            Ok(Ingested {
                incident_id: Some(incident),
                suppressed: false,
                ..touched(&open)
            })
        }
        (DedupOutcome::Repeat | DedupOutcome::AlreadyAcknowledged, Some(open)) => {
            tx.execute(
                "UPDATE alerts SET occurrences = occurrences + 1, last_seen_at = $2 WHERE id = $1",
                crate::args![open.id.0, to_micros(at)],
            )
            .await?;
            Ok(touched(&open))
        }
        (DedupOutcome::Acknowledge, Some(open)) => {
            let reason = format!("acknowledged by a {} event", alert.source_kind);
            transitions::acknowledge_open(tx, &open, &reason, actor, at).await?;
            Ok(touched(&open))
        }
        (DedupOutcome::Resolve, Some(open)) => {
            let reason = format!("resolved by a {} event", alert.source_kind);
            transitions::resolve_open(tx, &open, &reason, actor, at).await?;
            Ok(touched(&open))
        }
        _ => Ok(Ingested {
            outcome: DedupOutcome::NoOpenAlert,
            alert_id: None,
            incident_id: None,
            suppressed: false,
            dropped: false,
        }),
    }
}

const INSERT: &str = "INSERT INTO alerts (id, service_id, integration_key_id, source_kind, dedup_key, state, \
    severity, summary, source, component, alert_group, alert_class, fields, details, links, images, client, \
    client_url, raw, raw_truncated, occurrences, first_seen_at, last_seen_at, incident_id, explanation) \
    VALUES ($1, $2, $3, $4, $5, $23, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
    1, $20, $20, $21, $22)";

fn json_text(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("not serialisable: {e}")))
}

/// Opens a new alert and, unless it is held back, places it in an incident; at the service's
/// open-alert cap, folds it into an incident's counter instead of storing it.
async fn open_alert(
    tx: &mut Tx,
    alert: IncomingAlert,
    decision: &Decision,
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    let id = AlertId::new(at);
    let opened = format!(
        "opened from a {} event: no open alert of this service under dedup key {:?}",
        alert.source_kind, alert.dedup_key
    );
    let mut explanation = vec![opened.clone()];
    explanation.extend(decision.explanations.iter().cloned());
    let incident = match &decision.held_back {
        Some(_) => None,
        None => match place(tx, &alert, id, &opened, decision, actor, at).await? {
            Placed::Folded(incident) => {
                return Ok(Ingested {
                    outcome: DedupOutcome::Folded,
                    alert_id: None,
                    incident_id: Some(incident),
                    suppressed: false,
                    dropped: false,
                });
            }
            Placed::Into(incident, line) => {
                explanation.push(line);
                Some(incident)
            }
        },
    };
    let state = if decision.held_back.is_some() {
        AlertState::Suppressed
    } else {
        AlertState::Triggered
    };
    let (raw, truncated) = super::cap_raw(&alert.raw);
    let fields = alert.fields();
    tx.execute(
        INSERT,
        crate::args![
            id.0,
            alert.service_id.0,
            alert.integration_key_id.map(|k| k.0),
            alert.source_kind,
            &alert.dedup_key,
            alert.severity.as_str(),
            &alert.summary,
            &alert.source,
            &alert.component,
            &alert.group,
            &alert.class,
            json_text(&fields)?,
            json_text(&alert.details)?,
            json_text(&alert.links)?,
            json_text(&alert.images)?,
            &alert.client,
            &alert.client_url,
            &raw,
            i64::from(truncated),
            to_micros(at),
            incident.map(|i| i.0),
            json_text(&explanation)?,
            state.as_str()
        ],
    )
    .await?;
    tx.append_first(NewEvent::new(
        "alert",
        id.0,
        if incident.is_some() {
            "alert.triggered"
        } else {
            "alert.suppressed"
        },
        actor,
        at,
        serde_json::json!({
            "service_id": alert.service_id,
            "dedup_key": alert.dedup_key,
            "severity": alert.severity,
            "summary": alert.summary,
            "source_kind": alert.source_kind,
            "incident_id": incident,
            "explanation": explanation,
        }),
    ))
    .await?;
    Ok(Ingested {
        outcome: DedupOutcome::Open,
        alert_id: Some(id),
        incident_id: incident,
        suppressed: incident.is_none(),
        dropped: false,
    })
}

/// Where a new paging alert went.
enum Placed {
    /// Into this incident, for the reason given in words.
    Into(IncidentId, String),
    /// Not stored: counted on this incident's `folded_alerts`.
    Folded(IncidentId),
}

/// Puts a new paging alert where `placement::plan` decides (under a lock per grouping key, so
/// concurrent alerts cannot open two incidents for one key).
async fn place(
    tx: &mut Tx,
    alert: &IncomingAlert,
    id: AlertId,
    opened: &str,
    decision: &Decision,
    actor: &str,
    at: Timestamp,
) -> Result<Placed, StoreError> {
    let grouping = decision
        .grouping
        .as_ref()
        .map(|(key, policy)| (key.as_str(), policy));
    if let Some((key, _)) = grouping {
        let mut lock_key = b"grouping".to_vec();
        lock_key.extend_from_slice(alert.service_id.0.as_bytes());
        lock_key.extend_from_slice(key.as_bytes());
        tx.lock(&lock_key).await?;
    }
    let placing = Placing {
        service: alert.service_id,
        dedup_key: &alert.dedup_key,
        grouping,
        lifecycle: &decision.lifecycle,
        at,
    };
    let placement = placement::plan(&mut Source::Tx(&mut *tx), &placing)
        .await?
        .placement;
    match &placement {
        Placement::Join { incident, .. } => {
            let line = placement.explain(incident.number);
            incident::attach_alert(tx, incident.id, id, &line, actor, at).await?;
            Ok(Placed::Into(incident.id, line))
        }
        Placement::Reopen { incident, .. } => {
            let reason = format!("reopened: {}", placement.why());
            incident::lifecycle::reopen(tx, incident.id, id, &reason, actor, at).await?;
            Ok(Placed::Into(
                incident.id,
                placement.explain(incident.number),
            ))
        }
        Placement::Open { .. } => {
            let opening = opening(alert, Some(id), opened, grouping.map(|(key, _)| key));
            let (incident, number) = incident::open_for_alert(tx, opening, actor, at).await?;
            Ok(Placed::Into(incident, placement.explain(number)))
        }
        Placement::Fold { into, .. } => {
            let (incident, number) = match into {
                Some(into) => (into.id, into.number),
                None => {
                    let why = "opened for an alert storm: the service is at its open-alert cap";
                    incident::open_for_alert(tx, opening(alert, None, why, None), actor, at).await?
                }
            };
            let quiet =
                SignedDuration::from_secs(i64::from(decision.lifecycle.stability_window_seconds));
            let reason = placement.explain(number);
            incident::lifecycle::fold(tx, incident, &reason, quiet, actor, at).await?;
            Ok(Placed::Folded(incident))
        }
    }
}

/// The incident opening for `alert` (`id`: none when opened for a storm).
fn opening<'a>(
    alert: &'a IncomingAlert,
    id: Option<AlertId>,
    reason: &'a str,
    grouping_key: Option<&'a str>,
) -> incident::OpeningAlert<'a> {
    incident::OpeningAlert {
        service: alert.service_id,
        title: &alert.summary,
        severity: alert.severity,
        alert: id,
        reason,
        grouping_key,
    }
}

/// Records that an event rule dropped a trigger: an event on the service's timeline with the
/// alert's summary and the rules' reasons; no alert is stored.
pub async fn record_drop(
    tx: &mut Tx,
    alert: &IncomingAlert,
    explanations: &[String],
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    tx.append(NewEvent::new(
        "service",
        alert.service_id.0,
        "alert.dropped",
        actor,
        at,
        serde_json::json!({
            "dedup_key": alert.dedup_key,
            "summary": alert.summary,
            "source_kind": alert.source_kind,
            "explanation": explanations,
        }),
    ))
    .await?;
    metrics::counter!("tocsin_alerts_dropped_total").increment(1);
    Ok(Ingested {
        outcome: DedupOutcome::NoOpenAlert,
        alert_id: None,
        incident_id: None,
        suppressed: false,
        dropped: true,
    })
}
