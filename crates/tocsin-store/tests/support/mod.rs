//! Helpers shared by the store's tests: instants, services and a plain alert event.
#![allow(dead_code)] // each test binary uses some of them

use std::collections::BTreeMap;

use tocsin_domain::Timestamp;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::ServiceId;
use tocsin_domain::values::{Description, Name, Tier};
use tocsin_store::Store;
use tocsin_store::alert::IncomingAlert;
use tocsin_store::catalog::{NewService, create_service};

/// `n` seconds after a fixed instant.
pub fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

/// A new service named `name`, created at `at(0)`.
pub async fn service(store: &Store, name: &str) -> ServiceId {
    let new = NewService {
        name: Name::parse(name).expect("valid"),
        description: Description::parse("").expect("valid"),
        team_id: None,
        tier: Tier::parse(1).expect("valid"),
        runbook_url: None,
        tags: vec![],
        depends_on: vec![],
    };
    store
        .write(move |tx| Box::pin(async move { create_service(tx, new, "user:test", at(0)).await }))
        .await
        .expect("service created")
        .id
}

/// A critical `generic` event for `service` under `key`, summary "<key> failing", no details.
pub fn incoming(service: ServiceId, action: AlertAction, key: &str) -> IncomingAlert {
    IncomingAlert {
        service_id: service,
        integration_key_id: None,
        source_kind: "generic",
        action,
        dedup_key: key.to_owned(),
        summary: format!("{key} failing"),
        severity: Severity::Critical,
        source: None,
        component: None,
        group: None,
        class: None,
        labels: BTreeMap::new(),
        details: serde_json::json!({}),
        links: serde_json::json!([]),
        images: serde_json::json!([]),
        client: None,
        client_url: None,
        raw: "{}".into(),
        action_note: None,
    }
}
