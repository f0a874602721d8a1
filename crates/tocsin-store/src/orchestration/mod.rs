//! What decides about incoming alerts besides deduplication: silences, maintenance windows, and
//! the configuration documents (event rules globally and per service, inhibition rules, each
//! service's grouping policy and incident lifecycle settings). `load` gathers it all into the
//! domain's `Orchestration`.
pub mod config;
pub mod maintenance;
pub mod silences;

use jiff::Timestamp;
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::inhibit::InhibitRule;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::noise::NoiseControl;
use tocsin_domain::alerting::rules::Rule;
use tocsin_domain::alerting::verdict::Orchestration;
use tocsin_domain::id::ServiceId;

use crate::Reader;
use crate::error::StoreError;

/// Everything configured that decides about alerts at `at` (expired silences left out).
pub async fn load(reader: Reader<'_>, at: Timestamp) -> Result<Orchestration, StoreError> {
    let mut orchestration = Orchestration {
        silences: silences::current(reader, at).await?,
        maintenance: maintenance::list(reader)
            .await?
            .into_iter()
            .map(|window| (window.id, window.window))
            .collect(),
        ..Orchestration::default()
    };
    for document in config::all(reader).await? {
        if document.scope == config::INHIBIT_SCOPE {
            orchestration.inhibit_rules = parse::<Vec<InhibitRule>>(&document)?;
        } else if document.scope == config::GLOBAL_RULES_SCOPE {
            orchestration.global_rules = parse::<Vec<Rule>>(&document)?;
        } else if let Some(service) = config::grouping_service_of(&document.scope) {
            orchestration
                .grouping
                .insert(ServiceId(service), parse::<GroupingPolicy>(&document)?);
        } else if let Some(service) = config::lifecycle_service_of(&document.scope) {
            orchestration
                .lifecycle
                .insert(ServiceId(service), parse::<IncidentLifecycle>(&document)?);
        } else if let Some(service) = config::noise_service_of(&document.scope) {
            orchestration
                .noise
                .insert(ServiceId(service), parse::<NoiseControl>(&document)?);
        } else if let Some(service) = config::service_of(&document.scope) {
            orchestration
                .service_rules
                .insert(ServiceId(service), parse::<Vec<Rule>>(&document)?);
        }
    }
    Ok(orchestration)
}

fn parse<T: serde::de::DeserializeOwned>(
    document: &config::ConfigDocument,
) -> Result<T, StoreError> {
    serde_json::from_value(document.definition.clone()).map_err(|e| {
        StoreError::Corrupt(format!(
            "alerting configuration {} unreadable: {e}",
            document.scope
        ))
    })
}
