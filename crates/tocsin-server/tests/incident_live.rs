//! The live timeline: `GET /api/v1/incidents/{id}/events` as server-sent events replays the
//! timeline, then delivers each new entry as it commits (on PostgreSQL also from another node),
//! resumes after `Last-Event-ID`, and is as hidden as the incident itself.
use std::time::Duration;

use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{TestApp, spawn_app};

/// The longest a test waits for the next message before failing (a bound on a hang, not a
/// latency expectation).
const PATIENCE: Duration = Duration::from_secs(30);

/// An open event stream and the text received but not yet parsed.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(
        base_url: &str,
        token: &str,
        incident: &str,
        last_event_id: Option<i64>,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .get(format!("{base_url}/api/v1/incidents/{incident}/events"))
            .bearer_auth(token)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        request.send().await.expect("open the event stream")
    }

    fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next message: (id, the entry).
    async fn next(&mut self) -> (i64, Value) {
        tokio::time::timeout(PATIENCE, self.next_message())
            .await
            .expect("a message within the patience bound")
    }

    async fn next_message(&mut self) -> (i64, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(rest) = line.strip_prefix("id:") {
                        id = rest.trim().parse().ok();
                    } else if let Some(rest) = line.strip_prefix("data:") {
                        data.push_str(rest.trim_start());
                    }
                }
                if let Some(id) = id {
                    let entry: Value = serde_json::from_str(&data).expect("a JSON entry");
                    return (id, entry);
                }
                continue; // a keep-alive comment
            }
            let chunk = self
                .response
                .chunk()
                .await
                .expect("the stream stays readable")
                .expect("the stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Messages until one of `kind`; answers that one.
    async fn until(&mut self, kind: &str) -> (i64, Value) {
        loop {
            let (id, entry) = self.next().await;
            if entry["kind"] == kind {
                return (id, entry);
            }
        }
    }
}

async fn declare(app: &TestApp, body: Value) -> String {
    let (service, _) = (
        app.intake(&format!("svc-{}", uuid::Uuid::now_v7()), "pagerduty")
            .await,
        (),
    );
    let mut body = body;
    body["service_id"] = json!(service.service_id);
    body["page"] = json!(false);
    let created = app
        .owner()
        .post("/api/v1/incidents", &body)
        .await
        .expect_status(201)
        .json();
    created["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_timeline_streams_live_and_resumes_after_the_last_event_id() {
    let app = spawn_app().await;
    let id = declare(&app, json!({"title": "Live one"})).await;
    let responder = app.user(OrgRole::Responder).await;
    let mut stream =
        EventStream::new(EventStream::open(&app.base_url, &responder.token, &id, None).await);
    let (first, entry) = stream.next().await;
    assert_eq!(first, 1);
    assert_eq!(entry["kind"], "incident.declared");
    assert_eq!(entry["seq"], 1);

    // A change made after the stream opened arrives on it, in order.
    app.with_token(&responder.token)
        .post(
            &format!("/api/v1/incidents/{id}/status"),
            &json!({"status": "investigating"}),
        )
        .await
        .expect_status(200);
    let (ack_id, _) = stream.until("incident.acknowledged").await;
    let (changed_id, changed) = stream.until("incident.status_changed").await;
    assert!(changed_id > ack_id && ack_id > first);
    assert_eq!(changed["payload"]["to"], "investigating");

    // A reconnect resumes after the last id it saw.
    let mut resumed = EventStream::new(
        EventStream::open(&app.base_url, &responder.token, &id, Some(ack_id)).await,
    );
    let (next_id, next) = resumed.next().await;
    assert_eq!(next_id, ack_id + 1);
    assert_eq!(next["seq"], ack_id + 1);
}

#[tokio::test]
async fn a_hidden_incident_has_no_stream() {
    let app = spawn_app().await;
    let id = declare(&app, json!({"title": "Case", "incident_type": "hr"})).await;
    let outsider = app.user(OrgRole::Responder).await;
    let refused = EventStream::open(&app.base_url, &outsider.token, &id, None).await;
    assert_eq!(refused.status(), 404);
    let bad = EventStream::open(&app.base_url, &app.owner.api_token, &id, Some(-1)).await;
    assert_eq!(bad.status(), 422);
}

/// On PostgreSQL, a second node serving the same database streams what the first node commits.
#[tokio::test]
async fn another_node_streams_what_this_node_commits() {
    let app = spawn_app().await;
    if !app.database.is_postgres() {
        return;
    }
    let id = declare(&app, json!({"title": "Two nodes"})).await;
    let peer = TestApp::peer_of(&app).await;
    let mut stream =
        EventStream::new(EventStream::open(&peer.base_url, &app.owner.api_token, &id, None).await);
    stream.until("incident.declared").await;
    app.owner()
        .patch(
            &format!("/api/v1/incidents/{id}"),
            &json!({"title": "Two nodes, renamed"}),
            None,
        )
        .await
        .expect_status(200);
    let (_, updated) = stream.until("incident.updated").await;
    assert_eq!(
        updated["payload"]["changes"]["title"]["to"],
        "Two nodes, renamed"
    );
}
