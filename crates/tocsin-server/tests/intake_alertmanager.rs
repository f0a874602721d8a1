//! The Alertmanager webhook over HTTP: firing opens an alert and its incident, a repeat counts,
//! resolved resolves both, a large notification is one batch; bad keys, wrong-kind keys, invalid
//! fields and oversized bodies are refused as problems.
use serde_json::{Value, json};
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{Alert, AlertFilter};
use tocsin_testkit::{TestApp, TestIntake, TestResponse, spawn_app};

fn path(secret: &str) -> String {
    format!("/api/v1/integrations/{secret}/alertmanager")
}

fn alert(status: &str, fingerprint: &str, instance: &str) -> Value {
    json!({
        "status": status,
        "labels": { "alertname": "InstanceDown", "instance": instance, "job": "node",
                    "severity": "warning" },
        "annotations": { "summary": format!("{instance} is down") },
        "startsAt": "2026-11-27T11:55:00Z",
        "endsAt": if status == "firing" { "0001-01-01T00:00:00Z" } else { "2026-11-27T11:59:00Z" },
        "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0",
        "fingerprint": fingerprint
    })
}

fn notification(alerts: Vec<Value>) -> Value {
    json!({
        "version": "4",
        "groupKey": "{}:{alertname=\"InstanceDown\"}",
        "truncatedAlerts": 0,
        "status": alerts[0]["status"],
        "receiver": "tocsin",
        "groupLabels": { "alertname": "InstanceDown" },
        "commonLabels": { "alertname": "InstanceDown" },
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": alerts
    })
}

async fn alerts_of(app: &TestApp, intake: &TestIntake) -> Vec<Alert> {
    let filter = AlertFilter {
        service_id: Some(intake.service_id),
        ..AlertFilter::default()
    };
    tocsin_store::alert::list(app.store.reader(), &filter, None, 1000)
        .await
        .expect("list alerts")
}

#[track_caller]
fn assert_problem(response: &TestResponse, status: u16, slug: &str) {
    assert_eq!(response.status, status, "body: {}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(response.json()["type"], format!("/problems/{slug}"));
}

#[tokio::test]
async fn firing_opens_a_repeat_counts_and_resolved_resolves() {
    let app = spawn_app().await;
    let intake = app.intake("Databases", "alertmanager").await;
    let client = app.anonymous();
    let firing = notification(vec![alert("firing", "a1b2c3d4e5f60718", "db-1:9100")]);

    let answer = client
        .post(&path(&intake.secret), &firing)
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer, json!({ "status": "success", "alerts": 1 }));
    let alerts = alerts_of(&app, &intake).await;
    assert_eq!(alerts.len(), 1);
    let opened = &alerts[0];
    assert_eq!(opened.state, AlertState::Triggered);
    assert_eq!(opened.source_kind, "alertmanager");
    assert_eq!(opened.dedup_key, "a1b2c3d4e5f60718");
    assert_eq!(opened.summary, "db-1:9100 is down");
    assert_eq!(opened.severity, Severity::Warning);
    assert_eq!(opened.source.as_deref(), Some("db-1:9100"));
    assert_eq!(
        opened.fields.get("job"),
        "node",
        "labels are matchable fields"
    );
    assert_eq!(opened.details["receiver"], "tocsin");
    assert_eq!(
        opened.links[0]["href"],
        "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0"
    );
    let incident_id = opened.incident_id.expect("the alert opened an incident");

    client
        .post(&path(&intake.secret), &firing)
        .await
        .expect_status(200);
    let repeated = alerts_of(&app, &intake).await;
    assert_eq!(repeated.len(), 1, "a repeat does not open a second alert");
    assert_eq!(repeated[0].occurrences, 2);

    let resolved = notification(vec![alert("resolved", "a1b2c3d4e5f60718", "db-1:9100")]);
    client
        .post(&path(&intake.secret), &resolved)
        .await
        .expect_status(200);
    let after = alerts_of(&app, &intake).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].state, AlertState::Resolved);
    let incident = tocsin_store::incident::get(app.store.reader(), incident_id)
        .await
        .expect("the incident");
    assert_eq!(incident.status, IncidentStatus::Resolved);
    app.shutdown().await;
}

#[tokio::test]
async fn a_notification_of_100_alerts_makes_100_alerts() {
    let app = spawn_app().await;
    let intake = app.intake("Fleet", "alertmanager").await;
    let alerts: Vec<Value> = (0..100)
        .map(|n| alert("firing", &format!("fp{n:03}"), &format!("node-{n}:9100")))
        .collect();
    let answer = app
        .anonymous()
        .post(&path(&intake.secret), &notification(alerts))
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["alerts"], 100);
    let stored = alerts_of(&app, &intake).await;
    assert_eq!(stored.len(), 100);
    assert!(
        stored
            .iter()
            .all(|a| a.state == AlertState::Triggered && a.occurrences == 1)
    );
    app.shutdown().await;
}

#[tokio::test]
async fn unknown_and_wrong_kind_keys_are_not_found() {
    let app = spawn_app().await;
    let pagerduty = app.intake("Payments", "pagerduty").await;
    let body = notification(vec![alert("firing", "f", "x:1")]);
    let client = app.anonymous();
    let unknown = client.post(&path("no-such-key"), &body).await;
    assert_problem(&unknown, 404, "not-found");
    let wrong_kind = client.post(&path(&pagerduty.secret), &body).await;
    assert_problem(&wrong_kind, 404, "not-found");
    assert!(alerts_of(&app, &pagerduty).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_key_revoked_right_after_use_is_refused_on_the_next_request() {
    let app = spawn_app().await;
    let intake = app.intake("Edge", "alertmanager").await;
    let body = notification(vec![alert("firing", "edge1", "edge-1:9100")]);
    let client = app.anonymous();
    client
        .post(&path(&intake.secret), &body)
        .await
        .expect_status(200);
    let keys_path = format!("/api/v1/services/{}/integration-keys", intake.service_id);
    let keys = app.owner().get(&keys_path).await.expect_status(200).json();
    let key_id = keys["items"][0]["id"].as_str().expect("the key's id");
    app.owner()
        .delete(&format!("{keys_path}/{key_id}"))
        .await
        .expect_status(204);
    let refused = client.post(&path(&intake.secret), &body).await;
    assert_problem(&refused, 404, "not-found");
    app.shutdown().await;
}

#[tokio::test]
async fn invalid_fields_are_named_and_nothing_is_stored() {
    let app = spawn_app().await;
    let intake = app.intake("Search", "alertmanager").await;
    let mut body = notification(vec![
        alert("pending", "f1", "a:1"),
        alert("firing", "f2", "b:1"),
    ]);
    body["alerts"][1]["startsAt"] = json!("not a time");
    let client = app.anonymous();
    let answer = client.post(&path(&intake.secret), &body).await;
    assert_problem(&answer, 400, "invalid-event");
    let problem = answer.json();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/alerts/0/status", "/alerts/1/startsAt"]);
    assert!(
        alerts_of(&app, &intake).await.is_empty(),
        "a notification with an invalid alert is refused whole"
    );

    let malformed = client
        .send(
            reqwest::Method::POST,
            &path(&intake.secret),
            Some(("application/json", b"{\"alerts\": [".to_vec())),
            &[],
        )
        .await;
    assert_problem(&malformed, 400, "malformed-json");
    app.shutdown().await;
}

#[tokio::test]
async fn a_body_over_512_kib_is_too_large() {
    let app = spawn_app().await;
    let intake = app.intake("Logs", "alertmanager").await;
    let mut body = notification(vec![alert("firing", "big", "a:1")]);
    body["alerts"][0]["annotations"]["description"] = json!("x".repeat(512 * 1024));
    let answer = app.anonymous().post(&path(&intake.secret), &body).await;
    assert_problem(&answer, 413, "payload-too-large");
    assert!(alerts_of(&app, &intake).await.is_empty());
    app.shutdown().await;
}
