//! The alert intake story on every backend (SQLite always, PostgreSQL when
//! `TOCSIN_TEST_DATABASE_URL` is set): a trigger opens an alert and its incident, repeats count,
//! acknowledge and resolve carry to the incident, a trigger after resolve opens a new alert,
//! acknowledge/resolve without an open alert are ignored, and concurrent identical triggers make
//! exactly one alert; the per-service open-alert counter (read by intake for the open-alert cap)
//! agrees with the real count of open alert rows after every way an alert opens, changes state or
//! closes.
mod support;

use std::collections::BTreeMap;

use tocsin_domain::alerting::dedup::{AlertAction, AlertState, DedupOutcome};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::{AlertId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{self, AlertFilter, Decision, IncomingAlert, Ingested};
use tocsin_store::events::{read_stream, verify_all};
use tocsin_store::{Store, incident};
use tocsin_testkit::db::TestDatabase;

use support::{at, incoming, service};

const ACTOR: &str = "integration_key:test";

/// A PagerDuty event from db-1 with a label and a detail.
fn event(service: ServiceId, action: AlertAction, key: &str) -> IncomingAlert {
    IncomingAlert {
        source_kind: "pagerduty",
        summary: format!("disk full on {key}"),
        source: Some("db-1".into()),
        labels: BTreeMap::from([("team".to_owned(), "storage".to_owned())]),
        details: serde_json::json!({ "free": "2%" }),
        ..incoming(service, action, key)
    }
}

async fn send(store: &Store, incoming: IncomingAlert, n: i64) -> Ingested {
    store
        .write(move |tx| Box::pin(async move { alert::ingest(tx, incoming, ACTOR, at(n)).await }))
        .await
        .expect("ingested")
}

async fn lifecycle_story(store: &Store) {
    let db = service(store, "database").await;
    let opened = send(store, event(db, AlertAction::Trigger, "disk"), 1).await;
    assert_eq!(opened.outcome, DedupOutcome::Open);
    let alert_id = opened.alert_id.expect("an alert");
    let incident_id = opened.incident_id.expect("an incident");

    for n in 2..5 {
        let repeat = send(store, event(db, AlertAction::Trigger, "disk"), n).await;
        assert_eq!(repeat.outcome, DedupOutcome::Repeat);
        assert_eq!(repeat.alert_id, Some(alert_id));
    }
    let stored = alert::get(store.reader(), alert_id).await.expect("alert");
    assert_eq!(stored.occurrences, 4);
    assert_eq!((stored.first_seen_at, stored.last_seen_at), (at(1), at(4)));
    assert_eq!(stored.state, AlertState::Triggered);
    assert_eq!(stored.fields.get("team"), "storage");
    assert_eq!(stored.fields.get("details.free"), "2%");
    assert_eq!(stored.fields.get("severity"), "critical");
    assert!(
        stored.explanation[0].contains("no open alert"),
        "{:?}",
        stored.explanation
    );

    let inc = incident::get(store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Triggered);
    assert_eq!(inc.title, "disk full on disk");

    let ack = send(store, event(db, AlertAction::Acknowledge, "disk"), 5).await;
    assert_eq!(ack.outcome, DedupOutcome::Acknowledge);
    let again = send(store, event(db, AlertAction::Acknowledge, "disk"), 6).await;
    assert_eq!(again.outcome, DedupOutcome::AlreadyAcknowledged);
    let inc = incident::get(store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Acknowledged);
    assert_eq!(inc.acknowledged_at, Some(at(5)));

    let resolved = send(store, event(db, AlertAction::Resolve, "disk"), 7).await;
    assert_eq!(resolved.outcome, DedupOutcome::Resolve);
    let stored = alert::get(store.reader(), alert_id).await.expect("alert");
    assert_eq!(stored.state, AlertState::Resolved);
    assert_eq!(stored.resolved_at, Some(at(7)));
    let inc = incident::get(store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(
        (inc.status, inc.open_alert_count),
        (IncidentStatus::Resolved, 0)
    );

    // Nothing open any more: acknowledge and resolve are accepted and ignored.
    for action in [AlertAction::Acknowledge, AlertAction::Resolve] {
        let ignored = send(store, event(db, action, "disk"), 8).await;
        assert_eq!(ignored.outcome, DedupOutcome::NoOpenAlert);
        assert_eq!(ignored.alert_id, None);
    }
    // A trigger after resolve opens a new alert and a new incident.
    let reopened = send(store, event(db, AlertAction::Trigger, "disk"), 9).await;
    assert_eq!(reopened.outcome, DedupOutcome::Open);
    assert_ne!(reopened.alert_id, Some(alert_id));
    assert_ne!(reopened.incident_id, Some(incident_id));
    let second = incident::get(store.reader(), reopened.incident_id.expect("incident"))
        .await
        .expect("incident");
    assert_eq!(second.number, inc.number + 1);

    // A responder acknowledges and resolves through the API path.
    let id = reopened.alert_id.expect("alert");
    store
        .write(move |tx| {
            Box::pin(async move { alert::acknowledge(tx, id, "user:ada", at(10)).await })
        })
        .await
        .expect("acknowledged");
    store
        .write(move |tx| Box::pin(async move { alert::resolve(tx, id, "user:ada", at(11)).await }))
        .await
        .expect("resolved");
    let refused = store
        .write(move |tx| {
            Box::pin(async move { alert::acknowledge(tx, id, "user:ada", at(12)).await })
        })
        .await;
    assert!(
        matches!(refused, Err(tocsin_store::StoreError::Conflict(_))),
        "{refused:?}"
    );

    let timeline: Vec<String> = read_stream(store.reader(), incident_id.0, 0, 100)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        timeline,
        [
            "incident.opened",
            // Its automatic priority, in the same commit.
            "incident.priority_set",
            // Its service has no escalation policy: said as it opens, and no timer is armed.
            "incident.escalation_skipped",
            "incident.acknowledged",
            "incident.resolved"
        ]
    );
    let alert_events: Vec<String> = read_stream(store.reader(), alert_id.0, 0, 100)
        .await
        .expect("alert events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        alert_events,
        ["alert.triggered", "alert.acknowledged", "alert.resolved"]
    );

    let resolved_alerts = alert::list(
        store.reader(),
        &AlertFilter {
            state: Some(AlertState::Resolved),
            service_id: Some(db),
            incident_id: None,
            transient: None,
        },
        None,
        10,
    )
    .await
    .expect("list");
    assert_eq!(resolved_alerts.len(), 2);
    assert!(
        resolved_alerts[0].id > resolved_alerts[1].id,
        "newest first"
    );
}

async fn concurrency_story(store: &Store) {
    let api = service(store, "api").await;
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..64 {
        let store = store.clone();
        writers
            .spawn(async move { send(&store, event(api, AlertAction::Trigger, "same"), n).await });
    }
    let outcomes: Vec<Ingested> = writers.join_all().await;
    let opened = outcomes
        .iter()
        .filter(|o| o.outcome == DedupOutcome::Open)
        .count();
    assert_eq!(
        opened, 1,
        "exactly one of 64 concurrent identical triggers opens the alert"
    );
    let open = alert::list(
        store.reader(),
        &AlertFilter {
            service_id: Some(api),
            ..AlertFilter::default()
        },
        None,
        100,
    )
    .await
    .expect("list");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].occurrences, 64);
}

/// A cap of 3 open alerts and a reopen window, so folding and reopening both happen.
fn decision(held_back: Option<&str>) -> Decision {
    Decision {
        held_back: held_back.map(str::to_owned),
        lifecycle: IncidentLifecycle {
            max_open_alerts: 3,
            reopen_window_seconds: 600,
            ..IncidentLifecycle::default()
        },
        ..Decision::default()
    }
}

async fn send_decided(
    store: &Store,
    service: ServiceId,
    action: AlertAction,
    key: &str,
    held_back: Option<&str>,
    n: i64,
) -> Ingested {
    let incoming = event(service, action, key);
    let decision = decision(held_back);
    store
        .write(move |tx| {
            Box::pin(
                async move { alert::ingest_decided(tx, incoming, &decision, ACTOR, at(n)).await },
            )
        })
        .await
        .expect("ingested")
}

/// The counter and the real count of `service`'s open alerts are both `expected`.
async fn assert_open(store: &Store, service: ServiceId, expected: i64, step: &str) {
    let counted: Option<i64> = store
        .reader()
        .scalar_optional(
            "SELECT open_alerts FROM service_open_alerts WHERE service_id = $1",
            tocsin_store::args![service.0],
        )
        .await
        .expect("counter read");
    let real: i64 = store
        .reader()
        .scalar(
            "SELECT COUNT(*) FROM alerts WHERE service_id = $1 AND state <> 'resolved'",
            tocsin_store::args![service.0],
        )
        .await
        .expect("count read");
    assert_eq!(
        (counted.unwrap_or(0), real),
        (expected, expected),
        "after {step}: (counter, real count)"
    );
}

fn alert_of(ingested: &Ingested) -> AlertId {
    ingested.alert_id.expect("an alert")
}

async fn counter_story(store: &Store) {
    let api = service(store, "counted").await;
    let other = service(store, "counted too").await;
    assert_open(store, api, 0, "nothing yet").await;

    let first = send_decided(store, api, AlertAction::Trigger, "k1", None, 1).await;
    assert_eq!(first.outcome, DedupOutcome::Open);
    assert_open(store, api, 1, "a trigger").await;
    send_decided(store, api, AlertAction::Trigger, "k1", None, 2).await;
    assert_open(store, api, 1, "a repeat").await;

    let held = send_decided(store, api, AlertAction::Trigger, "k2", Some("silenced"), 3).await;
    assert!(held.suppressed);
    assert_open(store, api, 2, "a held-back trigger").await;
    send_decided(store, api, AlertAction::Acknowledge, "k1", None, 4).await;
    assert_open(store, api, 2, "an acknowledge").await;

    send_decided(store, api, AlertAction::Trigger, "k3", None, 5).await;
    assert_open(store, api, 3, "a trigger up to the cap").await;
    let folded = send_decided(store, api, AlertAction::Trigger, "k4", None, 6).await;
    assert_eq!(folded.outcome, DedupOutcome::Folded);
    assert_open(store, api, 3, "a trigger folded at the cap").await;

    let resolved = send_decided(store, api, AlertAction::Resolve, "k1", None, 7).await;
    assert_eq!(resolved.outcome, DedupOutcome::Resolve);
    assert_open(store, api, 2, "a resolve from the tool").await;

    let released_id = alert_of(&held);
    let released = store
        .write(move |tx| {
            Box::pin(async move {
                let lifecycle = decision(None).lifecycle;
                let settings = alert::Settings {
                    grouping: None,
                    lifecycle: &lifecycle,
                };
                alert::release_held(tx, released_id, settings, "silence ended", ACTOR, at(8)).await
            })
        })
        .await
        .expect("released");
    assert!(released.is_some());
    assert_open(store, api, 2, "a held alert released").await;

    let again = send_decided(store, api, AlertAction::Trigger, "k1", None, 9).await;
    assert_eq!(again.outcome, DedupOutcome::Open);
    assert_eq!(
        again.incident_id, first.incident_id,
        "the re-trigger reopens its incident"
    );
    let reopened = incident::get(store.reader(), again.incident_id.expect("incident"))
        .await
        .expect("incident");
    assert_eq!(reopened.open_alert_count, 1);
    assert_open(store, api, 3, "a re-trigger reopening its incident").await;

    let third = alert_of(&send_decided(store, api, AlertAction::Trigger, "k3", None, 10).await);
    store
        .write(move |tx| {
            Box::pin(async move { alert::resolve(tx, third, "user:ada", at(11)).await })
        })
        .await
        .expect("resolved");
    assert_open(store, api, 2, "a responder's resolve").await;
    store
        .write(move |tx| {
            Box::pin(async move { alert::resolve(tx, third, "user:ada", at(12)).await })
        })
        .await
        .expect("resolving again changes nothing");
    assert_open(store, api, 2, "a second resolve of a resolved alert").await;

    send_decided(store, other, AlertAction::Trigger, "k1", None, 13).await;
    assert_open(store, other, 1, "a trigger of another service").await;
    assert_open(store, api, 2, "another service's trigger").await;
}

/// A failed write's trigger effects are undone with it (the savepoint on SQLite, the
/// transaction on PostgreSQL).
async fn rollback_story(store: &Store) {
    let svc = service(store, "rolled back").await;
    let incoming = event(svc, AlertAction::Trigger, "k");
    let failed = store
        .write(move |tx| {
            Box::pin(async move {
                alert::ingest(tx, incoming, ACTOR, at(20)).await?;
                Err::<(), _>(tocsin_store::StoreError::Conflict("undo".into()))
            })
        })
        .await;
    assert!(failed.is_err());
    assert_open(store, svc, 0, "a failed write").await;
}

#[tokio::test]
async fn the_alert_story_holds_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        lifecycle_story(&store).await;
        concurrency_story(&store).await;
        counter_story(&store).await;
        rollback_story(&store).await;
        let report = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
        assert!(report.events > 10, "{report:?}");
        store.close().await;
    }
}
