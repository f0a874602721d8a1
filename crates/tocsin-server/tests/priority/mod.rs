//! Helpers for the classification and priority tests: services with a tier (and a team),
//! alerts of a severity through PagerDuty intake, incidents and timelines read back, the
//! temporary P1 worker run at the test clock.
#![allow(dead_code)]
pub mod access;
pub mod classification;

use serde_json::{Value, json};
use tocsin_testkit::TestApp;

/// A service of `tier` (owned by `team`, if given) with a PagerDuty key: (service id, key).
pub async fn service(app: &TestApp, name: &str, tier: i64, team: Option<&str>) -> (String, String) {
    let owner = app.owner();
    let service = owner
        .post(
            "/api/v1/services",
            &json!({ "name": name, "tier": tier, "team_id": team }),
        )
        .await
        .expect_status(201)
        .json();
    let id = service["id"].as_str().expect("service id").to_owned();
    let key = owner
        .post(
            &format!("/api/v1/services/{id}/integration-keys"),
            &json!({ "name": "pd", "kind": "pagerduty" }),
        )
        .await
        .expect_status(201)
        .json();
    (id, key["secret"].as_str().expect("secret").to_owned())
}

/// Triggers an alert (its summary is its dedup key) and answers the id of its incident.
pub async fn trigger(
    app: &TestApp,
    service: &str,
    key: &str,
    summary: &str,
    severity: &str,
) -> String {
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": "trigger", "dedup_key": summary,
                     "payload": { "summary": summary, "source": "host-1", "severity": severity } }),
        )
        .await
        .expect_status(202);
    // By the alert (dedup key = summary): ids minted at one test instant do not sort by age.
    let page = app
        .owner()
        .get(&format!("/api/v1/alerts?service_id={service}&limit=200"))
        .await
        .expect_status(200)
        .json();
    let alerts = page["items"].as_array().cloned().unwrap_or_default();
    let alert = alerts
        .iter()
        .find(|a| a["dedup_key"] == summary)
        .unwrap_or_else(|| panic!("no alert {summary}"));
    alert["incident_id"]
        .as_str()
        .expect("an incident")
        .to_owned()
}

pub async fn incident(app: &TestApp, id: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/incidents/{id}"))
        .await
        .expect_status(200)
        .json()
}

/// The incident's timeline: (kind, payload) per event.
pub async fn timeline(app: &TestApp, id: &str) -> Vec<(String, Value)> {
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
        .into_iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["payload"].clone(),
            )
        })
        .collect()
}

/// Whether the timeline has an event of `kind` whose reason contains `needle`.
pub async fn has_event(app: &TestApp, id: &str, kind: &str, needle: &str) -> bool {
    timeline(app, id).await.iter().any(|(k, payload)| {
        k == kind
            && payload["reason"]
                .as_str()
                .is_some_and(|r| r.contains(needle))
    })
}

pub async fn set_policy(app: &TestApp, policy: Value) {
    app.owner()
        .put("/api/v1/priority-policy", &policy)
        .await
        .expect_status(200);
}

/// Runs the temporary P1 worker once at the test clock; answers how many reverted.
pub async fn revert_due(app: &TestApp) -> usize {
    use tocsin_domain::Clock;
    tocsin_engine::temporary_p1::revert_due(&app.store, app.clock.now())
        .await
        .expect("reverted due temporary P1s")
        .len()
}
