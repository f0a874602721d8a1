//! Delivery: exactly once, retries with backoff on the timeline, permanent failures, and the
//! resolve contract through the API.
use serde_json::Value;
use tocsin_domain::Clock;
use tocsin_engine::outbox::Attempted;
use tocsin_store::outbox::Recorded;
use tocsin_testkit::sinks::{ScriptedResponse, WebhookSink};
use tocsin_testkit::spawn_app;

use super::support::*;

fn delivered(attempts: &[Attempted]) -> usize {
    attempts
        .iter()
        .filter(|a| {
            matches!(
                a,
                Attempted::Recorded {
                    outcome: Recorded::Delivered { .. },
                    ..
                }
            )
        })
        .count()
}

#[tokio::test]
async fn a_queued_page_is_delivered_once_signed_and_with_action_links() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    let incident = open_incident(&app, "checkout").await;
    let page = webhook_page(incident, None, &sink.url("/hook"));
    assert!(enqueue(&app, page.clone()).await);
    assert!(!enqueue(&app, page).await, "the same key is queued once");

    let worker = worker(&app);
    assert_eq!(delivered(&run(&worker).await), 1);
    assert!(run(&worker).await.is_empty(), "nothing left to send");
    let requests = sink.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(
        request
            .header("webhook-signature")
            .is_some_and(|s| s.starts_with("v1,")),
        "signed: {:?}",
        request.headers
    );
    assert!(request.header("webhook-id").is_some());
    let body = request.json();
    assert_eq!(body["type"], "notification.page");
    assert_eq!(body["data"]["incident"]["title"], "checkout is down");
    assert_eq!(body["data"]["incident"]["service"], "checkout");
    assert_eq!(body["data"]["recipient_name"], "Ada");
    for action in ["acknowledge", "resolve"] {
        assert!(link_path(&body, action).starts_with("/api/v1/actions/"));
    }
    let view = body["data"]["links"]["view"].as_str().expect("a view link");
    assert!(
        view.starts_with("http") && view.ends_with(&format!("/api/v1/incidents/{}", incident.0)),
        "{view}"
    );

    let events = timeline(&app, incident).await;
    assert_eq!(count(&events, "notification.queued"), 1);
    assert_eq!(count(&events, "notification.delivered"), 1);
    let queued = events
        .iter()
        .find(|e| e["kind"] == "notification.queued")
        .expect("queued");
    let shown = queued.to_string();
    assert!(
        !shown.contains("/hook") && !shown.contains("whsec_"),
        "{shown}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_failing_destination_is_retried_with_backoff_until_delivered() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    sink.respond(2, ScriptedResponse::status(500));
    let incident = open_incident(&app, "search").await;
    assert!(enqueue(&app, webhook_page(incident, None, &sink.url("/hook"))).await);
    let worker = worker(&app);

    let first = run(&worker).await;
    assert!(
        matches!(
            &first[..],
            [Attempted::Recorded {
                outcome: Recorded::Retry { .. },
                ..
            }]
        ),
        "{first:?}"
    );
    advance(&app, 10);
    let second = run(&worker).await;
    assert!(
        matches!(
            &second[..],
            [Attempted::Recorded {
                outcome: Recorded::Retry { .. },
                ..
            }]
        ),
        "{second:?}"
    );
    advance(&app, 10);
    assert_eq!(delivered(&run(&worker).await), 1);
    advance(&app, 600);
    assert!(run(&worker).await.is_empty(), "delivered once");

    let requests = sink.requests();
    assert_eq!(requests.len(), 3);
    let ids: Vec<_> = requests.iter().map(|r| r.header("webhook-id")).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one idempotency key: {ids:?}"
    );
    let events = timeline(&app, incident).await;
    assert_eq!(count(&events, "notification.attempt_failed"), 2);
    assert_eq!(count(&events, "notification.delivered"), 1);
    let attempts: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("notification.a") || k == "notification.delivered")
        })
        .map(|e| &e["payload"]["attempt"])
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    app.shutdown().await;
}

#[tokio::test]
async fn a_permanent_refusal_stops_at_once() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    sink.respond(1, ScriptedResponse::status(404));
    let incident = open_incident(&app, "billing").await;
    assert!(enqueue(&app, webhook_page(incident, None, &sink.url("/gone"))).await);
    let worker = worker(&app);
    let attempts = run(&worker).await;
    assert!(
        matches!(
            &attempts[..],
            [Attempted::Recorded {
                outcome: Recorded::Failed { .. },
                ..
            }]
        ),
        "{attempts:?}"
    );
    advance(&app, 3600);
    assert!(run(&worker).await.is_empty());
    assert_eq!(sink.requests().len(), 1);
    let events = timeline(&app, incident).await;
    assert_eq!(count(&events, "notification.failed"), 1);
    app.shutdown().await;
}

#[tokio::test]
async fn resolving_by_api_tells_everyone_paged_exactly_once() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    let incident = open_incident(&app, "inventory").await;
    assert!(enqueue(&app, webhook_page(incident, None, &sink.url("/ada"))).await);
    assert!(enqueue(&app, webhook_page(incident, None, &sink.url("/bob"))).await);
    let worker = worker(&app);
    assert_eq!(delivered(&run(&worker).await), 2);
    // A later escalation step, not due yet, is cancelled by the acknowledgement.
    let mut later = webhook_page(incident, None, &sink.url("/carol"));
    later.step_key = "c0.r0.s1".into();
    later.not_before = app.clock.now() + jiff::SignedDuration::from_mins(5);
    assert!(enqueue(&app, later).await);

    let path = format!("/api/v1/incidents/{}", incident.0);
    app.owner()
        .post(&format!("{path}/acknowledge"), &serde_json::json!({}))
        .await
        .expect_status(200);
    app.owner()
        .post(&format!("{path}/resolve"), &serde_json::json!({}))
        .await
        .expect_status(200);
    let again = app
        .owner()
        .post(&format!("{path}/resolve"), &serde_json::json!({}))
        .await
        .expect_status(409);
    assert_eq!(again.json()["type"], "/problems/conflict");

    advance(&app, 600);
    assert_eq!(
        delivered(&run(&worker).await),
        2,
        "one notice each to ada and bob"
    );
    assert!(run(&worker).await.is_empty());
    let resolved: Vec<String> = sink
        .requests()
        .iter()
        .filter(|r| r.json()["type"] == "notification.resolved")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(resolved.len(), 2);
    assert!(resolved.contains(&"/ada".to_owned()) && resolved.contains(&"/bob".to_owned()));
    assert!(
        !sink.requests().iter().any(|r| r.path == "/carol"),
        "cancelled"
    );
    let events = timeline(&app, incident).await;
    assert_eq!(count(&events, "notification.canceled"), 1);
    assert_eq!(count(&events, "incident.resolved"), 1);
    app.shutdown().await;
}
