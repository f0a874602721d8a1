//! Intake: one event from a monitoring tool, applied in the caller's transaction. The open alert
//! under the same service and dedup key decides (see `tocsin_domain::alerting::dedup`): open a
//! new alert and place it in an incident (see `placement`), count a repeat, acknowledge, resolve,
//! or ignore. At its service's open-alert cap a new trigger is folded into an incident's counter.
use jiff::Timestamp;
use tocsin_domain::alerting::dedup::{self, AlertAction, AlertState, DedupOutcome};
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::hold::{NoiseCheck, NoiseHold, release_reason};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::{AlertId, IncidentId};
use uuid::Uuid;

use super::IncomingAlert;
use super::noise::{self, occurrences_text};
use super::place::{Paging, Placed, place};
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
    /// The noise rules (threshold, flapping, transient pause) for a trigger nothing else holds
    /// back; `None` when none applies.
    pub noise: Option<NoiseCheck>,
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
    tx.lock(&super::locks::key_lock(alert.service_id, &alert.dedup_key))
        .await?;
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
            repeat_held(tx, &alert, &open, decision, actor, at).await
        }
        (DedupOutcome::Repeat | DedupOutcome::AlreadyAcknowledged, Some(open)) => {
            count_repeat(tx, open.id, at).await?;
            Ok(touched(&open))
        }
        (DedupOutcome::Acknowledge, Some(open)) => {
            let reason = format!("acknowledged by a {} event", alert.source_kind);
            let why = transitions::Why {
                reason: &reason,
                note: alert.action_note.as_ref(),
            };
            transitions::acknowledge_open(tx, &open, why, actor, at).await?;
            Ok(touched(&open))
        }
        (DedupOutcome::Resolve, Some(open)) => {
            let reason = format!("resolved by a {} event", alert.source_kind);
            let why = transitions::Why {
                reason: &reason,
                note: alert.action_note.as_ref(),
            };
            transitions::resolve_open(tx, &open, why, actor, at).await?;
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

async fn count_repeat(tx: &mut Tx, id: AlertId, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE alerts SET occurrences = occurrences + 1, last_seen_at = $2 WHERE id = $1",
        crate::args![id.0, to_micros(at)],
    )
    .await?;
    Ok(())
}

/// A repeat of a held-back alert that no silence, window, inhibition or rule holds: it pages now
/// unless a noise rule (the repeat counting towards a threshold) still holds it.
async fn repeat_held(
    tx: &mut Tx,
    alert: &IncomingAlert,
    open: &OpenAlert,
    decision: &Decision,
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    let reason = match &decision.noise {
        None => "no longer held back and still firing: paging now".to_owned(),
        Some(check) => {
            let (verdict, previous) =
                noise::decide_repeat(tx, open.id, alert.service_id, &alert.dedup_key, check, at)
                    .await?;
            if let Some(hold) = verdict.hold {
                count_repeat(tx, open.id, at).await?;
                if previous != Some(hold.kind) {
                    for note in &verdict.notes {
                        transitions::explain(tx, open.id, note).await?;
                    }
                }
                noise::set_hold(tx, open.id, previous, Some(&hold), actor, at).await?;
                return Ok(Ingested {
                    outcome: DedupOutcome::Repeat,
                    alert_id: Some(open.id),
                    incident_id: None,
                    suppressed: true,
                    dropped: false,
                });
            }
            release_reason(previous, &verdict.notes)
        }
    };
    let settings = transitions::Settings {
        grouping: decision.grouping.as_ref(),
        lifecycle: &decision.lifecycle,
    };
    let incident = transitions::release(tx, open, settings, &reason, actor, at).await?;
    Ok(Ingested {
        outcome: DedupOutcome::Repeat,
        alert_id: Some(open.id),
        incident_id: Some(incident),
        suppressed: false,
        dropped: false,
    })
}

const INSERT: &str = "INSERT INTO alerts (id, service_id, integration_key_id, source_kind, dedup_key, state, \
    severity, summary, source, component, alert_group, alert_class, fields, details, links, images, client, \
    client_url, raw, raw_truncated, occurrences, first_seen_at, last_seen_at, incident_id, explanation, \
    recent_occurrences, hold, held_until) \
    VALUES ($1, $2, $3, $4, $5, $23, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
    1, $20, $20, $21, $22, $24, $25, $26)";

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
    // The counter row before any grouping, number or incident lock (see `locks`).
    super::open_count::lock(tx, alert.service_id).await?;
    let id = AlertId::new(at);
    let opened = format!(
        "opened from a {} event: no open alert of this service under dedup key {:?}",
        alert.source_kind, alert.dedup_key
    );
    let mut explanation = vec![opened.clone()];
    explanation.extend(decision.explanations.iter().cloned());
    let (noise_hold, occurrences): (Option<NoiseHold>, Vec<Timestamp>) =
        match (&decision.held_back, &decision.noise) {
            (None, Some(check)) => {
                let (verdict, occurrences) =
                    noise::decide_new(tx, alert.service_id, &alert.dedup_key, check, at).await?;
                explanation.extend(verdict.notes);
                explanation.extend(verdict.hold.as_ref().map(|hold| hold.reason.clone()));
                (verdict.hold, occurrences)
            }
            _ => (None, Vec::new()),
        };
    let held = decision.held_back.is_some() || noise_hold.is_some();
    let incident = if held {
        None
    } else {
        let paging = Paging {
            service: alert.service_id,
            dedup_key: &alert.dedup_key,
            title: &alert.summary,
            severity: alert.severity,
            alert: id,
            opened: &opened,
            grouping: decision.grouping.as_ref().map(|(k, p)| (k.as_str(), p)),
            lifecycle: &decision.lifecycle,
            stored: false,
        };
        match place(tx, paging, actor, at).await? {
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
        }
    };
    let state = if held {
        AlertState::Suppressed
    } else {
        AlertState::Triggered
    };
    let held_until = noise_hold.as_ref().and_then(|hold| hold.revisit_at);
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
            state.as_str(),
            (!occurrences.is_empty()).then(|| occurrences_text(&occurrences)),
            noise_hold.as_ref().map(|hold| hold.kind.as_str()),
            held_until.map(to_micros)
        ],
    )
    .await?;
    super::open_count::opened(tx, alert.service_id).await?;
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
            "held_until": held_until,
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
