//! Helpers for the incident lifecycle tests: services with PagerDuty keys, triggers and resolves
//! through real intake, and reading incidents, alerts and timelines back.
#![allow(dead_code)]
use serde_json::{Value, json};
use tocsin_testkit::TestApp;

pub async fn service_with_key(app: &TestApp, name: &str) -> (String, String) {
    let intake = app.intake(name, "pagerduty").await;
    (intake.service_id.to_string(), intake.secret)
}

pub async fn send(app: &TestApp, key: &str, action: &str, dedup_key: &str) {
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": action, "dedup_key": dedup_key,
                     "payload": { "summary": format!("{dedup_key} failing"), "source": "host-1",
                                  "severity": "error" } }),
        )
        .await
        .expect_status(202);
}

pub async fn settings(app: &TestApp, service: &str, body: Value) {
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/incident-lifecycle"),
            &body,
        )
        .await
        .expect_status(200);
}

pub async fn alerts(app: &TestApp, service: &str) -> Vec<Value> {
    let page = app
        .owner()
        .get(&format!("/api/v1/alerts?service_id={service}&limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// The newest alert under `dedup_key`.
pub async fn alert(app: &TestApp, service: &str, dedup_key: &str) -> Value {
    alerts(app, service)
        .await
        .into_iter()
        .find(|a| a["dedup_key"] == dedup_key)
        .unwrap_or_else(|| panic!("no alert {dedup_key}"))
}

pub async fn incident_of(app: &TestApp, service: &str, dedup_key: &str) -> Value {
    let alert = alert(app, service, dedup_key).await;
    let id = alert["incident_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no incident: {alert}"))
        .to_owned();
    get_incident(app, &id).await
}

pub async fn get_incident(app: &TestApp, id: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/incidents/{id}"))
        .await
        .expect_status(200)
        .json()
}

pub async fn incidents(app: &TestApp, service: &str) -> Vec<Value> {
    let page = app
        .owner()
        .get(&format!("/api/v1/incidents?service_id={service}"))
        .await
        .expect_status(200)
        .json();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// The incident's timeline: (kind, reason) per event.
pub async fn timeline(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let page = app
        .owner()
        .get(&format!("/api/v1/incidents/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["payload"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

pub fn explains(alert: &Value, needle: &str) -> bool {
    alert["explanation"].as_array().is_some_and(|lines| {
        lines
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains(needle)))
    })
}

pub async fn resolve_due(app: &TestApp) -> usize {
    use tocsin_domain::Clock;
    tocsin_engine::lifecycle::resolve_due(&app.store, app.clock.now())
        .await
        .expect("resolved due incidents")
        .len()
}
