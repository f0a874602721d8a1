//! Ingest with its request on record, on every backend: the alert change and the intake request
//! are one write (a request that cannot be recorded undoes its alert change), and a request is
//! found only with the key that made it.
mod support;

use support::incoming;
use tocsin_domain::Timestamp;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{IntakeRequestId, IntegrationKeyId, ServiceId};
use tocsin_engine::ingest::{record_request, submit_recorded};
use tocsin_engine::orchestrator::Orchestrator;
use tocsin_store::Store;
use tocsin_store::alert::requests::{self, IntakeRequest};
use tocsin_store::alert::{self, AlertFilter, IncomingAlert};
use tocsin_testkit::db::TestDatabase;

fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

fn trigger(key: IntegrationKeyId, dedup_key: &str) -> IncomingAlert {
    IncomingAlert {
        integration_key_id: Some(key),
        source_kind: "opsgenie",
        summary: "disk full".to_owned(),
        severity: Severity::Critical,
        ..incoming(
            ServiceId(uuid::Uuid::now_v7()),
            AlertAction::Trigger,
            dedup_key,
        )
    }
}

fn request(id: IntakeRequestId, key: IntegrationKeyId, alias: &str) -> IntakeRequest {
    IntakeRequest {
        id,
        integration_key_id: key,
        action: "Create".to_owned(),
        dedup_key: alias.to_owned(),
        outcome: String::new(),
        alert_id: None,
        received_at: at(1),
    }
}

async fn story(store: &Store) {
    let key = IntegrationKeyId(uuid::Uuid::now_v7());
    let incoming = trigger(key, "disk");
    let service = incoming.service_id;
    let id = IntakeRequestId::new(at(1));
    let (ingested, recorded) = submit_recorded(
        store,
        &Orchestrator::new(),
        incoming.clone(),
        request(id, key, "disk"),
        "integration_key:test".into(),
        at(1),
    )
    .await
    .expect("ingested");
    assert_eq!(recorded.outcome, "open");
    assert_eq!(recorded.alert_id, ingested.alert_id);
    let found = requests::get(store.reader(), id, key)
        .await
        .expect("read")
        .expect("on record");
    assert_eq!(found, recorded);
    let stranger = IntegrationKeyId(uuid::Uuid::now_v7());
    assert_eq!(
        requests::get(store.reader(), id, stranger)
            .await
            .expect("read"),
        None
    );

    // The same request id again: its record is refused, so its repeat is undone with it.
    let again = submit_recorded(
        store,
        &Orchestrator::new(),
        incoming,
        request(id, key, "disk"),
        "integration_key:test".into(),
        at(2),
    )
    .await;
    assert!(again.is_err(), "a request id is recorded once");
    let filter = AlertFilter {
        service_id: Some(service),
        ..AlertFilter::default()
    };
    let alerts = alert::list(store.reader(), &filter, None, 10)
        .await
        .expect("list");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].occurrences, 1, "the repeat was rolled back");

    // A request that changed nothing is still on record.
    let missing = IntakeRequestId::new(at(3));
    let mut nothing = request(missing, key, "gone");
    nothing.action = "Close".into();
    nothing.outcome = "not_found".into();
    record_request(store, nothing.clone())
        .await
        .expect("recorded");
    assert_eq!(
        requests::get(store.reader(), missing, key)
            .await
            .expect("read"),
        Some(nothing)
    );
}

#[tokio::test]
async fn an_ingest_and_its_request_are_one_write_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        story(&store).await;
    }
}
