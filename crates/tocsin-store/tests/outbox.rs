//! The notification outbox on every backend (SQLite always, PostgreSQL when
//! `TOCSIN_TEST_DATABASE_URL` is set): the same key queued twice makes one row; a claim leases a
//! row under a fencing token, a claim after the lease expired takes it with the next token and the
//! old token records nothing; acknowledging cancels pending pages; resolving queues one resolution
//! notice per destination paged, exactly once, and every step is on the incident's timeline.
mod support;

use jiff::SignedDuration;
use tocsin_domain::Timestamp;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert;
use tocsin_store::events::read_stream;
use tocsin_store::outbox::{self, Claimed, NewNotification, Recorded};
use tocsin_store::{Store, StoreError, incident};
use tocsin_testkit::db::TestDatabase;
use uuid::Uuid;

use support::{at, incoming, service};

const LEASE: SignedDuration = SignedDuration::from_secs(60);

async fn open_incident(store: &Store, name: &str) -> IncidentId {
    let service = service(store, name).await;
    let incoming = incoming(service, AlertAction::Trigger, "disk");
    store
        .write(move |tx| Box::pin(async move { alert::ingest(tx, incoming, "test", at(1)).await }))
        .await
        .expect("ingested")
        .incident_id
        .expect("an incident")
}

fn page(incident: IncidentId, method: Uuid, not_before: Timestamp) -> NewNotification {
    NewNotification {
        incident_id: incident,
        user_id: None,
        contact_method_id: method,
        step_key: "c0.r0.s0".into(),
        kind: MessageKind::Page,
        urgency: Urgency::High,
        channel: Channel::Email,
        address: "ada@example.com".into(),
        secret: None,
        recipient_name: Some("Ada".into()),
        not_before,
    }
}

async fn enqueue(store: &Store, n: NewNotification) -> bool {
    store
        .write(move |tx| Box::pin(async move { outbox::enqueue(tx, n, at(2)).await }))
        .await
        .expect("enqueued")
}

async fn claim(store: &Store, node: &'static str, n: i64) -> Vec<Claimed> {
    store
        .write(move |tx| {
            Box::pin(async move { outbox::claim_due(tx, node, at(n), LEASE, 10).await })
        })
        .await
        .expect("claimed")
}

async fn record(store: &Store, claimed: &Claimed, outcome: Recorded, n: i64) -> bool {
    let (id, fence) = (claimed.id, claimed.fence);
    store
        .write(move |tx| {
            Box::pin(async move { outbox::record_outcome(tx, id, fence, outcome, at(n)).await })
        })
        .await
        .expect("recorded")
}

async fn timeline(store: &Store, incident: IncidentId) -> Vec<String> {
    read_stream(store.reader(), incident.0, 0, 1000)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn outbox_story(store: &Store) {
    let incident = open_incident(store, "payments").await;
    let ada = Uuid::now_v7();
    assert!(enqueue(store, page(incident, ada, at(2))).await);
    assert!(
        !enqueue(store, page(incident, ada, at(2))).await,
        "the same key again queues nothing"
    );

    let first = claim(store, "node-a", 3).await;
    assert_eq!(first.len(), 1, "one row for the key");
    assert_eq!(first[0].address, "ada@example.com");
    assert!(claim(store, "node-b", 4).await.is_empty(), "leased");
    let retaken = claim(store, "node-b", 3 + 61).await;
    assert_eq!(retaken.len(), 1, "the lease expired");
    assert_eq!(retaken[0].fence, first[0].fence + 1);
    let delivered = Recorded::Delivered {
        receipt: Some("250 queued".into()),
    };
    assert!(
        !record(store, &first[0], delivered.clone(), 65).await,
        "the old fence records nothing"
    );
    assert!(record(store, &retaken[0], delivered.clone(), 65).await);
    assert!(
        !record(store, &retaken[0], delivered, 66).await,
        "recorded once"
    );
    assert_eq!(
        outbox::next_due(store.reader()).await.expect("next due"),
        None
    );

    // A later page, not yet due, is cancelled when the incident is acknowledged.
    let grace = Uuid::now_v7();
    assert!(enqueue(store, page(incident, grace, at(500))).await);
    assert_eq!(
        outbox::next_due(store.reader()).await.expect("next due"),
        Some(at(500))
    );
    store
        .write(move |tx| {
            Box::pin(async move { incident::acknowledge(tx, incident, "user:ada", at(70)).await })
        })
        .await
        .expect("acknowledged");
    let again = store
        .write(move |tx| {
            Box::pin(async move { incident::acknowledge(tx, incident, "user:ada", at(71)).await })
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(c)) if c == "incident_acknowledged"));
    assert!(claim(store, "node-a", 600).await.is_empty(), "cancelled");

    // Resolving (a P2: its resolution record first) tells the one destination paged, once.
    store
        .write(move |tx| {
            Box::pin(async move {
                let strategy = tocsin_domain::incident::resolution::Strategy::Rollback;
                let why = "the bad deploy was rolled back";
                incident::record_resolution(tx, incident, strategy, why, "user:ada", at(79))
                    .await?;
                incident::resolve(tx, incident, "user:ada", at(80)).await
            })
        })
        .await
        .expect("resolved");
    let inc = incident::get(store.reader(), incident)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Resolved);
    let again = store
        .write(move |tx| {
            Box::pin(async move { incident::resolve(tx, incident, "user:ada", at(81)).await })
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(c)) if c == "incident_resolved"));
    let requeued = store
        .write(move |tx| {
            Box::pin(async move { outbox::enqueue_resolution_notices(tx, incident, at(82)).await })
        })
        .await
        .expect("requeued");
    assert_eq!(requeued, 0, "exactly once");
    let notices = claim(store, "node-a", 90).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, MessageKind::Resolved);
    assert_eq!(notices[0].contact_method_id, ada);
    let delivered = Recorded::Delivered { receipt: None };
    assert!(record(store, &notices[0], delivered, 91).await);

    let kinds = timeline(store, incident).await;
    for kind in [
        "notification.queued",
        "notification.delivered",
        "incident.acknowledged",
        "notification.canceled",
        "incident.resolved",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let queued = kinds.iter().filter(|k| *k == "notification.queued").count();
    assert_eq!(queued, 3, "two pages and one resolution notice: {kinds:?}");
}

async fn retry_story(store: &Store) {
    let incident = open_incident(store, "billing").await;
    assert!(enqueue(store, page(incident, Uuid::now_v7(), at(2))).await);
    let first = claim(store, "node-a", 3).await;
    let retry = Recorded::Retry {
        at: at(10),
        delay_ms: 7000,
        reason: "HTTP 503".into(),
    };
    assert!(record(store, &first[0], retry, 3).await);
    assert!(claim(store, "node-a", 9).await.is_empty(), "not due yet");
    let second = claim(store, "node-a", 10).await;
    assert_eq!(second[0].attempts, 1);
    assert_eq!(second[0].last_delay_ms, Some(7000));
    let failed = Recorded::Failed {
        reason: "HTTP 404".into(),
    };
    assert!(record(store, &second[0], failed, 11).await);
    assert!(
        claim(store, "node-a", 10_000).await.is_empty(),
        "failed for good"
    );
    let kinds = timeline(store, incident).await;
    assert!(kinds.contains(&"notification.attempt_failed".to_owned()));
    assert!(kinds.contains(&"notification.failed".to_owned()));
    let stream = read_stream(store.reader(), incident.0, 0, 1000)
        .await
        .expect("timeline");
    let failed = stream
        .iter()
        .find(|e| e.kind == "notification.failed")
        .expect("failed event");
    assert_eq!(failed.payload["attempt"], 2);
    assert_eq!(failed.payload["address"], "a***@example.com");
}

#[tokio::test]
async fn the_outbox_story_holds_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        outbox_story(&store).await;
        retry_story(&store).await;
    }
}
