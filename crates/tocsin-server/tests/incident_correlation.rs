//! Dependency-aware correlation over HTTP: a downstream service's new alert joins the recent open
//! incident of a service it depends on (directly or transitively) instead of paging separately;
//! not outside the window, not for an unrelated service. And the simulation reporting the grouping,
//! join, open, reopen, correlation and cap decisions without storing anything.
mod lifecycle;

use jiff::SignedDuration;
use lifecycle::*;
use serde_json::{Value, json};
use tocsin_testkit::{TestApp, spawn_app};

async fn depends_on(app: &TestApp, service: &str, upstream: &str) {
    app.owner()
        .patch(
            &format!("/api/v1/services/{service}"),
            &json!({"depends_on": [upstream]}),
            None,
        )
        .await
        .expect_status(200);
}

#[tokio::test]
async fn a_downstream_alert_joins_the_upstream_incident_within_the_window() {
    let app = spawn_app().await;
    let (db, db_key) = service_with_key(&app, "db").await;
    let (cache, _) = service_with_key(&app, "cache").await;
    let (api, api_key) = service_with_key(&app, "api").await;
    let (web, web_key) = service_with_key(&app, "web").await;
    let (other, other_key) = service_with_key(&app, "billing").await;
    // web -> api -> cache -> db; billing depends on nothing.
    depends_on(&app, &cache, &db).await;
    depends_on(&app, &api, &cache).await;
    depends_on(&app, &web, &api).await;
    for service in [&api, &web, &other] {
        settings(
            &app,
            service,
            json!({"correlate_with_upstream": {"window_seconds": 900}}),
        )
        .await;
    }

    send(&app, &db_key, "trigger", "db-down").await;
    let upstream = incident_of(&app, &db, "db-down").await;
    app.clock.advance(SignedDuration::from_mins(5));
    send(&app, &api_key, "trigger", "api-errors").await;
    let joined = alert(&app, &api, "api-errors").await;
    assert_eq!(joined["incident_id"], upstream["id"], "{joined}");
    let number = upstream["number"].as_i64().expect("number");
    assert!(
        explains(
            &joined,
            &format!(
                "joined incident #{number} of upstream service db: api depends on it (through 1 service in between); downstream impact, not paged separately"
            )
        ),
        "{joined}"
    );
    assert!(
        incidents(&app, &api).await.is_empty(),
        "api opened none of its own"
    );
    send(&app, &web_key, "trigger", "web-slow").await;
    assert_eq!(
        alert(&app, &web, "web-slow").await["incident_id"],
        upstream["id"]
    );
    assert_eq!(
        get_incident(&app, upstream["id"].as_str().expect("id")).await["alert_count"],
        3
    );

    // An unrelated service opens its own.
    send(&app, &other_key, "trigger", "billing-down").await;
    assert_ne!(
        alert(&app, &other, "billing-down").await["incident_id"],
        upstream["id"]
    );

    // The upstream incident was opened 15 minutes ago: outside the window, api opens its own.
    app.clock.advance(SignedDuration::from_mins(10));
    send(&app, &api_key, "trigger", "api-late").await;
    let late = alert(&app, &api, "api-late").await;
    assert_ne!(late["incident_id"], upstream["id"]);
    assert!(explains(&late, "opened incident #"), "{late}");
    app.shutdown().await;
}

#[tokio::test]
async fn without_correlation_a_downstream_alert_opens_its_own_incident() {
    let app = spawn_app().await;
    let (db, db_key) = service_with_key(&app, "db").await;
    let (api, api_key) = service_with_key(&app, "api").await;
    depends_on(&app, &api, &db).await;
    send(&app, &db_key, "trigger", "db-down").await;
    send(&app, &api_key, "trigger", "api-errors").await;
    assert_ne!(
        alert(&app, &api, "api-errors").await["incident_id"],
        incident_of(&app, &db, "db-down").await["id"]
    );
    app.shutdown().await;
}

async fn key_id(app: &TestApp, service: &str) -> String {
    let keys = app
        .owner()
        .get(&format!("/api/v1/services/{service}/integration-keys"))
        .await
        .json();
    keys["items"][0]["id"].as_str().expect("key id").to_owned()
}

async fn simulate(app: &TestApp, key_id: &str, secret: &str, dedup_key: &str) -> Value {
    let payload = json!({ "routing_key": secret, "event_action": "trigger", "dedup_key": dedup_key,
                          "payload": { "summary": "simulated", "source": "host-1", "severity": "error" } });
    let answer = app
        .owner()
        .post(
            "/api/v1/simulate/alert",
            &json!({ "integration_key_id": key_id, "payload": payload }),
        )
        .await
        .expect_status(200)
        .json();
    answer["alerts"][0].clone()
}

fn says(simulated: &Value, needle: &str) -> bool {
    explains(simulated, needle)
}

#[tokio::test]
async fn simulation_reports_the_incident_decision_without_storing_anything() {
    let app = spawn_app().await;
    let (db, db_key) = service_with_key(&app, "db").await;
    let (api, api_key) = service_with_key(&app, "api").await;
    depends_on(&app, &api, &db).await;
    let api_key_id = key_id(&app, &api).await;
    app.owner()
        .put(
            &format!("/api/v1/services/{api}/grouping"),
            &json!({"type": "content", "fields": ["source"], "window_seconds": 300}),
        )
        .await
        .expect_status(200);

    // Nothing open: it would open an incident under its grouping key.
    let fresh = simulate(&app, &api_key_id, &api_key, "a").await;
    assert_eq!(fresh["incident_decision"], "open", "{fresh}");
    assert_eq!(fresh["grouping"]["key"], "source=host-1");
    assert_eq!(fresh["grouping"]["open_incident_id"], Value::Null);
    assert_eq!(fresh["grouping"]["joins"], false);
    assert!(
        says(
            &fresh,
            "would open a new incident: no open incident of grouping key"
        ),
        "{fresh}"
    );

    // With an open incident of the key, it would join it; past the window it would not.
    send(&app, &api_key, "trigger", "a").await;
    let open = incident_of(&app, &api, "a").await;
    let join = simulate(&app, &api_key_id, &api_key, "b").await;
    assert_eq!(join["incident_decision"], "join");
    assert_eq!(join["incident_id"], open["id"]);
    assert_eq!(join["grouping"]["open_incident_id"], open["id"]);
    assert_eq!(join["grouping"]["joins"], true);
    assert!(says(&join, "would join incident #"), "{join}");
    app.clock.advance(SignedDuration::from_mins(6));
    let late = simulate(&app, &api_key_id, &api_key, "b").await;
    assert_eq!(late["incident_decision"], "open");
    assert_eq!(late["grouping"]["open_incident_id"], open["id"]);
    assert_eq!(late["grouping"]["joins"], false);

    // Correlation on and db has a fresh incident: it would join db's.
    settings(
        &app,
        &api,
        json!({"correlate_with_upstream": {"window_seconds": 900},
                                "reopen_window_seconds": 600, "max_open_alerts": 2}),
    )
    .await;
    send(&app, &db_key, "trigger", "db-down").await;
    let upstream = incident_of(&app, &db, "db-down").await;
    let correlated = simulate(&app, &api_key_id, &api_key, "b").await;
    assert_eq!(correlated["incident_decision"], "join");
    assert_eq!(correlated["incident_id"], upstream["id"]);
    assert!(
        says(&correlated, "of upstream service db: api depends on it"),
        "{correlated}"
    );

    // Resolved a minute ago: a re-trigger of its dedup key would reopen it.
    send(&app, &api_key, "resolve", "a").await;
    app.clock.advance(SignedDuration::from_mins(1));
    let reopen = simulate(&app, &api_key_id, &api_key, "a").await;
    assert_eq!(reopen["incident_decision"], "reopen", "{reopen}");
    assert_eq!(reopen["incident_id"], open["id"]);
    assert!(says(&reopen, "would reopen incident #"), "{reopen}");

    // At the cap of two open alerts: it would be folded.
    send(&app, &api_key, "trigger", "c").await;
    send(&app, &api_key, "trigger", "d").await;
    let folded = simulate(&app, &api_key_id, &api_key, "e").await;
    assert_eq!(folded["incident_decision"], "fold", "{folded}");
    assert!(says(&folded, "at its cap of 2"), "{folded}");

    let stored: Vec<String> = alerts(&app, &api)
        .await
        .iter()
        .map(|a| a["dedup_key"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        !stored.contains(&"e".to_owned()) && !stored.contains(&"b".to_owned()),
        "{stored:?}"
    );
    app.shutdown().await;
}
