//! Helpers shared by the schedule tests: people with names, schedule bodies, problem assertions.
// Each test file uses some of these.
#![allow(dead_code)]

use serde_json::{Value, json};
use tocsin_testkit::{Client, TestResponse};

/// Creates a responder named `name`; their id.
pub async fn person(owner: &Client, name: &str) -> String {
    let email = format!(
        "{}-{}@example.com",
        name.to_lowercase().replace(' ', "."),
        uuid::Uuid::now_v7().simple()
    );
    id(&owner
        .post(
            "/api/v1/users",
            &json!({"email": email, "name": name, "role": "responder"}),
        )
        .await
        .expect_status(201))
}

/// Creates a team named `name`; its id.
pub async fn team(owner: &Client, name: &str) -> String {
    id(&owner
        .post("/api/v1/teams", &json!({ "name": name }))
        .await
        .expect_status(201))
}

pub fn id(response: &TestResponse) -> String {
    response.json()["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", response.text))
        .to_owned()
}

/// A layer rotating `participants` every `shift` from the local `first_handoff` in `zone`.
pub fn layer(
    name: &str,
    participants: &[&str],
    shift: Value,
    first_handoff: &str,
    zone: &str,
) -> Value {
    json!({
        "name": name,
        "starts_at": "2026-01-01T00:00:00Z",
        "rotation": {"participants": participants, "shift": shift,
            "first_handoff": first_handoff, "time_zone": zone}
    })
}

/// A schedule body named `name` in `zone` with `layers`.
pub fn schedule(name: &str, zone: &str, layers: Vec<Value>) -> Value {
    json!({"name": name, "time_zone": zone, "layers": layers})
}

/// A weekly rotation of `participants` in UTC, handing off Mondays at 09:00: always covered.
pub fn weekly(name: &str, participants: &[&str]) -> Value {
    schedule(
        name,
        "UTC",
        vec![layer(
            "Primary",
            participants,
            json!({"weeks": 1}),
            "2026-11-02T09:00",
            "UTC",
        )],
    )
}

pub async fn create(owner: &Client, body: &Value) -> String {
    id(&owner
        .post("/api/v1/schedules", body)
        .await
        .expect_status(201))
}

/// The pointers of a problem's field errors.
pub fn pointers(response: &TestResponse) -> Vec<String> {
    response.json()["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
pub fn assert_problem(response: &TestResponse, status: u16, pointer: &str) {
    assert_eq!(response.status, status, "body: {}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(pointers(response), [pointer], "body: {}", response.text);
}
