//! Writes that take the per-service open-alert counter and incident locks (a trigger opening or
//! joining an incident, a resolve, both in one write) running concurrently never deadlock and all
//! commit (the lock order of `alert::locks`; on SQLite the single writer makes this trivially
//! true); and a held-back alert released later is placed exactly as a fresh trigger is: into the
//! open incident of its grouping key, back into its incident within the reopen window, into the
//! storm's incident at the open-alert cap.
mod support;

use tocsin_domain::alerting::dedup::{AlertAction, DedupOutcome};
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{self, BatchKey, Decision, IncomingAlert, Ingested, Settings};
use tocsin_store::{Store, StoreError, incident};
use tocsin_testkit::db::TestDatabase;

use support::{at, incoming as event, service};

const ACTOR: &str = "integration_key:test";
const ROUNDS: i64 = 200;

fn grouped(key: &str) -> Option<(String, GroupingPolicy)> {
    let policy = GroupingPolicy::TimeWindow {
        window_seconds: 3600,
        group_wait_seconds: None,
    };
    Some((key.to_owned(), policy))
}

fn decision(grouping: Option<(String, GroupingPolicy)>, held_back: Option<&str>) -> Decision {
    Decision {
        grouping,
        held_back: held_back.map(str::to_owned),
        ..Decision::default()
    }
}

/// Applies `events` (event, decision) in one write; with `batch`, taking their locks up front as
/// the engine's webhook batches do (`alert::lock_batch`).
async fn write(
    store: &Store,
    events: Vec<(IncomingAlert, Decision)>,
    batch: bool,
    n: i64,
) -> Result<Vec<Ingested>, StoreError> {
    store
        .write(move |tx| {
            Box::pin(async move {
                if batch {
                    let keys: Vec<BatchKey> = events
                        .iter()
                        .map(|(incoming, decision)| BatchKey {
                            service: incoming.service_id,
                            dedup_key: incoming.dedup_key.clone(),
                            grouping_key: decision.grouping.as_ref().map(|(key, _)| key.clone()),
                        })
                        .collect();
                    alert::lock_batch(tx, &keys).await?;
                }
                let mut outcomes = Vec::new();
                for (incoming, decision) in events {
                    outcomes
                        .push(alert::ingest_decided(tx, incoming, &decision, ACTOR, at(n)).await?);
                }
                Ok(outcomes)
            })
        })
        .await
}

async fn count(store: &Store, sql: &'static str, service: ServiceId) -> i64 {
    store
        .reader()
        .scalar(sql, tocsin_store::args![service.0])
        .await
        .expect("count")
}

/// Writer A triggers new keys, every other one opening an incident of its own (the incident-number
/// lock, then the counter row, before the fix) and the others joining the grouping key's incident
/// (its row, then the counter row); writer B, in each write, resolves its previous alert (the
/// counter row, then the incident row) and triggers the next one into the same grouping key
/// (joining, or opening a new incident once the old one resolved: the number lock), every other
/// write with its locks taken up front as the engine's webhook batches do. Before the lock order,
/// PostgreSQL answered many of these writes with `deadlock detected`.
async fn concurrent_story(store: &Store) {
    let svc = service(store, "contended").await;
    let writer_a = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..ROUNDS {
                let grouping = if i % 2 == 0 { None } else { grouped("g") };
                let events = vec![(
                    event(svc, AlertAction::Trigger, &format!("a{i}")),
                    decision(grouping, None),
                )];
                if let Err(error) = write(&store, events, false, i).await {
                    failures.push(error.to_string());
                }
            }
            failures
        })
    };
    let writer_b = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..ROUNDS {
                let mut events = Vec::new();
                if i > 0 {
                    let previous = format!("b{}", i - 1);
                    events.push((
                        event(svc, AlertAction::Resolve, &previous),
                        decision(None, None),
                    ));
                }
                events.push((
                    event(svc, AlertAction::Trigger, &format!("b{i}")),
                    decision(grouped("g"), None),
                ));
                if let Err(error) = write(&store, events, i % 2 == 1, i).await {
                    failures.push(error.to_string());
                }
            }
            failures
        })
    };
    let (a, b) = (
        writer_a.await.expect("writer A"),
        writer_b.await.expect("writer B"),
    );
    assert!(a.is_empty() && b.is_empty(), "failed writes: {a:?} {b:?}");
    let alerts = count(
        store,
        "SELECT COUNT(*) FROM alerts WHERE service_id = $1",
        svc,
    )
    .await;
    assert_eq!(alerts, 2 * ROUNDS, "every trigger committed");
    let open = count(
        store,
        "SELECT COUNT(*) FROM alerts WHERE service_id = $1 AND state <> 'resolved'",
        svc,
    )
    .await;
    assert_eq!(
        open,
        ROUNDS + 1,
        "every resolve committed (b's last stays open)"
    );
    let counted = count(
        store,
        "SELECT open_alerts FROM service_open_alerts WHERE service_id = $1",
        svc,
    )
    .await;
    assert_eq!(counted, open, "the counter agrees with the alerts");
    let own = count(
        store,
        "SELECT COUNT(*) FROM incidents WHERE service_id = $1 AND grouping_key IS NULL",
        svc,
    )
    .await;
    assert_eq!(
        own,
        ROUNDS / 2,
        "each ungrouped trigger opened its incident"
    );
    let numbers = count(
        store,
        "SELECT COUNT(DISTINCT number) - COUNT(*) FROM incidents WHERE service_id = $1",
        svc,
    )
    .await;
    assert_eq!(numbers, 0, "incident numbers stay unique");
}

async fn trigger(store: &Store, svc: ServiceId, key: &str, decided: Decision, n: i64) -> Ingested {
    let incoming = event(svc, AlertAction::Trigger, key);
    let mut outcomes = write(store, vec![(incoming, decided)], false, n)
        .await
        .expect("written");
    outcomes.pop().expect("one outcome")
}

async fn release(
    store: &Store,
    id: AlertId,
    grouping: Option<(String, GroupingPolicy)>,
    lifecycle: IncidentLifecycle,
    n: i64,
) -> IncidentId {
    store
        .write(move |tx| {
            Box::pin(async move {
                let settings = Settings {
                    grouping: grouping.as_ref(),
                    lifecycle: &lifecycle,
                };
                alert::release_held(tx, id, settings, "silence ended", ACTOR, at(n)).await
            })
        })
        .await
        .expect("released")
        .expect("it was held")
}

async fn held(store: &Store, svc: ServiceId, key: &str, n: i64) -> AlertId {
    let ingested = trigger(store, svc, key, decision(None, Some("silenced")), n).await;
    assert!(ingested.suppressed);
    ingested.alert_id.expect("stored")
}

async fn explanation(store: &Store, id: AlertId) -> Vec<String> {
    alert::get(store.reader(), id)
        .await
        .expect("alert")
        .explanation
}

async fn released_into_the_grouping_keys_incident(store: &Store) {
    let svc = service(store, "grouped release").await;
    let first = trigger(store, svc, "k1", decision(grouped("g"), None), 1).await;
    let open = first.incident_id.expect("an incident");
    let waiting = held(store, svc, "k2", 2).await;
    let joined = release(
        store,
        waiting,
        grouped("g"),
        IncidentLifecycle::default(),
        3,
    )
    .await;
    assert_eq!(
        joined, open,
        "it joins the open incident of its grouping key"
    );
    let incident = incident::get(store.reader(), open).await.expect("incident");
    assert_eq!((incident.alert_count, incident.open_alert_count), (2, 2));
    let words = explanation(store, waiting).await;
    assert!(
        words
            .iter()
            .any(|w| w.contains(&format!("joined incident #{}", incident.number))),
        "{words:?}"
    );
}

async fn released_within_the_reopen_window(store: &Store) {
    let svc = service(store, "reopened release").await;
    let lifecycle = IncidentLifecycle {
        reopen_window_seconds: 600,
        ..IncidentLifecycle::default()
    };
    let with_reopen = || Decision {
        lifecycle: lifecycle.clone(),
        ..Decision::default()
    };
    let first = trigger(store, svc, "k", with_reopen(), 10).await;
    let old = first.incident_id.expect("an incident");
    let resolve = event(svc, AlertAction::Resolve, "k");
    write(store, vec![(resolve, with_reopen())], false, 11)
        .await
        .expect("resolved");
    let resolved = incident::get(store.reader(), old).await.expect("incident");
    assert_eq!(resolved.status, IncidentStatus::Resolved);

    let waiting = held(store, svc, "k", 12).await;
    let placed = release(store, waiting, None, lifecycle.clone(), 60).await;
    assert_eq!(
        placed, old,
        "re-fired within the reopen window: its incident reopens"
    );
    let reopened = incident::get(store.reader(), old).await.expect("incident");
    assert_eq!(reopened.status, IncidentStatus::Triggered);
    assert_eq!(reopened.open_alert_count, 1);
}

async fn released_at_the_cap(store: &Store) {
    let svc = service(store, "capped release").await;
    let waiting = held(store, svc, "quiet", 20).await;
    trigger(store, svc, "x1", Decision::default(), 21).await;
    let latest = trigger(store, svc, "x2", Decision::default(), 22).await;
    let latest = latest.incident_id.expect("an incident");
    // The cap was lowered while the alert was held: two others are open, the cap is two.
    let capped = IncidentLifecycle {
        max_open_alerts: 2,
        ..IncidentLifecycle::default()
    };
    let placed = release(store, waiting, None, capped, 23).await;
    assert_eq!(
        placed, latest,
        "at the cap it joins the storm's incident, opening none"
    );
    let opened = count(
        store,
        "SELECT COUNT(*) FROM incidents WHERE service_id = $1",
        svc,
    )
    .await;
    assert_eq!(opened, 2);
    let words = explanation(store, waiting).await;
    assert!(
        words.iter().any(|w| w.contains("at its cap of 2")),
        "{words:?}"
    );
    let fresh = trigger(store, svc, "x3", decision(None, None), 24).await;
    assert_eq!(fresh.outcome, DedupOutcome::Open, "the default cap is far");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_triggers_and_resolves_never_deadlock() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        concurrent_story(&store).await;
        store.close().await;
    }
}

#[tokio::test]
async fn a_released_alert_is_placed_as_a_fresh_trigger_is() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        released_into_the_grouping_keys_incident(&store).await;
        released_within_the_reopen_window(&store).await;
        released_at_the_cap(&store).await;
        store.close().await;
    }
}
