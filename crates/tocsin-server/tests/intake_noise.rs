//! Noise control over HTTP, with the test clock: a rule's threshold holds an alert until enough
//! occurrences fall within its window (never a critical one), a flapping key is held until it
//! stops flapping, a transient pause holds every new alert and marks the ones that resolve within
//! it transient, and group wait stamps the incident with `page_after`.
mod support;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use support::{explains, reevaluate, service_with_key};
use tocsin_domain::Clock;
use tocsin_testkit::{TestApp, spawn_app};

async fn send(app: &TestApp, key: &str, action: &str, dedup_key: &str, severity: &str) {
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": action, "dedup_key": dedup_key,
                     "payload": { "summary": "Disk slow", "source": "db-1", "severity": severity } }),
        )
        .await
        .expect_status(202);
}

async fn trigger(app: &TestApp, key: &str, dedup_key: &str) {
    send(app, key, "trigger", dedup_key, "warning").await;
}

async fn resolve(app: &TestApp, key: &str, dedup_key: &str) {
    send(app, key, "resolve", dedup_key, "warning").await;
}

async fn alerts(app: &TestApp, query: &str) -> Vec<Value> {
    let page = app
        .owner()
        .get(&format!("/api/v1/alerts?{query}"))
        .await
        .expect_status(200)
        .json();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// The newest alert of the service.
async fn latest(app: &TestApp, service: &str) -> Value {
    alerts(app, &format!("service_id={service}"))
        .await
        .first()
        .cloned()
        .expect("an alert")
}

async fn next_due(app: &TestApp) -> Option<Timestamp> {
    tocsin_engine::held::next_due(&app.store, app.clock.now())
        .await
        .expect("next deadline")
}

async fn set_threshold(app: &TestApp, service: &str, count: u32, window_seconds: u32) {
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/alert-rules"),
            &json!({ "rules": [{ "name": "slow disks", "conditions": "summary=\"Disk slow\"",
                "actions": [{ "type": "threshold", "count": count, "window_seconds": window_seconds }] }] }),
        )
        .await
        .expect_status(200);
}

async fn set_noise(app: &TestApp, service: &str, settings: Value) -> Value {
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/noise-control"),
            &settings,
        )
        .await
        .expect_status(200)
        .json()
}

fn advance(app: &TestApp, seconds: i64) {
    app.clock.advance(SignedDuration::from_secs(seconds));
}

#[tokio::test]
async fn a_threshold_pages_when_reached_and_aged_out_occurrences_do_not_count() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "threshold").await;
    set_threshold(&app, &service, 3, 300).await;

    trigger(&app, &key, "disk").await;
    let held = latest(&app, &service).await;
    assert_eq!(held["state"], "suppressed", "{held}");
    assert_eq!(held["hold"], "threshold");
    assert_eq!(held["incident_id"], Value::Null);
    assert!(
        explains(
            &held,
            r#"held by threshold of rule "slow disks": seen 1 of 3 occurrences within 300 s"#
        ),
        "{held}"
    );
    advance(&app, 200);
    trigger(&app, &key, "disk").await;
    assert_eq!(latest(&app, &service).await["state"], "suppressed");
    // The first occurrence leaves the window: this is the second within it, not the third.
    advance(&app, 200);
    trigger(&app, &key, "disk").await;
    let still = latest(&app, &service).await;
    assert_eq!(still["state"], "suppressed", "{still}");
    assert_eq!(still["occurrences"], 3);
    assert_eq!(
        reevaluate(&app).await,
        0,
        "only a repeat reaches a threshold"
    );
    advance(&app, 10);
    trigger(&app, &key, "disk").await;
    let paged = latest(&app, &service).await;
    assert_eq!(paged["state"], "triggered", "{paged}");
    assert!(paged["incident_id"].is_string());
    assert_eq!(paged["hold"], Value::Null);
    assert!(
        explains(
            &paged,
            r#"threshold of rule "slow disks" reached: seen 3 of 3 occurrences within 300 s"#
        ),
        "{paged}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_threshold_reached_within_the_transient_pause_waits_for_the_pause() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "both").await;
    set_threshold(&app, &service, 2, 300).await;
    set_noise(&app, &service, json!({ "transient_pause_seconds": 60 })).await;
    let start = app.clock.now();
    trigger(&app, &key, "disk").await;
    assert_eq!(latest(&app, &service).await["hold"], "threshold");
    assert_eq!(next_due(&app).await, None, "a threshold has no deadline");
    advance(&app, 10);
    trigger(&app, &key, "disk").await;
    let paused = latest(&app, &service).await;
    assert_eq!(paused["state"], "suppressed", "{paused}");
    assert_eq!(paused["hold"], "transient_pause");
    assert!(explains(&paused, "reached: seen 2 of 2"), "{paused}");
    let pause_end = start + SignedDuration::from_secs(60);
    assert_eq!(next_due(&app).await, Some(pause_end));
    let timeline = app
        .owner()
        .get(&format!(
            "/api/v1/alerts/{}/events",
            paused["id"].as_str().expect("id")
        ))
        .await
        .json();
    assert!(timeline.to_string().contains("alert.held"), "{timeline}");
    advance(&app, 50);
    assert_eq!(reevaluate(&app).await, 1);
    assert_eq!(latest(&app, &service).await["state"], "triggered");
    app.shutdown().await;
}

#[tokio::test]
async fn a_critical_alert_is_not_held_by_a_threshold() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "critical").await;
    set_threshold(&app, &service, 5, 600).await;
    send(&app, &key, "trigger", "down", "critical").await;
    let alert = latest(&app, &service).await;
    assert_eq!(alert["state"], "triggered", "{alert}");
    assert!(alert["incident_id"].is_string());
    assert!(
        explains(&alert, "thresholds do not hold critical alerts"),
        "{alert}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_alert_held_by_a_threshold_that_resolves_just_resolves() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "quiet").await;
    set_threshold(&app, &service, 2, 60).await;
    trigger(&app, &key, "disk").await;
    resolve(&app, &key, "disk").await;
    let alert = latest(&app, &service).await;
    assert_eq!(alert["state"], "resolved");
    assert_eq!(alert["incident_id"], Value::Null, "never paged");
    assert_eq!(alert["transient"], false);
    app.shutdown().await;
}

#[tokio::test]
async fn an_alert_resolved_within_its_transient_pause_never_pages_and_is_transient() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "paused").await;
    set_noise(&app, &service, json!({ "transient_pause_seconds": 60 })).await;
    let start = app.clock.now();
    trigger(&app, &key, "blip").await;
    let held = latest(&app, &service).await;
    assert_eq!(held["state"], "suppressed", "{held}");
    assert_eq!(held["hold"], "transient_pause");
    assert!(
        explains(&held, "paused for 60 s to see whether it is transient"),
        "{held}"
    );
    let pause_end = start + SignedDuration::from_secs(60);
    assert_eq!(held["held_until"], pause_end.to_string());
    assert_eq!(
        next_due(&app).await,
        Some(pause_end),
        "the worker wakes at the pause's end"
    );

    advance(&app, 30);
    resolve(&app, &key, "blip").await;
    let resolved = latest(&app, &service).await;
    assert_eq!(resolved["state"], "resolved");
    assert_eq!(resolved["transient"], true, "{resolved}");
    assert_eq!(resolved["incident_id"], Value::Null);
    assert!(explains(
        &resolved,
        "transient: resolved within its transient pause"
    ));
    let timeline = app
        .owner()
        .get(&format!(
            "/api/v1/alerts/{}/events",
            resolved["id"].as_str().expect("id")
        ))
        .await
        .json();
    assert!(
        timeline.to_string().contains("transient pause"),
        "{timeline}"
    );
    assert_eq!(alerts(&app, "transient=true").await.len(), 1);
    assert_eq!(
        alerts(&app, &format!("transient=false&service_id={service}"))
            .await
            .len(),
        0
    );
    app.owner()
        .get("/api/v1/alerts?transient=maybe")
        .await
        .expect_status(422);

    advance(&app, 60);
    assert_eq!(reevaluate(&app).await, 0);
    let incidents = app
        .owner()
        .get(&format!("/api/v1/incidents?service_id={service}"))
        .await
        .json();
    assert_eq!(incidents["items"].as_array().map(Vec::len), Some(0));
    app.shutdown().await;
}

#[tokio::test]
async fn an_alert_still_firing_after_its_transient_pause_pages() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "lasting").await;
    set_noise(&app, &service, json!({ "transient_pause_seconds": 60 })).await;
    trigger(&app, &key, "disk").await;
    advance(&app, 59);
    assert_eq!(reevaluate(&app).await, 0, "the pause is not over");
    trigger(&app, &key, "disk").await;
    assert_eq!(
        latest(&app, &service).await["state"],
        "suppressed",
        "a repeat does not end the pause"
    );
    advance(&app, 1);
    assert_eq!(reevaluate(&app).await, 1);
    let paged = latest(&app, &service).await;
    assert_eq!(paged["state"], "triggered", "{paged}");
    assert!(paged["incident_id"].is_string());
    assert_eq!(paged["transient"], false);
    assert!(
        explains(&paged, "still firing after its transient pause: paging now"),
        "{paged}"
    );
    assert_eq!(next_due(&app).await, None, "nothing is held any more");
    app.shutdown().await;
}

#[tokio::test]
async fn a_flapping_key_is_held_until_it_stops_flapping_then_pages() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "flappy").await;
    set_noise(
        &app,
        &service,
        json!({ "flap": { "max_changes": 2, "window_seconds": 600 } }),
    )
    .await;
    let start = app.clock.now();
    trigger(&app, &key, "link").await;
    assert_eq!(latest(&app, &service).await["state"], "triggered");
    advance(&app, 10);
    resolve(&app, &key, "link").await;
    advance(&app, 10);
    trigger(&app, &key, "link").await;
    let held = latest(&app, &service).await;
    assert_eq!(held["state"], "suppressed", "{held}");
    assert_eq!(held["hold"], "flapping");
    assert!(
        explains(
            &held,
            "held as flapping: 3 state changes of this alert key within 600 s (more than 2)"
        ),
        "{held}"
    );
    // It stops flapping when the first trigger leaves the window.
    let stops = start + SignedDuration::from_secs(600);
    assert_eq!(next_due(&app).await, Some(stops));
    advance(&app, 579);
    assert_eq!(reevaluate(&app).await, 0);
    advance(&app, 1);
    assert_eq!(reevaluate(&app).await, 1);
    let paged = latest(&app, &service).await;
    assert_eq!(paged["state"], "triggered", "{paged}");
    assert!(
        explains(&paged, "no longer flapping and still firing: paging now"),
        "{paged}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn group_wait_stamps_the_incident_with_page_after() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "bursty").await;
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/grouping"),
            &json!({ "type": "time_window", "window_seconds": 300, "group_wait_seconds": 60 }),
        )
        .await
        .expect_status(200);
    let start = app.clock.now();
    trigger(&app, &key, "a").await;
    advance(&app, 5);
    trigger(&app, &key, "b").await;
    let all = alerts(&app, &format!("service_id={service}")).await;
    let (b, a) = (&all[0], &all[1]);
    assert_eq!(a["incident_id"], b["incident_id"]);
    let page_after = start + SignedDuration::from_secs(60);
    assert!(
        explains(
            a,
            &format!("group wait: notifications wait until {page_after} so a burst pages once")
        ),
        "{a}"
    );
    assert!(explains(b, "during its group wait"), "{b}");
    let incident_id = a["incident_id"].as_str().expect("incident");
    let incident = app
        .owner()
        .get(&format!("/api/v1/incidents/{incident_id}"))
        .await
        .json();
    assert_eq!(incident["page_after"], page_after.to_string());
    assert_eq!(incident["alert_count"], 2);
    let timeline = app
        .owner()
        .get(&format!("/api/v1/incidents/{incident_id}/events"))
        .await
        .json();
    assert!(timeline.to_string().contains("group wait"), "{timeline}");
    app.shutdown().await;
}

#[tokio::test]
async fn noise_control_settings_are_validated_and_versioned() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "settings").await;
    let owner = app.owner();
    let path = format!("/api/v1/services/{service}/noise-control");
    let off = owner.get(&path).await.expect_status(200);
    assert_eq!(off.header("etag"), Some("\"0\""));
    let off = off.json();
    assert_eq!(off["settings"]["transient_pause_seconds"], 0);
    assert_eq!(off["settings"]["flap"], Value::Null);
    let stored = set_noise(
        &app,
        &service,
        json!({ "transient_pause_seconds": 30, "flap": { "max_changes": 4, "window_seconds": 600 } }),
    )
    .await;
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["settings"]["flap"]["max_changes"], 4);
    for (body, pointer) in [
        (
            json!({ "transient_pause_seconds": 86401 }),
            "/transient_pause_seconds",
        ),
        (
            json!({ "flap": { "max_changes": 0, "window_seconds": 10 } }),
            "/flap/max_changes",
        ),
        (
            json!({ "transient_pause_seconds": "soon" }),
            "/transient_pause_seconds",
        ),
        (json!({ "pause": 3 }), "pause"),
    ] {
        let refused = owner.put(&path, &body).await.expect_status(422);
        assert!(refused.text.contains(pointer), "{body}: {}", refused.text);
        assert!(
            refused
                .header("content-type")
                .is_some_and(|t| t.contains("problem+json"))
        );
    }
    owner
        .json(
            reqwest::Method::PUT,
            &path,
            &json!({}),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect_status(412);
    owner
        .get(&format!(
            "/api/v1/services/{}/noise-control",
            uuid::Uuid::now_v7()
        ))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn simulation_reports_noise_holds() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "simulated").await;
    set_threshold(&app, &service, 2, 60).await;
    let owner = app.owner();
    let keys = owner
        .get(&format!("/api/v1/services/{service}/integration-keys"))
        .await
        .json();
    let key_id = keys["items"][0]["id"].as_str().expect("key id").to_owned();
    let payload = json!({ "routing_key": key, "event_action": "trigger", "dedup_key": "disk",
        "payload": { "summary": "Disk slow", "source": "db-1", "severity": "warning" } });
    let request = json!({ "integration_key_id": key_id, "payload": payload });
    let simulate = || owner.post("/api/v1/simulate/alert", &request);
    let first = simulate().await.expect_status(200).json();
    assert_eq!(first["alerts"][0]["disposition"], "suppress", "{first}");
    assert!(
        first["alerts"][0]["explanation"]
            .to_string()
            .contains("seen 1 of 2"),
        "{first}"
    );
    trigger(&app, &key, "disk").await;
    let second = simulate().await.json();
    assert_eq!(second["alerts"][0]["disposition"], "page", "{second}");
    assert!(
        second["alerts"][0]["explanation"]
            .to_string()
            .contains("reached: seen 2 of 2"),
        "{second}"
    );
    app.shutdown().await;
}
