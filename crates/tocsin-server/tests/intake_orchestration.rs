//! What decides about alerts besides deduplication, over HTTP: event rules (severity, tags, drop,
//! routing), silences, maintenance windows and inhibition hold alerts back — stored, listed,
//! explained, not paging — and when what held them ends, the ones still firing page.
mod support;

use serde_json::{Value, json};
use support::{explains, reevaluate, service_with_key};
use tocsin_domain::Clock;
use tocsin_testkit::{TestApp, spawn_app};

async fn trigger(app: &TestApp, key: &str, dedup_key: &str, summary: &str, source: &str) {
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": "trigger", "dedup_key": dedup_key,
                     "payload": { "summary": summary, "source": source, "severity": "warning" } }),
        )
        .await
        .expect_status(202);
}

async fn only_alert(app: &TestApp, service: &str) -> Value {
    let alerts = app
        .owner()
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        alerts["items"].as_array().map(Vec::len),
        Some(1),
        "{alerts}"
    );
    alerts["items"][0].clone()
}

#[tokio::test]
async fn a_silence_holds_matching_alerts_until_it_is_expired() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "silenced").await;
    let owner = app.owner();
    let now = app.clock.now();
    let silence = json!({
        "matchers": [{ "name": "source", "value": "db-.*", "isRegex": true, "isEqual": true }],
        "startsAt": now.to_string(), "endsAt": (now + jiff::SignedDuration::from_hours(2)).to_string(),
        "comment": "replacing the disks"
    });
    let preview_before = owner
        .post("/api/v1/silences/preview", &silence)
        .await
        .expect_status(200)
        .json();
    assert_eq!(preview_before["items"].as_array().map(Vec::len), Some(0));
    let created = owner
        .post("/api/v1/silences", &silence)
        .await
        .expect_status(201)
        .json();
    assert_eq!(created["status"]["state"], "active");
    assert_eq!(created["matchers"][0]["isRegex"], true);
    assert!(
        created["createdBy"]
            .as_str()
            .is_some_and(|by| !by.is_empty())
    );
    let id = created["id"].as_str().expect("id").to_owned();

    trigger(&app, &key, "disk", "Disk failing", "db-1").await;
    let alert = only_alert(&app, &service).await;
    assert_eq!(alert["state"], "suppressed");
    assert_eq!(
        alert["incident_id"],
        Value::Null,
        "a silenced alert opens no incident"
    );
    assert!(
        explains(&alert, &format!("silenced by silence {id}")),
        "{alert}"
    );
    assert!(explains(&alert, "replacing the disks"), "{alert}");
    let listed = owner.get("/api/v1/alerts?state=suppressed").await.json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let preview = owner
        .post("/api/v1/silences/preview", &silence)
        .await
        .json();
    assert_eq!(preview["items"][0]["id"], alert["id"]);

    // Still silenced: re-evaluation releases nothing. Expired: the alert pages.
    assert_eq!(reevaluate(&app).await, 0);
    owner
        .delete(&format!("/api/v1/silences/{id}"))
        .await
        .expect_status(204);
    assert_eq!(
        owner.get(&format!("/api/v1/silences/{id}")).await.json()["status"]["state"],
        "expired"
    );
    assert_eq!(reevaluate(&app).await, 1);
    let alert = only_alert(&app, &service).await;
    assert_eq!(alert["state"], "triggered");
    assert!(alert["incident_id"].is_string());
    assert!(explains(&alert, "paging now"), "{alert}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_repeat_after_the_silence_ends_pages_at_once() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "repeat").await;
    let owner = app.owner();
    let now = app.clock.now();
    let silence = owner
        .post("/api/v1/silences", &json!({
            "matchers": [{ "name": "source", "value": "web-1", "isRegex": false }],
            "startsAt": now.to_string(), "endsAt": (now + jiff::SignedDuration::from_mins(10)).to_string(),
            "comment": "deploy", "createdBy": "ada"
        }))
        .await
        .expect_status(201)
        .json();
    assert_eq!(silence["createdBy"], "ada");
    trigger(&app, &key, "5xx", "Errors", "web-1").await;
    assert_eq!(only_alert(&app, &service).await["state"], "suppressed");
    app.clock.advance(jiff::SignedDuration::from_mins(11));
    owner.get("/api/v1/silences").await.expect_status(200);
    trigger(&app, &key, "5xx", "Errors", "web-1").await;
    let alert = only_alert(&app, &service).await;
    assert_eq!(alert["state"], "triggered", "{alert}");
    assert_eq!(alert["occurrences"], 2);
    app.shutdown().await;
}

#[tokio::test]
async fn maintenance_holds_its_service_until_the_window_is_removed() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "maintained").await;
    let owner = app.owner();
    let now = app.clock.now();
    let window = owner
        .post(
            "/api/v1/maintenance-windows",
            &json!({
                "services": [service], "description": "db upgrade",
                "schedule": { "kind": "one_off", "starts_at": now.to_string(),
                              "ends_at": (now + jiff::SignedDuration::from_hours(1)).to_string() }
            }),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(window["active"], true);
    trigger(&app, &key, "cpu", "CPU high", "db-1").await;
    let alert = only_alert(&app, &service).await;
    assert_eq!(alert["state"], "suppressed");
    assert!(explains(&alert, "db upgrade"), "{alert}");
    let bad = owner
        .post(
            "/api/v1/maintenance-windows",
            &json!({ "services": [uuid::Uuid::now_v7()], "schedule":
            { "kind": "one_off", "starts_at": now.to_string(), "ends_at": now.to_string() } }),
        )
        .await
        .expect_status(422);
    assert!(
        bad.text.contains("/schedule") || bad.text.contains("/services/0"),
        "{}",
        bad.text
    );
    owner
        .delete(&format!(
            "/api/v1/maintenance-windows/{}",
            window["id"].as_str().expect("id")
        ))
        .await
        .expect_status(204);
    assert_eq!(reevaluate(&app).await, 1);
    assert_eq!(only_alert(&app, &service).await["state"], "triggered");
    app.shutdown().await;
}

#[tokio::test]
async fn event_rules_set_severity_tag_route_and_drop_with_reasons() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "rules").await;
    let (other, _) = service_with_key(&app, "databases").await;
    let owner = app.owner();
    let rules = json!({ "rules": [
        { "name": "noise", "conditions": "summary=~\"Heartbeat.*\"", "actions": [{ "type": "drop" }] },
        { "name": "databases", "conditions": "source=~\"db-.*\"", "actions": [
            { "type": "route_to_service", "service": other },
            { "type": "set_severity", "severity": "critical" },
            { "type": "add_tags", "tags": ["storage"] }
        ] }
    ]});
    let stored = owner
        .put("/api/v1/alert-rules", &rules)
        .await
        .expect_status(200);
    assert_eq!(stored.header("etag"), Some("\"1\""));
    // A stale write is refused.
    owner
        .json(
            reqwest::Method::PUT,
            "/api/v1/alert-rules",
            &rules,
            &[("if-match", "\"0\"")],
        )
        .await
        .expect_status(412);
    let invalid = owner
        .put(
            "/api/v1/alert-rules",
            &json!({ "rules": [{ "name": "x", "actions": [{ "type": "page_everyone" }] }] }),
        )
        .await
        .expect_status(422);
    assert!(
        invalid.text.contains("/rules/0/actions/0/type"),
        "{}",
        invalid.text
    );

    trigger(&app, &key, "hb", "Heartbeat check", "web-1").await;
    let none = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    assert_eq!(
        none["items"].as_array().map(Vec::len),
        Some(0),
        "dropped: {none}"
    );
    let timeline = owner
        .get(&format!("/api/v1/services/{service}/events"))
        .await
        .json();
    let dropped = timeline["items"]
        .as_array()
        .and_then(|i| i.iter().find(|e| e["kind"] == "alert.dropped"))
        .cloned();
    assert!(
        dropped.is_some_and(|e| e["payload"]["explanation"].to_string().contains("noise")),
        "{timeline}"
    );

    trigger(&app, &key, "disk", "Disk full", "db-7").await;
    let alert = only_alert(&app, &other).await;
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["fields"]["tag.storage"], "true");
    assert!(explains(&alert, "databases"), "{alert}");
    // The resolve is routed the same way, so it finds the alert.
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": "resolve", "dedup_key": "disk" }),
        )
        .await
        .expect_status(202);
    let resolved = only_alert(&app, &other).await;
    assert_eq!(
        resolved["state"], "resolved",
        "the key's own open alert, wherever it was routed: {resolved}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_firing_host_down_inhibits_its_services_until_it_resolves() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "inhibited").await;
    let owner = app.owner();
    owner
        .put(
            "/api/v1/inhibit-rules",
            &json!({ "rules": [{
                "source_matchers": "summary=\"Host down\"",
                "target_matchers": "severity=\"warning\"",
                "equal": ["source"]
            }]}),
        )
        .await
        .expect_status(200);
    let bad = owner
        .put(
            "/api/v1/inhibit-rules",
            &json!({ "rules": [{ "source_matchers": [], "target_matchers": "a=\"b\"" }] }),
        )
        .await
        .expect_status(422);
    assert!(
        bad.text.contains("/rules/0/source_matchers"),
        "{}",
        bad.text
    );

    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": "trigger", "dedup_key": "host",
            "payload": { "summary": "Host down", "source": "db-1", "severity": "critical" } }),
        )
        .await
        .expect_status(202);
    trigger(&app, &key, "disk", "Disk slow", "db-1").await;
    trigger(&app, &key, "web", "Disk slow", "web-9").await;
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    let by_key = |k: &str| {
        alerts["items"]
            .as_array()
            .and_then(|i| i.iter().find(|a| a["dedup_key"] == k))
            .cloned()
            .expect("alert")
    };
    assert_eq!(by_key("host")["state"], "triggered");
    assert_eq!(
        by_key("disk")["state"],
        "suppressed",
        "same host: inhibited"
    );
    assert!(
        explains(&by_key("disk"), "inhibited by firing alert"),
        "{alerts}"
    );
    assert_eq!(
        by_key("web")["state"],
        "triggered",
        "another host: not inhibited"
    );

    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": key, "event_action": "resolve", "dedup_key": "host" }),
        )
        .await
        .expect_status(202);
    assert_eq!(reevaluate(&app).await, 1);
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    let disk = alerts["items"]
        .as_array()
        .and_then(|i| i.iter().find(|a| a["dedup_key"] == "disk"))
        .cloned()
        .expect("alert");
    assert_eq!(disk["state"], "triggered");
    app.shutdown().await;
}

#[tokio::test]
async fn simulation_explains_without_storing_anything() {
    let app = spawn_app().await;
    let intake = app.intake("simulated", "alertmanager").await;
    let service = intake.service_id.to_string();
    let owner = app.owner();
    let keys = owner
        .get(&format!("/api/v1/services/{service}/integration-keys"))
        .await
        .json();
    let key_id = keys["items"][0]["id"].as_str().expect("key id").to_owned();
    owner
        .put("/api/v1/alert-rules", &json!({ "rules": [{ "name": "disk is critical",
            "conditions": "alertname=\"DiskFull\"", "actions": [{ "type": "set_severity", "severity": "critical" }] }] }))
        .await
        .expect_status(200);
    let payload = json!({ "version": "4", "status": "firing", "receiver": "tocsin", "alerts": [
        { "status": "firing", "labels": { "alertname": "DiskFull", "instance": "db-1" }, "fingerprint": "f1" }
    ]});
    let simulated = owner
        .post(
            "/api/v1/simulate/alert",
            &json!({ "integration_key_id": key_id, "payload": payload }),
        )
        .await
        .expect_status(200)
        .json();
    let first = &simulated["alerts"][0];
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["disposition"], "page");
    assert_eq!(first["dedup_key"], "f1");
    let explanation = first["explanation"].to_string();
    assert!(
        explanation.contains("disk is critical") && explanation.contains("would open a new alert"),
        "{explanation}"
    );
    let none = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    assert_eq!(
        none["items"].as_array().map(Vec::len),
        Some(0),
        "nothing stored"
    );

    // Once the alert exists, the same payload would repeat it.
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{}/alertmanager", intake.secret),
            &payload,
        )
        .await
        .expect_status(200);
    let again = owner
        .post(
            "/api/v1/simulate/alert",
            &json!({ "integration_key_id": key_id, "payload": payload }),
        )
        .await
        .json();
    assert!(
        again["alerts"][0]["existing_alert_id"].is_string(),
        "{again}"
    );
    assert!(
        again["alerts"][0]["explanation"]
            .to_string()
            .contains("another occurrence"),
        "{again}"
    );
    let invalid = owner
        .post(
            "/api/v1/simulate/alert",
            &json!({ "integration_key_id": key_id, "payload": { "alerts": "no" } }),
        )
        .await
        .expect_status(422);
    assert!(invalid.text.contains("/payload/"), "{}", invalid.text);
    app.shutdown().await;
}

#[tokio::test]
async fn grouping_gathers_alerts_into_one_incident_within_the_window() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "grouped").await;
    let owner = app.owner();
    let off = owner
        .get(&format!("/api/v1/services/{service}/grouping"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(off["policy"]["type"], "off");
    owner
        .put(
            &format!("/api/v1/services/{service}/grouping"),
            &json!({ "type": "content", "fields": ["source"], "window_seconds": 300 }),
        )
        .await
        .expect_status(200);
    let invalid = owner
        .put(
            &format!("/api/v1/services/{service}/grouping"),
            &json!({ "type": "content", "fields": [], "window_seconds": 0 }),
        )
        .await
        .expect_status(422);
    assert!(
        invalid.text.contains("/fields") || invalid.text.contains("/window_seconds"),
        "{}",
        invalid.text
    );

    trigger(&app, &key, "a", "Disk slow", "db-1").await;
    trigger(&app, &key, "b", "CPU high", "db-1").await;
    trigger(&app, &key, "c", "CPU high", "web-1").await;
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    let incident_of = |k: &str| {
        alerts["items"]
            .as_array()
            .and_then(|i| i.iter().find(|a| a["dedup_key"] == k))
            .map(|a| a["incident_id"].clone())
            .expect("alert")
    };
    assert_eq!(
        incident_of("a"),
        incident_of("b"),
        "same source: one incident"
    );
    assert_ne!(
        incident_of("a"),
        incident_of("c"),
        "another source: its own incident"
    );
    let incident = owner
        .get(&format!(
            "/api/v1/incidents/{}",
            incident_of("a").as_str().expect("id")
        ))
        .await
        .json();
    assert_eq!(incident["alert_count"], 2);
    let b = alerts["items"]
        .as_array()
        .and_then(|i| i.iter().find(|a| a["dedup_key"] == "b"))
        .cloned()
        .expect("b");
    assert!(explains(&b, "joined incident"), "{b}");

    // Past the window after the last alert, the same source opens a new incident.
    app.clock.advance(jiff::SignedDuration::from_mins(6));
    trigger(&app, &key, "d", "Disk slow", "db-1").await;
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    let d = alerts["items"]
        .as_array()
        .and_then(|i| i.iter().find(|a| a["dedup_key"] == "d"))
        .cloned()
        .expect("d");
    assert_ne!(d["incident_id"], incident_of("a"));

    // Both grouped alerts must resolve before their incident does.
    for dedup_key in ["a", "b"] {
        app.anonymous()
            .post(
                "/v2/enqueue",
                &json!({ "routing_key": key, "event_action": "resolve", "dedup_key": dedup_key }),
            )
            .await
            .expect_status(202);
        let status = owner
            .get(&format!(
                "/api/v1/incidents/{}",
                incident_of("a").as_str().expect("id")
            ))
            .await
            .json()["status"]
            .clone();
        assert_eq!(
            status,
            if dedup_key == "a" {
                "triggered"
            } else {
                "resolved"
            }
        );
    }
    app.shutdown().await;
}
