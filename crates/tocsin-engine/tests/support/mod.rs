//! Helpers shared by the engine's tests.
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::ServiceId;
use tocsin_store::alert::IncomingAlert;

/// A warning from the API intake for `service` under `dedup_key`; override fields as needed.
pub fn incoming(service: ServiceId, action: AlertAction, dedup_key: &str) -> IncomingAlert {
    IncomingAlert {
        service_id: service,
        integration_key_id: None,
        source_kind: "api",
        action,
        dedup_key: dedup_key.to_owned(),
        summary: "link down".to_owned(),
        severity: Severity::Warning,
        source: None,
        component: None,
        group: None,
        class: None,
        labels: Default::default(),
        details: Default::default(),
        links: Default::default(),
        images: Default::default(),
        client: None,
        client_url: None,
        raw: "{}".to_owned(),
        action_note: None,
    }
}
