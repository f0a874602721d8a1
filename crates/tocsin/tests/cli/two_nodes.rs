//! Two `tocsin serve` nodes on one PostgreSQL database page exactly once through a `kill -9`:
//! 1,000 incidents, each under a 3-step policy (one person per step, a minute apart, no repeat),
//! triggered through both nodes' intake; one node is killed while the second steps are being
//! sent. Every expected page reaches the sink under exactly one `webhook-id` (a re-send after a
//! lease expiry keeps its id: the receiver's dedup), nothing unexpected arrives, and the store ends
//! with no notification pending or sending and each page once on its incident's timeline.
//! PostgreSQL only (several nodes need a shared server database).
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tocsin_testkit::sinks::ScriptedResponse;
use tocsin_testkit::sinks::webhook::{RecordedRequest, WebhookSink};

mod checks;

use super::cluster::{Cluster, call, seed_people};
use super::support::targets;

pub const INCIDENTS: usize = 1_000;
/// Services, each with its own policy and three people: 20 incidents per person and step keeps
/// each webhook URL within its default rate limit (1 a second, 5 at once, per node).
pub const SERVICES: usize = 50;
pub const STEPS: usize = 3;
const LEASE_SECS: &str = "5";
/// Triggers are paced (twenty at a time, a pause after each) so that every step is sent over a
/// window of several seconds and the kill lands in the middle of one.
const SENDERS: usize = 20;
const PAUSE_BETWEEN_TRIGGERS: Duration = Duration::from_millis(50);
/// The sink answers each page this late, so a node has sent pages it has not recorded yet.
const SINK_DELAY: Duration = Duration::from_millis(500);
/// Node 1 is killed once this many second-step pages arrived, just after a page of its own came
/// in (still unanswered: it must be re-sent by node 0 after the lease), or at the latest this long
/// after the last trigger.
const KILL_AFTER_SECOND_STEP_PAGES: usize = 400;
const KILL_AT_THE_LATEST: Duration = Duration::from_secs(90);
/// The whole test gives up after this long.
const DEADLINE: Duration = Duration::from_secs(330);

/// One page as the sink saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub webhook_id: String,
    pub kind: String,
    pub incident: String,
    pub person: usize,
    /// The node whose public URL the page's action links start with.
    pub sent_by: String,
}

fn page(request: &RecordedRequest) -> Page {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let link = text(&body["data"]["links"]["acknowledge"]);
    Page {
        webhook_id: request.header("webhook-id").unwrap_or_default().to_owned(),
        kind: text(&body["type"]),
        incident: text(&body["data"]["incident"]["id"]),
        person: request
            .path
            .strip_prefix("/u/")
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX),
        sent_by: link.split("/api/").next().unwrap_or_default().to_owned(),
    }
}

/// Distinct (incident, person) pairs received, per step.
fn received_per_step(pages: &[Page]) -> [usize; STEPS] {
    let pairs: BTreeSet<(&str, usize)> = pages
        .iter()
        .map(|p| (p.incident.as_str(), p.person))
        .collect();
    let mut per_step = [0; STEPS];
    for (_, person) in pairs {
        if let Some(count) = per_step.get_mut(person % STEPS) {
            *count += 1;
        }
    }
    per_step
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_page_each_step_of_1000_incidents_exactly_once_through_a_kill_9() {
    let Some(target) = targets().await.into_iter().find(|t| t.db.is_postgres()) else {
        eprintln!("two_nodes: skipped, TOCSIN_TEST_DATABASE_URL is not set (PostgreSQL only)");
        return;
    };
    let started = Instant::now();
    let sink = WebhookSink::start().await;
    sink.respond(
        2 * INCIDENTS * STEPS,
        ScriptedResponse::status(200).body("ok").delay(SINK_DELAY),
    );
    let flags = [
        "--listen",
        "127.0.0.1:0",
        "--log",
        "warn",
        "--delivery-lease-secs",
        LEASE_SECS,
        "--allow-outbound",
        "127.0.0.1",
        "--intake-rate-per-second",
        "1000000",
        "--intake-burst",
        "1000000",
    ];
    let mut cluster = Cluster::default();
    let (_, before) = cluster.start(&target, "node-0", &flags);
    let token = before
        .iter()
        .find_map(|line| line.trim().strip_prefix("API token:"))
        .map(|t| t.trim().to_owned())
        .expect("node 0 printed the owner's API token");
    cluster.start(&target, "node-1", &flags);
    let urls: Vec<String> = cluster.nodes.iter().map(|n| n.url.clone()).collect();

    let store = target.db.open().await;
    let people = seed_people(&store, |n| sink.url(&format!("/u/{n}")), SERVICES * STEPS).await;
    let client = reqwest::Client::new();
    let mut routing_keys = Vec::with_capacity(SERVICES);
    for s in 0..SERVICES {
        let steps: Vec<Value> = (0..STEPS)
            .map(|k| json!({ "delay_minutes": 1, "targets": [{ "kind": "user", "user_id": people[s * STEPS + k] }] }))
            .collect();
        let base = &urls[s % urls.len()];
        let policy = call(
            &client,
            &token,
            Method::POST,
            format!("{base}/api/v1/escalation-policies"),
            &json!({ "name": format!("policy {s}"), "repeat": 0, "steps": steps }),
        )
        .await;
        let service = call(
            &client,
            &token,
            Method::POST,
            format!("{base}/api/v1/services"),
            &json!({ "name": format!("service {s}") }),
        )
        .await;
        let service = service["id"].as_str().expect("a service id").to_owned();
        call(
            &client,
            &token,
            Method::PUT,
            format!("{base}/api/v1/services/{service}/escalation-policy"),
            &json!({ "policy_id": policy["id"] }),
        )
        .await;
        let key = call(
            &client,
            &token,
            Method::POST,
            format!("{base}/api/v1/services/{service}/integration-keys"),
            &json!({ "name": "load", "kind": "pagerduty" }),
        )
        .await;
        routing_keys.push(key["secret"].as_str().expect("a routing key").to_owned());
    }
    eprintln!("two_nodes: set up in {:?}", started.elapsed());

    // Incident n: service n % SERVICES, through node n % 2's intake.
    let routing_keys = Arc::new(routing_keys);
    let mut senders = tokio::task::JoinSet::new();
    for first in 0..SENDERS {
        let (client, urls, routing_keys) = (client.clone(), urls.clone(), routing_keys.clone());
        senders.spawn(async move {
            for n in (first..INCIDENTS).step_by(SENDERS) {
                let answer = client
                    .post(format!("{}/v2/enqueue", urls[n % urls.len()]))
                    .timeout(Duration::from_secs(30))
                    .json(&json!({
                        "routing_key": routing_keys[n % SERVICES], "event_action": "trigger",
                        "dedup_key": format!("incident-{n:04}"),
                        "payload": { "summary": format!("incident {n:04}"), "source": "two-nodes", "severity": "critical" }
                    }))
                    .send()
                    .await;
                let status = answer.map(|r| r.status().as_u16()).map_err(|e| e.to_string());
                assert_eq!(status, Ok(202), "trigger {n}");
                tokio::time::sleep(PAUSE_BETWEEN_TRIGGERS).await;
            }
        });
    }
    senders.join_all().await;
    let triggered = Instant::now();
    eprintln!(
        "two_nodes: {INCIDENTS} incidents triggered at {:?}",
        started.elapsed()
    );

    let pages = || -> Vec<Page> { sink.requests().iter().map(page).collect() };
    while received_per_step(&pages())[1] < KILL_AFTER_SECOND_STEP_PAGES
        && triggered.elapsed() < KILL_AT_THE_LATEST
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Kill node 1 right after one of its pages arrived, while the sink still holds the answer.
    let mut seen = sink.received();
    let mut caught_mid_send = false;
    while !caught_mid_send && triggered.elapsed() < KILL_AT_THE_LATEST {
        let now_seen = sink.received();
        caught_mid_send = now_seen > seen
            && sink
                .latest()
                .is_some_and(|request| page(&request).sent_by == urls[1]);
        seen = now_seen;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cluster.kill_9(1);
    let at_kill = received_per_step(&pages());
    eprintln!(
        "two_nodes: node 1 killed at {:?} with pages received per step {at_kill:?}",
        started.elapsed()
    );

    let expected_total = INCIDENTS * STEPS;
    while received_per_step(&pages()).iter().sum::<usize>() < expected_total {
        assert!(
            started.elapsed() < DEADLINE,
            "pages per step after {DEADLINE:?}: {:?}\n{}",
            received_per_step(&pages()),
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Every page is in; the survivor records the last outcomes, and any late duplicate shows.
    let mut unfinished = i64::MAX;
    while unfinished > 0 && started.elapsed() < DEADLINE {
        tokio::time::sleep(Duration::from_secs(1)).await;
        unfinished = tocsin_store::with_reader!(store.reader(), p =>
            sqlx::query_scalar("SELECT COUNT(*) FROM notification_outbox WHERE state IN ('pending', 'sending')")
                .fetch_one(p).await)
        .expect("count unfinished notifications");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        unfinished,
        0,
        "notifications left pending or sending\n{}",
        cluster.logs()
    );

    let pages = pages();
    let redelivered = checks::pages(&store, &pages, &urls).await;
    assert!(
        !caught_mid_send || redelivered > 0,
        "node 1 was killed with a page unanswered: node 0 must have re-sent it under its id"
    );
    checks::timelines(&store).await;

    assert_eq!(
        sink.received(),
        pages.len(),
        "a page arrived after the checks began"
    );
    store.close().await;
    eprintln!("two_nodes: done in {:?}", started.elapsed());
}
