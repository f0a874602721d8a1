//! The paging scenario harness: a real app on a manual clock, people whose verified webhook
//! contact methods point at one webhook sink (a path per person), escalation policies and
//! services made through the API, alerts sent through real intake. `settle` runs the escalation
//! engine, the handoff worker, the regulatory clock worker, the status-update cadence worker and
//! the delivery worker at the clock's instant until nothing more happens; `advance` moves the clock first. Every notification must be claimed with `expect`; one left unclaimed
//! when the scenario ends fails the test (`finish`, or on drop).
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::SignedDuration;
use serde_json::{Value, json};
use tocsin_domain::Clock;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::IncidentId;
use tocsin_engine::handoff::HandoffWorker;
use tocsin_engine::outbox::OutboxWorker;

use crate::app::{TestApp, TestIntake, TestUser, spawn_app};
use crate::sinks::webhook::{RecordedRequest, WebhookSink};

/// Rounds of engine + worker per `settle`: enough for any chain of immediate work.
const SETTLE_ROUNDS: usize = 20;

/// A person who can be paged: their user, token, and sink path.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: TestUser,
    pub name: String,
}

impl Person {
    pub fn id(&self) -> String {
        self.user.user.id.0.to_string()
    }
}

/// A running paging scenario.
pub struct Scenario {
    pub app: TestApp,
    pub sink: WebhookSink,
    worker: OutboxWorker,
    handoffs: HandoffWorker,
    /// Sink requests already claimed by `expect` (or verification), oldest first.
    claimed: std::sync::Mutex<Vec<bool>>,
    finished: AtomicUsize,
}

impl Scenario {
    pub async fn start() -> Self {
        let app = spawn_app().await;
        let sink = WebhookSink::start().await;
        let worker = app.outbox_worker("scenario-node").claiming_on_enqueue();
        let handoffs = HandoffWorker::new(worker.clone());
        Self {
            app,
            sink,
            worker,
            handoffs,
            claimed: std::sync::Mutex::new(Vec::new()),
            finished: AtomicUsize::new(0),
        }
    }

    /// A responder named `name` with a verified webhook contact method at `/people/{name}` on
    /// the sink (verified through the API with the code the sink received).
    pub async fn person(&self, name: &str) -> Person {
        let user = self.app.user(OrgRole::Responder).await;
        let me = self.app.with_token(&user.token);
        let id = user.user.id.0;
        let method = me
            .post(
                &format!("/api/v1/users/{id}/contact-methods"),
                &json!({ "channel": "webhook", "address": self.sink.url(&format!("/people/{name}")), "label": name }),
            )
            .await
            .expect_status(201)
            .json();
        let method_id = method["id"].as_str().expect("a method id").to_owned();
        me.post(
            &format!("/api/v1/users/{id}/contact-methods/{method_id}/verification"),
            &json!({}),
        )
        .await
        .expect_status(200);
        let code =
            self.take(name, "notification.verification_code").json()["data"]["verification_code"]
                .as_str()
                .expect("a verification code")
                .to_owned();
        me.post(
            &format!("/api/v1/users/{id}/contact-methods/{method_id}/verify"),
            &json!({ "code": code }),
        )
        .await
        .expect_status(200);
        Person {
            user,
            name: name.to_owned(),
        }
    }

    /// An escalation policy with `steps` (`[{"delay_minutes": 5, "targets": [...]}]`) and the
    /// extra fields in `options` (`repeat`, `ack_timeout_minutes`); answers its id.
    pub async fn policy(&self, name: &str, steps: Value, options: Value) -> String {
        let mut body = json!({ "name": name, "steps": steps });
        if let (Some(body), Some(options)) = (body.as_object_mut(), options.as_object()) {
            body.extend(options.clone());
        }
        let created = self
            .app
            .owner()
            .post("/api/v1/escalation-policies", &body)
            .await
            .expect_status(201)
            .json();
        created["id"].as_str().expect("a policy id").to_owned()
    }

    /// A service `name` with a PagerDuty Events v2 key and, when given, `policy`.
    pub async fn service(&self, name: &str, policy: Option<&str>) -> TestIntake {
        let intake = self.app.intake(name, "pagerduty").await;
        if let Some(policy) = policy {
            self.app
                .owner()
                .put(
                    &format!("/api/v1/services/{}/escalation-policy", intake.service_id),
                    &json!({ "policy_id": policy }),
                )
                .await
                .expect_status(200);
        }
        intake
    }

    /// Sends a critical alert through `intake`; answers the incident it opened or joined.
    pub async fn trigger(&self, intake: &TestIntake, summary: &str) -> IncidentId {
        self.app
            .anonymous()
            .post(
                "/v2/enqueue",
                &json!({
                    "routing_key": intake.secret,
                    "event_action": "trigger",
                    "dedup_key": summary,
                    "payload": { "summary": summary, "source": "scenario", "severity": "critical" },
                }),
            )
            .await
            .expect_status(202);
        self.app.latest_incident(intake.service_id).await
    }

    /// Runs the escalation engine, the handoff worker and the delivery worker at the clock's
    /// instant until a round does nothing.
    pub async fn settle(&self) {
        for _ in 0..SETTLE_ROUNDS {
            let now = self.app.clock.now();
            let processed = tocsin_engine::escalation::process_due(&self.app.store, now)
                .await
                .expect("an escalation round");
            let handoffs = self.handoffs.run_once().await.expect("a handoff round");
            let regulatory = tocsin_engine::regulatory::process_due(&self.app.store, now)
                .await
                .expect("a regulatory round");
            let cadence = tocsin_engine::cadence::process_due(&self.app.store, now)
                .await
                .expect("a cadence round");
            let attempted = self.worker.run_once().await.expect("a delivery round");
            if processed.is_empty()
                && attempted.is_empty()
                && handoffs.is_idle()
                && regulatory.is_empty()
                && cadence.is_empty()
            {
                return;
            }
        }
        panic!("the engine was still busy after {SETTLE_ROUNDS} rounds");
    }

    /// Moves the clock by `minutes` (in one step) and settles.
    pub async fn advance(&self, minutes: i64) {
        self.app.clock.advance(SignedDuration::from_mins(minutes));
        self.settle().await;
    }

    /// Claims the oldest unclaimed notification of event type `kind` (`notification.page`,
    /// `notification.resolved`, ...) sent to `person`; fails when there is none.
    pub fn expect(&self, person: &Person, kind: &str) -> Value {
        self.take(&person.name, kind).json()
    }

    /// Fails the test if any notification was not claimed.
    pub fn expect_nothing_more(&self) {
        let unclaimed = self.unclaimed();
        assert!(
            unclaimed.is_empty(),
            "unexpected notifications: {}",
            unclaimed
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join("; ")
        );
    }

    /// Ends the scenario: fails on any unclaimed notification.
    pub fn finish(self) {
        self.expect_nothing_more();
        self.finished.store(1, Ordering::SeqCst);
    }

    fn take(&self, name: &str, kind: &str) -> RecordedRequest {
        let path = format!("/people/{name}");
        let requests = self.sink.requests();
        let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
        claimed.resize(requests.len(), false);
        let found = requests.iter().enumerate().find(|(index, request)| {
            !claimed[*index] && request.path == path && event_type(request) == kind
        });
        let Some((index, request)) = found else {
            panic!(
                "no {kind} for {name}; unclaimed: {}",
                unclaimed_of(&requests, &claimed)
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        };
        claimed[index] = true;
        request.clone()
    }

    fn unclaimed(&self) -> Vec<RecordedRequest> {
        let requests = self.sink.requests();
        let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
        claimed.resize(requests.len(), false);
        unclaimed_of(&requests, &claimed)
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        if std::thread::panicking() || self.finished.load(Ordering::SeqCst) == 1 {
            return;
        }
        let unclaimed = self.unclaimed();
        if !unclaimed.is_empty() {
            panic!(
                "the scenario ended with unexpected notifications: {}",
                unclaimed
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
}

fn unclaimed_of(requests: &[RecordedRequest], claimed: &[bool]) -> Vec<RecordedRequest> {
    requests
        .iter()
        .zip(claimed)
        .filter(|(_, claimed)| !**claimed)
        .map(|(request, _)| request.clone())
        .collect()
}

fn event_type(request: &RecordedRequest) -> String {
    serde_json::from_slice::<Value>(&request.body)
        .ok()
        .and_then(|body| body["type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn describe(request: &RecordedRequest) -> String {
    format!("{} to {}", event_type(request), request.path)
}
