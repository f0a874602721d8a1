//! `POST /api/v1/simulate/alert`: what Tocsin would do with a payload sent through one of its
//! integration keys, at a given time, without storing anything: the service after routing, the
//! rules that applied, the dedup key, whatever would hold it back (silence, maintenance,
//! inhibition, a threshold, flapping, a transient pause) or drop it, and the alert and incident it
//! would open or join: the grouping key, the open incident of that key and whether the alert joins
//! it, reopening, upstream correlation and the open-alert cap, decided by the same code intake uses.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::dedup::{self, AlertAction, AlertState, DedupOutcome};
use tocsin_domain::alerting::hold::{History, NoiseCheck, NoiseVerdict};
use tocsin_domain::alerting::placement::{JoinReason, Placement};
use tocsin_domain::alerting::verdict::{self, Disposition};
use tocsin_domain::id::IntegrationKeyId;
use tocsin_engine::ingest::placement_settings;
use tocsin_store::access::integration_keys;
use tocsin_store::alert::placement::{self, Placing, Planned, Source};
use tocsin_store::alert::{self, IncomingAlert};
use tocsin_store::orchestration;

use crate::auth::Guard;
use crate::error::{ApiError, ProblemKind};
use crate::extract;
use crate::ingest::keys::IntakeKey;
use crate::ingest::{alertmanager, generic, opsgenie, pagerduty};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::POST,
        "/api/v1/simulate/alert",
        Guard::Allow(Action::ReadAlerts),
        simulate,
    )]
}

/// A payload to try.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateAlert {
    /// The integration key it would arrive through (its format decides how it is read).
    #[schema(value_type = String, format = Uuid)]
    pub integration_key_id: uuid::Uuid,
    /// The body the monitoring tool would send.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// When it would arrive (default: now).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<jiff::Timestamp>,
}

/// What would happen to one alert of the payload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimulatedAlert {
    /// trigger, acknowledge or resolve.
    pub action: String,
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    pub dedup_key: String,
    pub severity: String,
    pub summary: String,
    /// The normalised fields rules and silences match against.
    #[schema(value_type = Object)]
    pub fields: Value,
    /// page, suppress or drop.
    pub disposition: String,
    /// Every decision, in words: rules, silences, maintenance, inhibition, thresholds, flapping,
    /// transient pause, deduplication, incident.
    pub explanation: Vec<String>,
    /// The open alert it would repeat, acknowledge or resolve.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub existing_alert_id: Option<uuid::Uuid>,
    /// The incident it would join, reopen or fold into (its alert's for a repeat), if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub incident_id: Option<uuid::Uuid>,
    /// A new paging alert's incident decision: join, reopen, open or fold (none otherwise).
    pub incident_decision: Option<String>,
    /// The grouping it would be weighed under (none with grouping off or for no new paging alert).
    pub grouping: Option<SimulatedGrouping>,
}

/// The grouping decision for a new paging alert.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimulatedGrouping {
    /// The alert's grouping key.
    pub key: String,
    /// The open incident of that key, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub open_incident_id: Option<uuid::Uuid>,
    /// Whether the alert would join that incident (the policy's window holds at the time).
    pub joins: bool,
}

/// The simulation's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Simulation {
    pub alerts: Vec<SimulatedAlert>,
}

/// Reads the payload as the key's format would.
fn parse(
    kind: &str,
    key: &IntakeKey,
    mapping: Option<&str>,
    payload: &Value,
) -> Result<Vec<IncomingAlert>, ApiError> {
    let invalid = |errors: Vec<tocsin_domain::FieldError>| {
        ApiError::new(
            ProblemKind::Validation,
            "the payload is not valid for this integration",
        )
        .with_errors(errors.into_iter().map(|e| e.under("/payload")).collect())
    };
    let raw = payload.to_string();
    Ok(match kind {
        "pagerduty" => vec![
            pagerduty::parse_event(payload, "simulated".into())
                .map_err(invalid)?
                .into_incoming(key, raw),
        ],
        "alertmanager" => alertmanager::parse::parse_webhook(payload)
            .map_err(invalid)?
            .into_iter()
            .map(|alert| alert.into_incoming(key))
            .collect(),
        "opsgenie" => vec![
            opsgenie::parse::parse_create(payload)
                .map_err(invalid)?
                .into_incoming(key, raw),
        ],
        "generic" => {
            let mapping = match mapping {
                None => generic::mapping::Mapping::default(),
                Some(text) => serde_json::from_str(text)
                    .ok()
                    .and_then(|document| generic::mapping::Mapping::parse(&document).ok())
                    .ok_or_else(ApiError::internal)?,
            };
            vec![
                generic::evaluate::apply(&mapping, payload)
                    .map_err(invalid)?
                    .into_incoming(key, raw),
            ]
        }
        other => {
            return Err(ApiError::field(
                "/integration_key_id",
                format!("a {other} key takes no payload to simulate"),
            ));
        }
    })
}

/// Simulate an alert: nothing is stored.
#[utoipa::path(post, path = "/api/v1/simulate/alert", tag = "alerts", security(("bearer" = [])),
    request_body = SimulateAlert, responses(
    (status = 200, body = Simulation),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn simulate(
    State(state): State<AppState>,
    extract::Json(input): extract::Json<SimulateAlert>,
) -> Result<Json<Simulation>, ApiError> {
    let reader = state.store.reader();
    let stored =
        integration_keys::find_live_by_id(reader, IntegrationKeyId(input.integration_key_id))
            .await?
            .ok_or_else(|| {
                ApiError::field("/integration_key_id", "no live integration key has this id")
            })?;
    let key = IntakeKey {
        id: stored.id,
        service_id: stored.service_id,
    };
    let incoming = parse(
        &stored.kind,
        &key,
        stored.mapping.as_deref(),
        &input.payload,
    )?;
    let at = input.at.unwrap_or_else(|| state.clock.now());
    let config = orchestration::load(reader, at).await?;
    let firing = tocsin_engine::ingest::inhibition_sources(&state.store, &config).await?;
    let mut alerts = Vec::with_capacity(incoming.len());
    for mut alert in incoming {
        let fields = alert.fields();
        let verdict = verdict::decide(&config, alert.service_id, &fields, &firing, None, at);
        alert.service_id = verdict.service;
        if let Some(dedup_key) = &verdict.rules.dedup_key {
            alert.dedup_key = dedup_key.clone();
        }
        if let Some(severity) = verdict
            .rules
            .severity
            .filter(|_| alert.action == AlertAction::Trigger)
        {
            alert.severity = severity;
        }
        let mut explanation = verdict.explanations.clone();
        let existing = alert::open_alert_id(reader, alert.service_id, &alert.dedup_key).await?;
        let existing_alert = match existing {
            Some(id) => Some(alert::get(reader, id).await?),
            None => None,
        };
        let mut disposition = match (&verdict.disposition, alert.action) {
            (Disposition::Drop { .. }, AlertAction::Trigger) => "drop",
            (Disposition::Suppress { .. }, AlertAction::Trigger) => "suppress",
            _ => "page",
        };
        let noise = verdict
            .noise_check(&config, alert.severity)
            .filter(|_| alert.action == AlertAction::Trigger);
        if let Some(check) = noise {
            let decided = noise_holds(&state, &check, &alert, existing_alert.as_ref(), at).await?;
            if let Some(decided) = decided {
                explanation.extend(decided.notes);
                if let Some(hold) = decided.hold {
                    explanation.push(hold.reason);
                    disposition = "suppress";
                }
            }
        }
        let outcome = dedup::decide(alert.action, existing_alert.as_ref().map(|a| a.state));
        if disposition != "drop" {
            explanation.push(describe(
                outcome,
                existing_alert.as_ref().map(|a| (a.id.0, a.state)),
                disposition,
            ));
        }
        let existing_id = existing_alert.as_ref().map(|a| a.id.0);
        let mut incident_id = existing_alert.and_then(|a| a.incident_id).map(|i| i.0);
        let (mut incident_decision, mut grouping) = (None, None);
        if outcome == DedupOutcome::Open && disposition == "page" {
            let (group, lifecycle) = placement_settings(&config, &verdict, &fields);
            let placing = Placing {
                service: alert.service_id,
                dedup_key: &alert.dedup_key,
                grouping: group.as_ref().map(|(key, policy)| (key.as_str(), policy)),
                lifecycle: &lifecycle,
                at,
            };
            let planned = placement::plan(&mut Source::Reader(reader), &placing).await?;
            explanation.push(planned.placement.explain_would());
            incident_id = planned.placement.incident().map(|i| i.id.0);
            incident_decision = Some(planned.placement.kind().to_owned());
            grouping = group.map(|(key, _)| simulated_grouping(key, &planned));
        }
        alerts.push(SimulatedAlert {
            action: format!("{:?}", alert.action).to_lowercase(),
            service_id: alert.service_id.0,
            dedup_key: alert.dedup_key.clone(),
            severity: alert.severity.as_str().to_owned(),
            summary: alert.summary.clone(),
            fields: serde_json::to_value(&fields).unwrap_or_default(),
            disposition: disposition.to_owned(),
            explanation,
            existing_alert_id: existing_id,
            incident_id,
            incident_decision,
            grouping,
        });
    }
    Ok(Json(Simulation { alerts }))
}

/// The grouping part of a placement: the key, its open incident, and whether the alert joins it.
fn simulated_grouping(key: String, planned: &Planned) -> SimulatedGrouping {
    let joins = matches!(
        &planned.placement,
        Placement::Join {
            reason: JoinReason::Grouped { .. },
            ..
        }
    );
    SimulatedGrouping {
        key,
        open_incident_id: planned.group_incident.map(|i| i.id.0),
        joins,
    }
}

/// What the noise rules (threshold, flapping, transient pause) would say about a trigger: for a
/// new alert or a repeat of a held one, from the same instants intake reads; `None` for a repeat
/// of an alert that already pages.
async fn noise_holds(
    state: &AppState,
    check: &NoiseCheck,
    alert: &IncomingAlert,
    existing: Option<&alert::Alert>,
    at: jiff::Timestamp,
) -> Result<Option<NoiseVerdict>, ApiError> {
    if existing.is_some_and(|a| a.state != AlertState::Suppressed) {
        return Ok(None);
    }
    let changes = match check.flap() {
        Some(flap) => {
            let reader = state.store.reader();
            alert::key_changes(reader, alert.service_id, &alert.dedup_key, flap, at).await?
        }
        None => Vec::new(),
    };
    let history = match existing {
        Some(held) => History::repeat(held.first_seen_at, &held.recent_occurrences, at, changes),
        None => History::new_trigger(at, changes),
    };
    Ok(Some(check.decide(&history, at)))
}

/// The deduplication and incident decision, in words.
fn describe(
    outcome: DedupOutcome,
    existing: Option<(uuid::Uuid, AlertState)>,
    disposition: &str,
) -> String {
    match (outcome, existing) {
        (DedupOutcome::Open, _) if disposition == "suppress" => {
            "would open a new alert, held back: no incident, no page".into()
        }
        (DedupOutcome::Open, _) => "would open a new alert and page".into(),
        (DedupOutcome::Repeat, Some((id, AlertState::Suppressed))) if disposition == "page" => {
            format!(
                "would repeat held-back alert {id}, which nothing holds any more: it would page"
            )
        }
        (DedupOutcome::Repeat, Some((id, _))) => {
            format!("would count another occurrence of open alert {id}")
        }
        (DedupOutcome::Acknowledge, Some((id, _))) => {
            format!("would acknowledge alert {id} and its incident")
        }
        (DedupOutcome::AlreadyAcknowledged, Some((id, _))) => {
            format!("alert {id} is already acknowledged")
        }
        (DedupOutcome::Resolve, Some((id, _))) => {
            format!("would resolve alert {id} (its incident resolves with its last open alert)")
        }
        _ => "no open alert under this dedup key: nothing would change".into(),
    }
}
