//! The incident lifecycle over HTTP, with the test clock: the per-service settings document, an
//! incident waiting out its stability window before resolving itself (and a new alert cancelling
//! that), reopening within the reopen window, and an alert storm folded into a counter beyond the
//! open-alert cap.
mod lifecycle;

use jiff::SignedDuration;
use lifecycle::*;
use serde_json::json;
use tocsin_testkit::spawn_app;

#[tokio::test]
async fn settings_default_validate_and_version() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "settings").await;
    let owner = app.owner();
    let path = format!("/api/v1/services/{service}/incident-lifecycle");
    let defaults = owner.get(&path).await.expect_status(200).json();
    assert_eq!(
        defaults,
        json!({"settings": {"stability_window_seconds": 0, "reopen_window_seconds": 0,
                            "max_open_alerts": 1000}, "version": 0})
    );
    let body = json!({"stability_window_seconds": 300, "reopen_window_seconds": 600,
                      "max_open_alerts": 50, "correlate_with_upstream": {"window_seconds": 900}});
    let stored = owner.put(&path, &body).await.expect_status(200);
    assert_eq!(stored.header("etag"), Some("\"1\""));
    assert_eq!(stored.json(), json!({"settings": body, "version": 1}));
    assert_eq!(owner.get(&path).await.json()["settings"], body);

    for (bad, pointer) in [
        (json!({"max_open_alerts": 0}), "/max_open_alerts"),
        (json!({"max_open_alerts": 100_001}), "/max_open_alerts"),
        (
            json!({"stability_window_seconds": 86_401}),
            "/stability_window_seconds",
        ),
        (
            json!({"reopen_window_seconds": -5}),
            "/reopen_window_seconds",
        ),
        (
            json!({"correlate_with_upstream": {"window_seconds": 0}}),
            "/correlate_with_upstream/window_seconds",
        ),
        (json!({"stabilty_window_seconds": 5}), ""),
    ] {
        let refused = owner.put(&path, &bad).await;
        assert!(
            refused.status == 422 || refused.status == 400,
            "{bad}: {}",
            refused.text
        );
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json")
        );
        assert!(refused.text.contains(pointer), "{bad}: {}", refused.text);
    }
    assert!(
        owner
            .put(&path, &json!({"stabilty_window_seconds": 5}))
            .await
            .text
            .contains("unknown field")
    );
    let unknown = uuid::Uuid::now_v7();
    owner
        .get(&format!("/api/v1/services/{unknown}/incident-lifecycle"))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn without_a_stability_window_an_incident_resolves_with_its_last_alert() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "immediate").await;
    send(&app, &key, "trigger", "disk").await;
    send(&app, &key, "resolve", "disk").await;
    let incident = incident_of(&app, &service, "disk").await;
    assert_eq!(incident["status"], "resolved");
    assert_eq!(incident["resolve_due_at"], serde_json::Value::Null);
    app.shutdown().await;
}

#[tokio::test]
async fn a_stability_window_keeps_the_incident_open_until_its_deadline() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "stable").await;
    settings(&app, &service, json!({"stability_window_seconds": 300})).await;
    send(&app, &key, "trigger", "disk").await;
    send(&app, &key, "resolve", "disk").await;
    let incident = incident_of(&app, &service, "disk").await;
    let id = incident["id"].as_str().expect("id").to_owned();
    assert_eq!(incident["status"], "triggered", "{incident}");
    assert_eq!(incident["open_alert_count"], 0);
    assert_eq!(incident["resolve_due_at"], "2026-11-27T12:05:00Z");
    let events = timeline(&app, &id).await;
    assert!(
        events
            .iter()
            .any(|(kind, reason)| kind == "incident.resolve_scheduled"
                && reason.contains("stability window of 300 s")),
        "{events:?}"
    );

    app.clock.advance(SignedDuration::from_secs(299));
    assert_eq!(resolve_due(&app).await, 0, "not yet due");
    app.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(resolve_due(&app).await, 1);
    let incident = get_incident(&app, &id).await;
    assert_eq!(incident["status"], "resolved");
    assert_eq!(incident["resolve_due_at"], serde_json::Value::Null);
    assert!(
        timeline(&app, &id)
            .await
            .iter()
            .any(|(kind, reason)| kind == "incident.resolved"
                && reason.contains("stability window passed"))
    );
    assert_eq!(resolve_due(&app).await, 0, "resolved once");
    app.shutdown().await;
}

#[tokio::test]
async fn a_new_alert_within_the_stability_window_cancels_the_resolution() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "flapping").await;
    settings(&app, &service, json!({"stability_window_seconds": 300})).await;
    send(&app, &key, "trigger", "disk").await;
    send(&app, &key, "resolve", "disk").await;
    let first = incident_of(&app, &service, "disk").await;
    let id = first["id"].as_str().expect("id").to_owned();

    // The same alert fires again 2 minutes later: it rejoins the waiting incident.
    app.clock.advance(SignedDuration::from_mins(2));
    send(&app, &key, "trigger", "disk").await;
    let again = alert(&app, &service, "disk").await;
    assert_eq!(again["state"], "triggered");
    assert_eq!(again["incident_id"], first["id"], "{again}");
    assert!(
        explains(&again, "waited out its stability window"),
        "{again}"
    );
    let incident = get_incident(&app, &id).await;
    assert_eq!(incident["status"], "triggered");
    assert_eq!(incident["open_alert_count"], 1);
    assert_eq!(incident["resolve_due_at"], serde_json::Value::Null);
    assert!(
        timeline(&app, &id)
            .await
            .iter()
            .any(|(kind, _)| kind == "incident.resolve_cancelled")
    );
    app.clock.advance(SignedDuration::from_mins(10));
    assert_eq!(resolve_due(&app).await, 0, "the old deadline is gone");
    assert_eq!(
        incident_of(&app, &service, "disk").await["status"],
        "triggered"
    );

    send(&app, &key, "resolve", "disk").await;
    app.clock.advance(SignedDuration::from_mins(5));
    assert_eq!(resolve_due(&app).await, 1);
    assert_eq!(
        incident_of(&app, &service, "disk").await["status"],
        "resolved"
    );
    assert_eq!(incidents(&app, &service).await.len(), 1);
    app.shutdown().await;
}

#[tokio::test]
async fn a_retrigger_within_the_reopen_window_reopens_the_incident() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "reopening").await;
    settings(&app, &service, json!({"reopen_window_seconds": 600})).await;
    send(&app, &key, "trigger", "disk").await;
    send(&app, &key, "resolve", "disk").await;
    let first = incident_of(&app, &service, "disk").await;
    assert_eq!(first["status"], "resolved");
    let id = first["id"].as_str().expect("id").to_owned();

    app.clock.advance(SignedDuration::from_secs(42));
    send(&app, &key, "trigger", "disk").await;
    let again = alert(&app, &service, "disk").await;
    assert_eq!(again["incident_id"], first["id"], "{again}");
    assert!(explains(&again, "reopened incident #"), "{again}");
    let reopened = get_incident(&app, &id).await;
    assert_eq!(reopened["status"], "triggered");
    assert_eq!(reopened["resolved_at"], serde_json::Value::Null);
    assert_eq!(reopened["alert_count"], 2);
    assert!(
        timeline(&app, &id).await.iter().any(|(kind, reason)| kind == "incident.reopened"
            && reason == "reopened: re-triggered 42s after it resolved, within the reopen window of 600 s"),
        "{:?}",
        timeline(&app, &id).await
    );

    // Resolved again; a re-trigger after the window opens a new incident.
    send(&app, &key, "resolve", "disk").await;
    app.clock.advance(SignedDuration::from_secs(600));
    send(&app, &key, "trigger", "disk").await;
    let late = alert(&app, &service, "disk").await;
    assert_ne!(late["incident_id"], first["id"]);
    assert!(explains(&late, "opened incident #"), "{late}");
    // Another dedup key never reopens it.
    send(&app, &key, "trigger", "cpu").await;
    assert_ne!(
        alert(&app, &service, "cpu").await["incident_id"],
        first["id"]
    );
    assert_eq!(incidents(&app, &service).await.len(), 3);
    app.shutdown().await;
}

#[tokio::test]
async fn an_alert_storm_beyond_the_cap_is_folded_into_a_counter() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "stormy").await;
    settings(&app, &service, json!({"max_open_alerts": 3})).await;
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/grouping"),
            &json!({"type": "time_window", "window_seconds": 3600}),
        )
        .await
        .expect_status(200);
    for n in 0..40 {
        send(&app, &key, "trigger", &format!("storm-{n}")).await;
    }
    assert_eq!(alerts(&app, &service).await.len(), 3, "rows stay bounded");
    let all = incidents(&app, &service).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let incident = &all[0];
    assert_eq!(incident["alert_count"], 3);
    assert_eq!(incident["folded_alerts"], 37);
    let id = incident["id"].as_str().expect("id");
    let events = timeline(&app, id).await;
    let folded: Vec<_> = events
        .iter()
        .filter(|(kind, _)| kind == "incident.alerts_folded")
        .collect();
    assert_eq!(
        folded.len(),
        1,
        "recorded once, not per folded alert: {events:?}"
    );
    assert!(folded[0].1.contains("at its cap of 3"), "{folded:?}");
    assert!(
        events.len() < 8,
        "the timeline does not grow with the storm: {events:?}"
    );

    // A repeat of a stored alert is still a repeat; a resolve frees a slot.
    send(&app, &key, "trigger", "storm-0").await;
    send(&app, &key, "resolve", "storm-1").await;
    send(&app, &key, "trigger", "storm-new").await;
    assert_eq!(alerts(&app, &service).await.len(), 4);
    assert_eq!(
        incident_of(&app, &service, "storm-new").await["folded_alerts"],
        37
    );
    app.shutdown().await;
}
