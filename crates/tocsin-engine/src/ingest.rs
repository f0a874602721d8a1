//! The ingest pipeline: alerts parsed by an intake endpoint are decided about (event rules, then
//! silences, maintenance windows and inhibition — `tocsin_domain::alerting::verdict` — then, under
//! the key's lock in the store, thresholds, flapping and transient pauses —
//! `tocsin_domain::alerting::hold`) and applied
//! in one write (one group commit for a whole webhook batch); the answers come back only after the
//! commit, so a 202 means the alert is durable.
use jiff::Timestamp;
use tocsin_domain::alerting::FieldMap;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::verdict::{self, Disposition, FiringAlert, Orchestration, Verdict};
use tocsin_store::Tx;
use tocsin_store::alert::requests::{self, IntakeRequest};
use tocsin_store::alert::{self, Decision, IncomingAlert, Ingested};
use tocsin_store::{Store, StoreError};

use crate::orchestrator::Orchestrator;

/// The most firing alerts considered as inhibition sources.
pub const MAX_INHIBITION_SOURCES: i64 = 10_000;

/// Applies `alerts` in order, in one transaction, as `actor` at `at`.
pub async fn submit(
    store: &Store,
    orchestrator: &Orchestrator,
    alerts: Vec<IncomingAlert>,
    actor: String,
    at: Timestamp,
) -> Result<Vec<Ingested>, StoreError> {
    let config = orchestrator.current(store, at).await?;
    let firing = if alerts.iter().any(|a| may_be_inhibited(&config, a)) {
        inhibition_sources(store, &config).await?
    } else {
        Vec::new()
    };
    store
        .write(move |tx| {
            Box::pin(async move {
                if alerts.len() > 1 {
                    let keys: Vec<_> = alerts
                        .iter()
                        .map(|incoming| batch_key(&config, &firing, incoming, at))
                        .collect();
                    alert::lock_batch(tx, &keys).await?;
                }
                let mut outcomes = Vec::with_capacity(alerts.len());
                for incoming in alerts {
                    outcomes.push(apply(tx, &config, &firing, incoming, &actor, at).await?);
                }
                Ok(outcomes)
            })
        })
        .await
}

/// Applies one alert and records the intake request it came in, in one transaction: the request
/// is on record exactly when its effect is. `record` is completed with the outcome and alert.
pub async fn submit_recorded(
    store: &Store,
    orchestrator: &Orchestrator,
    incoming: IncomingAlert,
    mut record: IntakeRequest,
    actor: String,
    at: Timestamp,
) -> Result<(Ingested, IntakeRequest), StoreError> {
    let config = orchestrator.current(store, at).await?;
    let firing = if may_be_inhibited(&config, &incoming) {
        inhibition_sources(store, &config).await?
    } else {
        Vec::new()
    };
    store
        .write(move |tx| {
            Box::pin(async move {
                let ingested = apply(tx, &config, &firing, incoming, &actor, at).await?;
                record.outcome = ingested.outcome.as_str().to_owned();
                record.alert_id = ingested.alert_id;
                requests::record(tx, &record).await?;
                Ok((ingested, record))
            })
        })
        .await
}

/// Records a request that changed nothing (its alert was not found), in a write of its own.
pub async fn record_request(store: &Store, record: IntakeRequest) -> Result<(), StoreError> {
    store
        .write(move |tx| Box::pin(async move { requests::record(tx, &record).await }))
        .await
}

/// Whether an inhibition rule could hold `alert` back: only then are the firing alerts read.
fn may_be_inhibited(config: &Orchestration, alert: &IncomingAlert) -> bool {
    alert.action == AlertAction::Trigger
        && !config.inhibit_rules.is_empty()
        && config
            .inhibit_rules
            .iter()
            .any(|rule| rule.target_matchers.matches_all(&alert.fields()))
}

/// The firing alerts that may inhibit others (none are read when no inhibition rule exists).
pub async fn inhibition_sources(
    store: &Store,
    config: &Orchestration,
) -> Result<Vec<FiringAlert>, StoreError> {
    if config.inhibit_rules.is_empty() {
        return Ok(Vec::new());
    }
    Ok(alert::firing_fields(store.reader(), MAX_INHIBITION_SOURCES)
        .await?
        .into_iter()
        .map(|(id, fields)| FiringAlert { id: id.0, fields })
        .collect())
}

/// What applying `incoming` will lock: its routed service, its dedup key after the rules, and its
/// grouping key when it may page (see `alert::lock_batch`).
fn batch_key(
    config: &Orchestration,
    firing: &[FiringAlert],
    incoming: &IncomingAlert,
    at: Timestamp,
) -> alert::BatchKey {
    let fields = incoming.fields();
    let verdict = verdict::decide(config, incoming.service_id, &fields, firing, None, at);
    let paging =
        incoming.action == AlertAction::Trigger && verdict.disposition == Disposition::Page;
    alert::BatchKey {
        service: verdict.service,
        dedup_key: verdict
            .rules
            .dedup_key
            .clone()
            .unwrap_or_else(|| incoming.dedup_key.clone()),
        grouping_key: paging
            .then(|| verdict.grouping(config, &fields))
            .flatten()
            .map(|(key, _)| key),
    }
}

/// Decides about one alert and applies it.
async fn apply(
    tx: &mut Tx,
    config: &Orchestration,
    firing: &[FiringAlert],
    mut incoming: IncomingAlert,
    actor: &str,
    at: Timestamp,
) -> Result<Ingested, StoreError> {
    let fields = incoming.fields();
    let verdict = verdict::decide(config, incoming.service_id, &fields, firing, None, at);
    // Routing and the dedup key apply to every action, so a resolve finds what its trigger opened.
    incoming.service_id = verdict.service;
    if let Some(dedup_key) = &verdict.rules.dedup_key {
        incoming.dedup_key = dedup_key.clone();
    }
    if incoming.action != AlertAction::Trigger {
        return alert::ingest(tx, incoming, actor, at).await;
    }
    if let Some(severity) = verdict.rules.severity {
        incoming.severity = severity;
    }
    if let Some(priority) = verdict.rules.priority {
        incoming
            .labels
            .insert("priority".into(), priority.to_string());
    }
    for tag in &verdict.rules.tags {
        incoming.labels.insert(format!("tag.{tag}"), "true".into());
    }
    match &verdict.disposition {
        Disposition::Drop { .. } => {
            alert::record_drop(tx, &incoming, &verdict.explanations, actor, at).await
        }
        Disposition::Suppress { reason } => {
            let decision = Decision {
                explanations: verdict.explanations.clone(),
                held_back: Some(reason.clone()),
                ..Decision::default()
            };
            alert::ingest_decided(tx, incoming, &decision, actor, at).await
        }
        Disposition::Page => {
            let (grouping, lifecycle) = placement_settings(config, &verdict, &fields);
            let decision = Decision {
                noise: verdict.noise_check(config, incoming.severity),
                explanations: verdict.explanations,
                held_back: None,
                grouping,
                lifecycle,
            };
            alert::ingest_decided(tx, incoming, &decision, actor, at).await
        }
    }
}

/// Where the verdict's alert is placed from: its grouping key with its service's policy (the
/// verdict's own, see `Verdict::grouping`) and its service's incident lifecycle settings.
pub fn placement_settings(
    config: &Orchestration,
    verdict: &Verdict,
    fields: &FieldMap,
) -> (Option<(String, GroupingPolicy)>, IncidentLifecycle) {
    let lifecycle = config
        .lifecycle
        .get(&verdict.service)
        .cloned()
        .unwrap_or_default();
    (verdict.grouping(config, fields), lifecycle)
}
