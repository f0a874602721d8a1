//! Helpers: an incident opened through real intake, pages queued straight into the outbox, the
//! worker at the app's clock, and the incident's timeline.
#![allow(dead_code)]

use base64::Engine;
use jiff::SignedDuration;
use serde_json::{Value, json};
use tocsin_domain::Clock;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_engine::outbox::{Attempted, OutboxWorker};
use tocsin_store::outbox::{self, NewNotification};
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::{TestApp, TestUser};
use uuid::Uuid;

/// A webhook signing secret (32 bytes).
pub fn secret() -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode([7u8; 32])
    )
}

/// Opens an incident on a new service `name` through generic intake; answers its id.
pub async fn open_incident(app: &TestApp, name: &str) -> IncidentId {
    let intake = app.intake(name, "generic").await;
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{}/generic", intake.secret),
            &json!({ "summary": format!("{name} is down") }),
        )
        .await
        .expect_status(202);
    app.latest_incident(intake.service_id).await
}

/// A page to a webhook at `url` for `user`.
pub fn webhook_page(incident: IncidentId, user: Option<UserId>, url: &str) -> NewNotification {
    NewNotification {
        incident_id: incident,
        user_id: user,
        contact_method_id: Uuid::now_v7(),
        step_key: "c0.r0.s0".into(),
        kind: MessageKind::Page,
        urgency: Urgency::High,
        channel: Channel::Webhook,
        address: url.to_owned(),
        secret: Some(secret()),
        recipient_name: Some("Ada".into()),
        not_before: jiff::Timestamp::UNIX_EPOCH,
    }
}

/// A responder paged by webhook at `sink` for a new incident on service `name`: the responder,
/// the incident and the delivered page's body.
pub async fn page_a_responder(
    app: &TestApp,
    sink: &WebhookSink,
    name: &str,
) -> (TestUser, IncidentId, Value) {
    let responder = app.user(OrgRole::Responder).await;
    let incident = open_incident(app, name).await;
    let page = webhook_page(incident, Some(responder.user.id), &sink.url("/hook"));
    assert!(enqueue(app, page).await);
    run(&worker(app)).await;
    let body = sink.requests()[0].json();
    (responder, incident, body)
}

/// Queues `n` as the escalation engine would; answers whether it was new.
pub async fn enqueue(app: &TestApp, n: NewNotification) -> bool {
    let now = app.clock.now();
    app.store
        .write(move |tx| Box::pin(async move { outbox::enqueue(tx, n, now).await }))
        .await
        .expect("enqueued")
}

/// The delivery worker at the app's clock, linking to the app.
pub fn worker(app: &TestApp) -> OutboxWorker {
    app.outbox_worker("test-node")
}

pub async fn run(worker: &OutboxWorker) -> Vec<Attempted> {
    worker.run_once().await.expect("a worker round")
}

pub fn advance(app: &TestApp, seconds: i64) {
    app.clock.advance(SignedDuration::from_secs(seconds));
}

/// The kinds of the incident's timeline events, oldest first.
pub async fn timeline(app: &TestApp, incident: IncidentId) -> Vec<Value> {
    let page = app
        .owner()
        .get(&format!(
            "/api/v1/incidents/{}/events?limit=200",
            incident.0
        ))
        .await
        .expect_status(200)
        .json();
    page["items"].as_array().cloned().unwrap_or_default()
}

pub fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["kind"].as_str().map(str::to_owned))
        .collect()
}

pub fn count(events: &[Value], kind: &str) -> usize {
    kinds(events).iter().filter(|k| *k == kind).count()
}

/// The path (with the token) of an action link in a delivered webhook body.
pub fn link_path(body: &Value, action: &str) -> String {
    let url = body["data"]["links"][action]
        .as_str()
        .unwrap_or_else(|| panic!("no {action} link in {body}"));
    let start = url.find("/api/v1/actions/").expect("an action link");
    url[start..].to_owned()
}
