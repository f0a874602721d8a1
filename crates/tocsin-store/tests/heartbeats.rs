//! The heartbeat story on every backend (SQLite always, PostgreSQL when
//! `TOCSIN_TEST_DATABASE_URL` is set): a heartbeat waits for its first ping, an expiry before its
//! deadline does nothing, after it the heartbeat goes down with one alert and incident, a repeated
//! expiry opens nothing more, the next ping resolves both, and changes are versioned.
mod support;

use tocsin_domain::alerting::dedup::{AlertState, DedupOutcome};
use tocsin_domain::alerting::heartbeat::HeartbeatState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{HeartbeatId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{self, AlertFilter};
use tocsin_store::events::{read_stream, verify_all};
use tocsin_store::heartbeat::{self, Expired, Heartbeat, HeartbeatPatch, NewHeartbeat, Pinged};
use tocsin_store::{Store, StoreError, incident};
use tocsin_testkit::db::TestDatabase;

use support::{at, service};

const ACTOR: &str = "user:test";

async fn create(store: &Store, service: ServiceId, secret: &str) -> Heartbeat {
    let new = NewHeartbeat {
        name: "nightly".into(),
        secret: secret.into(),
        interval_secs: 60,
        grace_secs: 30,
        severity: Severity::Warning,
    };
    store
        .write(move |tx| {
            Box::pin(async move { heartbeat::create(tx, service, new, ACTOR, at(0)).await })
        })
        .await
        .expect("heartbeat created")
}

async fn ping(store: &Store, secret: &str, n: i64) -> Option<Pinged> {
    let secret = secret.to_owned();
    store
        .write(move |tx| Box::pin(async move { heartbeat::ping(tx, &secret, at(n)).await }))
        .await
        .expect("ping applied")
}

async fn expire(store: &Store, n: i64) -> Vec<Expired> {
    store
        .write(move |tx| Box::pin(async move { heartbeat::expire_due(tx, at(n)).await }))
        .await
        .expect("expiry applied")
}

async fn get(store: &Store, hb: &Heartbeat) -> Heartbeat {
    heartbeat::get(store.reader(), hb.service_id, hb.id)
        .await
        .expect("heartbeat")
}

async fn missed_to_recovered_story(store: &Store) {
    let svc = service(store, "backups").await;
    let hb = create(store, svc, "hb_story").await;
    assert_eq!(hb.state, HeartbeatState::Waiting);
    assert_eq!(hb.due_at, at(90), "creation + interval + grace");
    assert_eq!(hb.dedup_key, format!("heartbeat:{}", hb.id));
    assert_eq!(
        heartbeat::next_due(store.reader()).await.expect("next"),
        Some(at(90))
    );

    let first = ping(store, "hb_story", 50).await.expect("known key");
    assert_eq!(first.previous, HeartbeatState::Waiting);
    assert_eq!(first.heartbeat.state, HeartbeatState::Up);
    assert_eq!(first.heartbeat.last_ping_at, Some(at(50)));
    assert_eq!(first.heartbeat.due_at, at(140));
    assert_eq!(first.resolved, None);
    assert!(ping(store, "hb_unknown", 50).await.is_none());

    // Before the deadline (and exactly one second before it) nothing happens.
    assert!(expire(store, 100).await.is_empty());
    assert!(expire(store, 139).await.is_empty());
    assert_eq!(get(store, &hb).await.state, HeartbeatState::Up);

    // At the deadline the heartbeat goes down, with one alert and its incident.
    let expired = expire(store, 140).await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].heartbeat_id, hb.id);
    let alert_id = expired[0].alert_id.expect("an alert");
    let incident_id = expired[0].incident_id.expect("an incident");
    let down = get(store, &hb).await;
    assert_eq!(down.state, HeartbeatState::Down);
    assert_eq!(
        heartbeat::next_due(store.reader()).await.expect("next"),
        None
    );
    let opened = alert::get(store.reader(), alert_id).await.expect("alert");
    assert_eq!(opened.state, AlertState::Triggered);
    assert_eq!(opened.source_kind, "heartbeat");
    assert_eq!(opened.severity, Severity::Warning);
    assert_eq!(opened.dedup_key, hb.dedup_key);
    assert_eq!(
        opened.summary,
        "Heartbeat nightly missed: no ping for 1m 30s"
    );
    let inc = incident::get(store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Triggered);

    // Expiring again opens nothing more.
    assert!(expire(store, 200).await.is_empty());
    assert!(expire(store, 10_000).await.is_empty());
    let filter = AlertFilter {
        service_id: Some(svc),
        ..AlertFilter::default()
    };
    let all = alert::list(store.reader(), &filter, None, 10)
        .await
        .expect("alerts");
    assert_eq!(all.len(), 1, "one alert for one missed deadline");

    // The next ping resolves the alert and its incident, and the deadline runs again.
    let back = ping(store, "hb_story", 10_001).await.expect("known key");
    assert_eq!(back.previous, HeartbeatState::Down);
    assert_eq!(back.heartbeat.state, HeartbeatState::Up);
    let resolved = back.resolved.expect("a resolve");
    assert_eq!(
        (resolved.outcome, resolved.alert_id),
        (DedupOutcome::Resolve, Some(alert_id))
    );
    let closed = alert::get(store.reader(), alert_id).await.expect("alert");
    assert_eq!(
        (closed.state, closed.resolved_at),
        (AlertState::Resolved, Some(at(10_001)))
    );
    let inc = incident::get(store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Resolved);
    assert_eq!(
        heartbeat::next_due(store.reader()).await.expect("next"),
        Some(at(10_091))
    );

    let kinds: Vec<String> = read_stream(store.reader(), hb.id.0, 0, 100)
        .await
        .expect("stream")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "heartbeat.created",
            "heartbeat.up",
            "heartbeat.missed",
            "heartbeat.recovered"
        ]
    );
}

async fn configuration_story(store: &Store) {
    let svc = service(store, "reports").await;
    let hb = create(store, svc, "hb_config").await;
    ping(store, "hb_config", 10).await.expect("known key");
    let patch = HeartbeatPatch {
        interval_secs: Some(3600),
        grace_secs: Some(0),
        ..HeartbeatPatch::default()
    };
    let (service_id, id) = (hb.service_id, hb.id);
    let stale = store
        .write(move |tx| {
            let patch = patch.clone();
            Box::pin(async move {
                heartbeat::update(tx, service_id, id, patch, Some(7), ACTOR, at(20)).await
            })
        })
        .await;
    assert!(
        matches!(stale, Err(StoreError::StaleVersion { current: 1 })),
        "{stale:?}"
    );
    let patch = HeartbeatPatch {
        interval_secs: Some(3600),
        grace_secs: Some(0),
        ..HeartbeatPatch::default()
    };
    let updated = store
        .write(move |tx| {
            let patch = patch.clone();
            Box::pin(async move {
                heartbeat::update(tx, service_id, id, patch, Some(1), ACTOR, at(20)).await
            })
        })
        .await
        .expect("updated");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.due_at, at(3610), "recomputed from the last ping");
    assert!(expire(store, 3609).await.is_empty());

    // Another service's id does not reach it; delete removes it.
    let other = HeartbeatId::new(at(0));
    let missing = heartbeat::get(store.reader(), svc, other).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    store
        .write(move |tx| {
            Box::pin(
                async move { heartbeat::delete(tx, service_id, id, Some(2), ACTOR, at(30)).await },
            )
        })
        .await
        .expect("deleted");
    assert!(
        heartbeat::list(store.reader(), svc)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(ping(store, "hb_config", 40).await.is_none());

    // Deleting a heartbeat that is down resolves its alert: nothing else ever would.
    let doomed = create(store, svc, "hb_doomed").await;
    let expired = expire(store, 5_000).await;
    assert_eq!(expired.len(), 1);
    let alert_id = expired[0].alert_id.expect("an alert");
    let (service_id, id) = (doomed.service_id, doomed.id);
    store
        .write(move |tx| {
            Box::pin(
                async move { heartbeat::delete(tx, service_id, id, None, ACTOR, at(5_001)).await },
            )
        })
        .await
        .expect("deleted");
    let closed = alert::get(store.reader(), alert_id).await.expect("alert");
    assert_eq!(closed.state, AlertState::Resolved);
}

#[tokio::test]
async fn the_heartbeat_story_holds_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        missed_to_recovered_story(&store).await;
        configuration_story(&store).await;
        verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
        store.close().await;
    }
}
