//! Heartbeat monitors over HTTP: create, read, change (If-Match) and delete them under a service,
//! refuse invalid input with a pointer to the field, ping with any method (unknown keys 404), and
//! the missed -> alert -> ping -> resolved flow, driven by the engine's check at the test clock's
//! time (the background worker sleeps on real time, so tests call the check themselves).
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};
use tocsin_domain::Clock;
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::id::{AlertId, IncidentId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::{alert, incident};
use tocsin_testkit::{TestApp, spawn_app};

async fn service(app: &TestApp) -> String {
    let name = format!("svc {}", uuid::Uuid::now_v7());
    app.owner()
        .post("/api/v1/services", &json!({ "name": name }))
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("service id")
        .to_owned()
}

async fn heartbeat(app: &TestApp, service: &str, body: Value) -> Value {
    app.owner()
        .post(&format!("/api/v1/services/{service}/heartbeats"), &body)
        .await
        .expect_status(201)
        .json()
}

fn text(value: &Value) -> &str {
    value.as_str().expect("a string")
}

#[tokio::test]
async fn heartbeats_are_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    let owner = app.owner();
    let svc = service(&app).await;
    let created = owner
        .post(
            &format!("/api/v1/services/{svc}/heartbeats"),
            &json!({"name": "nightly backup", "interval_secs": 3600, "grace_secs": 300}),
        )
        .await
        .expect_status(201);
    assert_eq!(created.header("etag"), Some("\"1\""));
    let body = created.json();
    let id = text(&body["id"]).to_owned();
    let secret = text(&body["secret"]).to_owned();
    assert!(secret.starts_with("tocsin_hb_"), "{secret}");
    assert_eq!(
        body["ping_path"],
        format!("/api/v1/heartbeats/{secret}/ping")
    );
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/services/{svc}/heartbeats/{id}").as_str())
    );
    assert_eq!(body["state"], "waiting");
    assert_eq!(body["severity"], "error");
    assert_eq!(body["dedup_key"], format!("heartbeat:{id}"));
    let due: jiff::Timestamp = text(&body["due_at"]).parse().expect("instant");
    assert_eq!(due, app.clock.now() + SignedDuration::from_secs(3900));

    let listed = owner
        .get(&format!("/api/v1/services/{svc}/heartbeats"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["items"][0]["id"], id.as_str());

    let one = format!("/api/v1/services/{svc}/heartbeats/{id}");
    owner.get(&one).await.expect_status(200);
    let stale = owner
        .patch(&one, &json!({"interval_secs": 60}), Some("\"9\""))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let changed = owner
        .patch(
            &one,
            &json!({"interval_secs": 60, "grace_secs": 0, "severity": "critical"}),
            Some("\"1\""),
        )
        .await
        .expect_status(200);
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let changed = changed.json();
    assert_eq!(
        (
            changed["interval_secs"].as_i64(),
            changed["severity"].as_str()
        ),
        (Some(60), Some("critical"))
    );
    let due: jiff::Timestamp = text(&changed["due_at"]).parse().expect("instant");
    assert_eq!(due, app.clock.now() + SignedDuration::from_secs(60));

    // Another service's path does not reach it.
    let other = service(&app).await;
    owner
        .get(&format!("/api/v1/services/{other}/heartbeats/{id}"))
        .await
        .expect_status(404);

    owner.delete(&one).await.expect_status(204);
    owner.get(&one).await.expect_status(404);
    app.anonymous()
        .get(&format!("/api/v1/heartbeats/{secret}/ping"))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn invalid_input_names_the_fields_at_fault() {
    let app = spawn_app().await;
    let svc = service(&app).await;
    let path = format!("/api/v1/services/{svc}/heartbeats");
    let refused = app
        .owner()
        .post(
            &path,
            &json!({"name": "", "interval_secs": 5, "grace_secs": 86_401, "severity": "dire"}),
        )
        .await
        .expect_status(422);
    let pointers: Vec<String> = refused.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| text(&e["pointer"]).to_owned())
        .collect();
    assert_eq!(
        pointers,
        ["/name", "/interval_secs", "/grace_secs", "/severity"]
    );

    let too_long = app
        .owner()
        .post(
            &path,
            &json!({"name": "monthly", "interval_secs": 31 * 86_400 + 1}),
        )
        .await
        .expect_status(422);
    assert_eq!(too_long.json()["errors"][0]["pointer"], "/interval_secs");

    let hb = heartbeat(&app, &svc, json!({"name": "ok", "interval_secs": 10})).await;
    let one = format!("{path}/{}", text(&hb["id"]));
    let bad_patch = app
        .owner()
        .patch(&one, &json!({"grace_secs": -1}), None)
        .await
        .expect_status(422);
    assert_eq!(bad_patch.json()["errors"][0]["pointer"], "/grace_secs");
    let wrong_type = app
        .owner()
        .patch(&one, &json!({"interval_secs": "an hour"}), None)
        .await
        .expect_status(422);
    assert_eq!(wrong_type.json()["errors"][0]["pointer"], "/interval_secs");
    app.shutdown().await;
}

#[tokio::test]
async fn pings_are_accepted_with_any_method_and_unknown_keys_are_404() {
    let app = spawn_app().await;
    let svc = service(&app).await;
    let hb = heartbeat(
        &app,
        &svc,
        json!({"name": "cron", "interval_secs": 60, "grace_secs": 15}),
    )
    .await;
    let ping = text(&hb["ping_path"]).to_owned();
    let client = app.anonymous();

    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ] {
        app.clock.advance(SignedDuration::from_secs(10));
        let answer = client
            .send(method.clone(), &ping, None, &[])
            .await
            .expect_status(200);
        let body = answer.json();
        assert_eq!(body["status"], "ok", "{method}");
        let next: jiff::Timestamp = text(&body["next_due_at"]).parse().expect("instant");
        assert_eq!(
            next,
            app.clock.now() + SignedDuration::from_secs(75),
            "{method}"
        );
    }
    // A body is ignored; HEAD answers 200 without one.
    client
        .send(
            Method::POST,
            &ping,
            Some(("text/plain", b"job done".to_vec())),
            &[],
        )
        .await
        .expect_status(200);
    app.clock.advance(SignedDuration::from_secs(10));
    let head = client
        .send(Method::HEAD, &ping, None, &[])
        .await
        .expect_status(200);
    assert!(head.text.is_empty());
    let stored = app
        .owner()
        .get(&format!(
            "/api/v1/services/{svc}/heartbeats/{}",
            text(&hb["id"])
        ))
        .await
        .json();
    assert_eq!(stored["state"], "up");
    let last: jiff::Timestamp = text(&stored["last_ping_at"]).parse().expect("instant");
    assert_eq!(last, app.clock.now(), "the HEAD ping counted");

    // TRACE is not a request for a resource.
    client
        .send(Method::TRACE, &ping, None, &[])
        .await
        .expect_status(405);

    for unknown in ["tocsin_hb_nope", "x"] {
        let missing = client
            .get(&format!("/api/v1/heartbeats/{unknown}/ping"))
            .await
            .expect_status(404);
        assert_eq!(missing.json()["type"], "/problems/not-found");
    }
    // An integration key is not a ping key.
    let key = app.intake("hook", "heartbeat").await;
    client
        .get(&format!("/api/v1/heartbeats/{}/ping", key.secret))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn a_missed_deadline_opens_an_alert_and_the_next_ping_resolves_it() {
    let app = spawn_app().await;
    let svc = service(&app).await;
    let hb = heartbeat(
        &app,
        &svc,
        json!({"name": "backup", "interval_secs": 600, "grace_secs": 60, "severity": "critical"}),
    )
    .await;
    let one = format!("/api/v1/services/{svc}/heartbeats/{}", text(&hb["id"]));
    let ping = text(&hb["ping_path"]).to_owned();
    app.anonymous()
        .post(&ping, &json!({}))
        .await
        .expect_status(200);

    // One second before the deadline nothing happens.
    app.clock.advance(SignedDuration::from_secs(659));
    let early = tocsin_engine::heartbeat::check(&app.store, app.clock.now())
        .await
        .expect("check");
    assert!(early.is_empty());
    assert_eq!(app.owner().get(&one).await.json()["state"], "up");

    // At the deadline the heartbeat goes down and opens an alert and an incident.
    app.clock.advance(SignedDuration::from_secs(1));
    let missed = tocsin_engine::heartbeat::check(&app.store, app.clock.now())
        .await
        .expect("check");
    assert_eq!(missed.len(), 1);
    let alert_id: AlertId = missed[0].alert_id.expect("an alert");
    let incident_id: IncidentId = missed[0].incident_id.expect("an incident");
    assert_eq!(app.owner().get(&one).await.json()["state"], "down");
    let opened = app
        .owner()
        .get(&format!("/api/v1/alerts/{alert_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(opened["state"], "triggered");
    assert_eq!(opened["source_kind"], "heartbeat");
    assert_eq!(opened["severity"], "critical");
    assert_eq!(
        opened["summary"],
        "Heartbeat backup missed: no ping for 11m"
    );

    // Checking again opens nothing more.
    app.clock.advance(SignedDuration::from_secs(3600));
    let again = tocsin_engine::heartbeat::check(&app.store, app.clock.now())
        .await
        .expect("check");
    assert!(again.is_empty());
    let alerts = app
        .owner()
        .get(&format!("/api/v1/alerts?service_id={svc}"))
        .await
        .json();
    assert_eq!(alerts["items"].as_array().map(Vec::len), Some(1));

    // The next ping resolves the alert and its incident.
    app.anonymous().get(&ping).await.expect_status(200);
    assert_eq!(app.owner().get(&one).await.json()["state"], "up");
    let resolved = alert::get(app.store.reader(), alert_id)
        .await
        .expect("alert");
    assert_eq!(resolved.state, AlertState::Resolved);
    let inc = incident::get(app.store.reader(), incident_id)
        .await
        .expect("incident");
    assert_eq!(inc.status, IncidentStatus::Resolved);
    let timeline: Vec<String> = app
        .owner()
        .get(&format!("/api/v1/alerts/{alert_id}/events"))
        .await
        .expect_status(200)
        .json()["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| text(&e["kind"]).to_owned())
        .collect();
    assert!(
        timeline.iter().any(|k| k.contains("resolved")),
        "{timeline:?}"
    );
    app.shutdown().await;
}
