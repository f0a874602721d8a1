//! Helpers for the resolution and evidence tests: declaring an incident, setting its priority, its
//! timeline entries of one kind, and the pointers a problem names.
#![allow(dead_code)]
use serde_json::{Value, json};
use tocsin_testkit::{Client, TestApp};

pub const INCIDENTS: &str = "/api/v1/incidents";

/// Declares an incident on `service` (paging nobody); answers its id.
pub async fn declare(client: &Client, service: &str) -> String {
    let incident = client
        .post(
            INCIDENTS,
            &json!({"title": "Checkout down", "service_id": service, "page": false}),
        )
        .await
        .expect_status(201)
        .json();
    incident["id"].as_str().expect("id").to_owned()
}

/// Sets the incident's priority by hand.
pub async fn set_priority(client: &Client, id: &str, priority: &str) {
    client
        .put(
            &format!("{INCIDENTS}/{id}/priority"),
            &json!({"priority": priority, "reason": "impact"}),
        )
        .await
        .expect_status(200);
}

/// The incident's timeline entries of `kind`, oldest first.
pub async fn events_of(app: &TestApp, id: &str, kind: &str) -> Vec<Value> {
    let page = app
        .owner()
        .get(&format!("{INCIDENTS}/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

/// The JSON pointers a problem names, in order.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}
