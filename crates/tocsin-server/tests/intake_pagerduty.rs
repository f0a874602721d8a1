//! PagerDuty Events API v2 over HTTP, as a PagerDuty client library would call it: PagerDuty's
//! documented example opens an alert and incident, answers in PagerDuty's shapes (202, 400 with
//! `errors`, 404 for unknown keys, 413, 429 with Retry-After), dedups, acknowledges and resolves;
//! change events land on the service; the alerts and incidents API reads the result.
use reqwest::Method;
use serde_json::{Value, json};
use tocsin_server::ServerConfig;
use tocsin_server::ingest::gate::IntakeLimits;
use tocsin_testkit::db::TestDatabase;
use tocsin_testkit::{TestApp, spawn_app};

/// A service with an integration key of `kind`; returns (service id, secret).
async fn service_with_key(app: &TestApp, name: &str, kind: &str) -> (String, String) {
    let owner = app.owner();
    let service = owner
        .post("/api/v1/services", &json!({ "name": name }))
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({ "name": "monitoring", "kind": kind }),
        )
        .await
        .expect_status(201)
        .json();
    (service, key["secret"].as_str().expect("secret").to_owned())
}

fn trigger(key: &str, dedup_key: Option<&str>) -> Value {
    let mut event = json!({
      "payload": {
        "summary": "DISK at 99% on machine prod-datapipe03.example.com",
        "timestamp": "2015-07-17T08:42:58.315+0000",
        "severity": "critical",
        "source": "prod-datapipe03.example.com",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
        "custom_details": { "free space": "1%", "ping time": "1500ms", "load avg": 0.75 }
      },
      "routing_key": key,
      "links": [{ "href": "https://example.com/", "text": "Link text" }],
      "event_action": "trigger",
      "client": "Sample Monitoring Service",
      "client_url": "https://monitoring.example.com"
    });
    if let Some(dedup_key) = dedup_key {
        event["dedup_key"] = json!(dedup_key);
    }
    event
}

fn action(key: &str, action: &str, dedup_key: &str) -> Value {
    json!({ "routing_key": key, "event_action": action, "dedup_key": dedup_key })
}

#[tokio::test]
async fn a_pagerduty_client_opens_dedups_acknowledges_and_resolves() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "datapipe", "pagerduty").await;
    let intake = app.anonymous();

    let accepted = intake
        .post("/v2/enqueue", &trigger(&key, None))
        .await
        .expect_status(202);
    let body = accepted.json();
    assert_eq!(body["status"], "success");
    assert_eq!(body["message"], "Event processed");
    let dedup_key = body["dedup_key"]
        .as_str()
        .expect("a generated dedup key")
        .to_owned();
    assert_eq!(dedup_key.len(), 32);

    // The same key twice more: one alert, three occurrences.
    for _ in 0..2 {
        let again = intake
            .post("/v2/enqueue", &trigger(&key, Some(&dedup_key)))
            .await
            .expect_status(202);
        assert_eq!(again.json()["dedup_key"], dedup_key.as_str());
    }
    let owner = app.owner();
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(alerts["items"].as_array().map(Vec::len), Some(1));
    let alert = &alerts["items"][0];
    assert_eq!(alert["occurrences"], 3);
    assert_eq!(alert["state"], "triggered");
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["component"], "mysql");
    assert_eq!(alert["details"]["free space"], "1%");
    assert_eq!(alert["fields"]["details.free space"], "1%");
    assert_eq!(alert["client"], "Sample Monitoring Service");
    assert!(
        alert["raw"]
            .as_str()
            .expect("raw")
            .contains("prod-datapipe03")
    );
    let alert_id = alert["id"].as_str().expect("id").to_owned();
    let incident_id = alert["incident_id"].as_str().expect("incident").to_owned();
    let incident = owner
        .get(&format!("/api/v1/incidents/{incident_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(incident["status"], "triggered");
    assert_eq!(
        incident["title"],
        "DISK at 99% on machine prod-datapipe03.example.com"
    );

    intake
        .post("/v2/enqueue", &action(&key, "acknowledge", &dedup_key))
        .await
        .expect_status(202);
    let incident = owner
        .get(&format!("/api/v1/incidents/{incident_id}"))
        .await
        .json();
    assert_eq!(incident["status"], "acknowledged");
    intake
        .post("/v2/enqueue", &action(&key, "resolve", &dedup_key))
        .await
        .expect_status(202);
    let alert = owner
        .get(&format!("/api/v1/alerts/{alert_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(alert["state"], "resolved");
    assert_eq!(
        alert["explanation"].as_array().map(Vec::len),
        Some(4),
        "opened, incident, acknowledged, resolved: {alert}"
    );
    let timeline = owner
        .get(&format!("/api/v1/incidents/{incident_id}/events"))
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
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

    // Resolve after resolve is accepted and changes nothing; a new trigger opens a new alert.
    intake
        .post("/v2/enqueue", &action(&key, "resolve", &dedup_key))
        .await
        .expect_status(202);
    intake
        .post("/v2/enqueue", &trigger(&key, Some(&dedup_key)))
        .await
        .expect_status(202);
    let open = owner
        .get(&format!(
            "/api/v1/alerts?service_id={service}&state=triggered"
        ))
        .await
        .json();
    assert_eq!(open["items"].as_array().map(Vec::len), Some(1));
    assert_ne!(open["items"][0]["id"], alert_id.as_str());
    app.shutdown().await;
}

#[tokio::test]
async fn bad_events_get_pagerduty_shaped_errors_naming_the_field() {
    let app = spawn_app().await;
    let (_, key) = service_with_key(&app, "errors", "pagerduty").await;
    let (_, other_kind) = service_with_key(&app, "other", "alertmanager").await;
    let intake = app.anonymous();

    let mut bad = trigger(&key, Some("x"));
    bad["payload"]["severity"] = json!("severe");
    bad["payload"]["summary"] = json!("s".repeat(1025));
    let refused = intake.post("/v2/enqueue", &bad).await.expect_status(400);
    let body = refused.json();
    assert_eq!(body["status"], "invalid event");
    let errors: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("payload.summary")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("payload.severity")),
        "{errors:?}"
    );

    let malformed = intake
        .send(
            Method::POST,
            "/v2/enqueue",
            Some(("application/json", b"{not json".to_vec())),
            &[],
        )
        .await
        .expect_status(400);
    assert_eq!(malformed.json()["status"], "invalid event");

    for unknown in ["no-such-key", other_kind.as_str()] {
        let missing = intake
            .post("/v2/enqueue", &trigger(unknown, None))
            .await
            .expect_status(404);
        assert_eq!(missing.json()["errors"][0], "Invalid routing key");
    }
    let missing_key = intake
        .post("/v2/enqueue", &json!({ "event_action": "trigger" }))
        .await
        .expect_status(400);
    assert!(missing_key.text.contains("routing_key"));

    let mut huge = trigger(&key, Some("huge"));
    huge["payload"]["custom_details"] = json!({ "blob": "x".repeat(600 * 1024) });
    intake.post("/v2/enqueue", &huge).await.expect_status(413);
    app.shutdown().await;
}

#[tokio::test]
async fn change_events_are_recorded_on_the_service_timeline() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "builds", "pagerduty").await;
    let change = json!({
        "routing_key": key,
        "payload": {
            "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
            "timestamp": "2020-07-17T08:42:58.315+0000",
            "source": "acme-build-pipeline-tool-default-i-9999",
            "custom_details": { "build_state": "passed", "build_number": "2", "run_time": "1236s" }
        },
        "links": [{ "href": "https://acme.pagerduty.dev/build/2", "text": "View more details in Acme!" }]
    });
    let accepted = app
        .anonymous()
        .post("/v2/change/enqueue", &change)
        .await
        .expect_status(202);
    assert_eq!(accepted.json()["message"], "Change event processed");
    let timeline = app
        .owner()
        .get(&format!("/api/v1/services/{service}/events"))
        .await
        .json();
    let last = timeline["items"]
        .as_array()
        .and_then(|items| items.last())
        .expect("events")
        .clone();
    assert_eq!(last["kind"], "service.change_recorded");
    assert_eq!(
        last["payload"]["summary"],
        "Build Success: Increase snapshot create timeout to 30 seconds"
    );
    let refused = app
        .anonymous()
        .post(
            "/v2/change/enqueue",
            &json!({ "routing_key": key, "payload": {} }),
        )
        .await
        .expect_status(400);
    assert!(refused.text.contains("payload.summary"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let config = ServerConfig {
        intake: IntakeLimits {
            rate_per_second: 0.5,
            burst: 2.0,
            max_in_flight: 64,
        },
        ..ServerConfig::default()
    };
    let app = TestApp::spawn_on(TestDatabase::from_env().await, config).await;
    let (_, key) = service_with_key(&app, "noisy", "pagerduty").await;
    let intake = app.anonymous();
    for n in 0..2 {
        intake
            .post("/v2/enqueue", &trigger(&key, Some(&format!("k{n}"))))
            .await
            .expect_status(202);
    }
    let throttled = intake
        .post("/v2/enqueue", &trigger(&key, Some("k3")))
        .await
        .expect_status(429);
    assert_eq!(throttled.json()["status"], "throttle event");
    assert_eq!(throttled.header("retry-after"), Some("2"));
    app.shutdown().await;
}

#[tokio::test]
async fn responders_acknowledge_and_resolve_alerts_through_the_api() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "api", "pagerduty").await;
    app.anonymous()
        .post("/v2/enqueue", &trigger(&key, Some("cpu")))
        .await
        .expect_status(202);
    let owner = app.owner();
    let alert = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json()["items"][0]
        .clone();
    let id = alert["id"].as_str().expect("id");
    let acked = owner
        .post(&format!("/api/v1/alerts/{id}/acknowledge"), &json!({}))
        .await
        .expect_status(200);
    assert_eq!(acked.json()["state"], "acknowledged");
    let resolved = owner
        .post(&format!("/api/v1/alerts/{id}/resolve"), &json!({}))
        .await
        .expect_status(200);
    assert_eq!(resolved.json()["state"], "resolved");
    let conflict = owner
        .post(&format!("/api/v1/alerts/{id}/acknowledge"), &json!({}))
        .await
        .expect_status(409);
    assert_eq!(conflict.json()["type"], "/problems/conflict");
    let events = owner
        .get(&format!("/api/v1/alerts/{id}/events"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        events["items"][1]["actor"]
            .as_str()
            .map(|a| a.starts_with("user:")),
        Some(true)
    );
    owner
        .get("/api/v1/alerts?state=open")
        .await
        .expect_status(422);
    owner
        .get("/api/v1/incidents?status=resolved")
        .await
        .expect_status(200);
    app.shutdown().await;
}
