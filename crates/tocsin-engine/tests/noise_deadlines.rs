//! The held worker's deadline on every backend: a transient pause's end and a flapping key's end
//! are when held alerts are next looked at, and nothing is due once they page.
mod support;

use jiff::{SignedDuration, Timestamp};
use support::incoming;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::id::ServiceId;
use tocsin_engine::held;
use tocsin_engine::ingest::submit;
use tocsin_engine::orchestrator::Orchestrator;
use tocsin_store::Store;
use tocsin_store::orchestration::config;
use tocsin_testkit::db::TestDatabase;

fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

async fn configure(store: &Store, service: ServiceId, settings: serde_json::Value) {
    let scope = config::noise_scope(service.0);
    store
        .write(move |tx| {
            Box::pin(async move { config::put(tx, &scope, &settings, None, "test", at(0)).await })
        })
        .await
        .expect("configured");
}

async fn send(store: &Store, service: ServiceId, action: AlertAction, key: &str, n: i64) {
    submit(
        store,
        &Orchestrator::new(),
        vec![incoming(service, action, key)],
        "test".into(),
        at(n),
    )
    .await
    .expect("ingested");
}

async fn story(store: &Store) {
    let paused = ServiceId(uuid::Uuid::now_v7());
    configure(
        store,
        paused,
        serde_json::json!({ "transient_pause_seconds": 90 }),
    )
    .await;
    assert_eq!(held::next_due(store, at(0)).await.expect("due"), None);
    send(store, paused, AlertAction::Trigger, "blip", 10).await;
    assert_eq!(
        held::next_due(store, at(10)).await.expect("due"),
        Some(at(100)),
        "the pause's end"
    );

    let flappy = ServiceId(uuid::Uuid::now_v7());
    configure(
        store,
        flappy,
        serde_json::json!({ "flap": { "max_changes": 1, "window_seconds": 60 } }),
    )
    .await;
    send(store, flappy, AlertAction::Trigger, "link", 20).await;
    send(store, flappy, AlertAction::Resolve, "link", 25).await;
    send(store, flappy, AlertAction::Trigger, "link", 30).await;
    // Changes at 20, 25, 30 with one allowed: flapping until 25 leaves the window at 85.
    assert_eq!(
        held::next_due(store, at(30)).await.expect("due"),
        Some(at(85)),
        "the flap's end comes before the pause's"
    );
    assert_eq!(held::reevaluate(store, at(85)).await.expect("looked"), 1);
    assert_eq!(
        held::next_due(store, at(85)).await.expect("due"),
        Some(at(100))
    );
    assert_eq!(held::reevaluate(store, at(100)).await.expect("looked"), 1);
    assert_eq!(
        held::next_due(store, at(100) + SignedDuration::from_secs(1))
            .await
            .expect("due"),
        None
    );
}

#[tokio::test]
async fn the_held_worker_wakes_at_pause_and_flap_ends_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        story(&store).await;
    }
}
