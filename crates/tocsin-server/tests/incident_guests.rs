//! External responders: a responder invites a vendor's engineer with a guest pass scoped to one
//! incident. The pass reads that incident and its timeline (live too), writes notes when allowed,
//! and opens nothing else; it stops working when revoked (ending its live timeline) or expired
//! (moved clock). People cannot use the guest routes; bad invitations are refused field by field.
use std::time::Duration;

use jiff::SignedDuration;
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{TestApp, spawn_app};

/// The longest the test waits on the live stream (a bound on a hang, not a latency expectation).
const PATIENCE: Duration = Duration::from_secs(30);

async fn incident(app: &TestApp, summary: &str) -> String {
    let intake = app.intake(summary, "pagerduty").await;
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": intake.secret, "event_action": "trigger",
                     "payload": { "summary": summary, "source": "cdn", "severity": "critical" } }),
        )
        .await
        .expect_status(202);
    app.latest_incident(intake.service_id).await.to_string()
}

async fn invite(app: &TestApp, token: &str, incident: &str, body: Value) -> Value {
    app.with_token(token)
        .post(&format!("/api/v1/incidents/{incident}/guests"), &body)
        .await
        .expect_status(201)
        .json()
}

fn vendor(may_write: bool) -> Value {
    json!({ "name": "Vera Vendor", "email": "vera@cdn.example", "organisation": "CDN Corp",
            "may_write": may_write })
}

#[tokio::test]
async fn a_guest_pass_opens_its_incident_only_until_revoked_or_expired() {
    let app = spawn_app().await;
    let responder = app.user(OrgRole::Responder).await;
    let id = incident(&app, "cdn errors").await;
    let other = incident(&app, "database slow").await;

    let invited = invite(&app, &responder.token, &id, vendor(true)).await;
    let pass = invited["pass"].as_str().expect("a pass").to_owned();
    assert!(pass.starts_with("tocsin_gp_"));
    assert_eq!(invited["guest"]["state"], "active");
    assert_eq!(invited["guest"]["expires_at"], "2026-11-28T12:00:00Z");
    let guest_id = invited["guest"]["id"].as_str().expect("an id").to_owned();

    let guest = app.with_token(&pass);
    let seen = guest
        .get("/api/v1/guest/incident")
        .await
        .expect_status(200)
        .json();
    assert_eq!(seen["id"], id);
    let timeline = guest
        .get("/api/v1/guest/incident/events")
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"incident.guest_invited"), "{kinds:?}");
    let note = guest
        .post(
            "/api/v1/guest/incident/notes",
            &json!({ "body": "we rolled back the edge config" }),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(note["actor"], format!("guest:{guest_id}"));
    assert_eq!(note["kind"], "incident.note");

    // Nothing else: not the incident routes, not the other incident, not the catalog.
    for path in [
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{other}"),
        "/api/v1/incidents".to_owned(),
        "/api/v1/services".to_owned(),
        "/api/v1/users/me".to_owned(),
    ] {
        guest.get(&path).await.expect_status(403);
    }
    guest
        .post(&format!("/api/v1/incidents/{id}/acknowledge"), &json!({}))
        .await
        .expect_status(403);
    // People use the incident routes, not the guest ones.
    app.owner()
        .get("/api/v1/guest/incident")
        .await
        .expect_status(403);

    // A read-only pass reads but does not write, and stops working when it expires.
    let reader = invite(&app, &responder.token, &id, vendor(false)).await;
    let reader = app.with_token(reader["pass"].as_str().expect("a pass"));
    reader
        .get("/api/v1/guest/incident")
        .await
        .expect_status(200);
    reader
        .post("/api/v1/guest/incident/notes", &json!({ "body": "hi" }))
        .await
        .expect_status(403);

    app.with_token(&responder.token)
        .delete(&format!("/api/v1/incidents/{id}/guests/{guest_id}"))
        .await
        .expect_status(204);
    let refused = guest.get("/api/v1/guest/incident").await.expect_status(401);
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );

    app.clock.advance(SignedDuration::from_hours(25));
    reader
        .get("/api/v1/guest/incident")
        .await
        .expect_status(401);
    let listed = app
        .owner()
        .get(&format!("/api/v1/incidents/{id}/guests"))
        .await
        .expect_status(200)
        .json();
    let states: Vec<&str> = listed["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|g| g["state"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(states, ["revoked", "expired"]);
    assert!(
        !listed.to_string().contains("tocsin_gp_"),
        "passes are never shown again"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn revoking_a_pass_ends_its_live_timeline() {
    let app = spawn_app().await;
    let id = incident(&app, "cdn errors").await;
    let invited = invite(&app, &app.owner.api_token, &id, vendor(false)).await;
    let pass = invited["pass"].as_str().expect("a pass").to_owned();
    let guest_id = invited["guest"]["id"].as_str().expect("an id").to_owned();
    let mut response = reqwest::Client::new()
        .get(format!("{}/api/v1/guest/incident/events", app.base_url))
        .bearer_auth(&pass)
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("open the guest stream");
    assert_eq!(response.status(), 200);
    let mut received = String::new();
    while !received.contains("incident.guest_invited") {
        let chunk = tokio::time::timeout(PATIENCE, response.chunk())
            .await
            .expect("the replay within the patience bound")
            .expect("a readable stream")
            .expect("the stream stays open during the replay");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    app.owner()
        .delete(&format!("/api/v1/incidents/{id}/guests/{guest_id}"))
        .await
        .expect_status(204);
    let mut after = String::new();
    loop {
        let chunk = tokio::time::timeout(PATIENCE, response.chunk())
            .await
            .expect("the stream ends within the patience bound")
            .expect("a readable stream");
        match chunk {
            Some(bytes) => after.push_str(&String::from_utf8_lossy(&bytes)),
            None => break,
        }
    }
    assert!(
        !after.contains("incident.guest_revoked"),
        "a revoked guest sees nothing more: {after}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn invitations_need_a_visible_incident_and_valid_fields() {
    let app = spawn_app().await;
    let id = incident(&app, "payroll export leaked").await;
    let responder = app.user(OrgRole::Responder).await;
    let observer = app.user(OrgRole::Observer).await;
    app.with_token(&observer.token)
        .post(&format!("/api/v1/incidents/{id}/guests"), &vendor(false))
        .await
        .expect_status(403);
    let problem = app
        .with_token(&responder.token)
        .post(
            &format!("/api/v1/incidents/{id}/guests"),
            &json!({ "name": "", "email": "vera", "organisation": "CDN Corp",
                     "expires_at": "2027-06-01T00:00:00Z" }),
        )
        .await
        .expect_status(422)
        .json();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(pointers, ["/name", "/email", "/expires_at"], "{problem}");

    // A restricted incident: only those who see it may invite, and its guest sees it.
    app.owner()
        .patch(
            &format!("/api/v1/incidents/{id}"),
            &json!({ "visibility": "restricted", "visible_to_roles": ["owner"] }),
            None,
        )
        .await
        .expect_status(200);
    app.with_token(&responder.token)
        .post(&format!("/api/v1/incidents/{id}/guests"), &vendor(false))
        .await
        .expect_status(404);
    let invited = invite(&app, &app.owner.api_token, &id, vendor(false)).await;
    app.with_token(invited["pass"].as_str().expect("a pass"))
        .get("/api/v1/guest/incident")
        .await
        .expect_status(200);
    app.shutdown().await;
}
