//! The generic JSON webhook over HTTP: the default mapping (trigger, repeat, resolve by status),
//! a key's own mapping of pointers and templates set through the API, invalid mappings refused
//! with 422 naming the field, and the key checks (unknown, revoked or wrong-kind keys 404).
use serde_json::{Value, json};
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_store::alert::{self, Alert, AlertFilter};
use tocsin_testkit::{TestApp, TestResponse, spawn_app};

struct Key {
    service: String,
    id: String,
    secret: String,
}

async fn service_with_key(app: &TestApp, kind: &str) -> Key {
    let owner = app.owner();
    let name = format!("svc {}", uuid::Uuid::now_v7());
    let service = owner
        .post("/api/v1/services", &json!({ "name": name }))
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("service id")
        .to_owned();
    let key = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({ "name": "hook", "kind": kind }),
        )
        .await
        .expect_status(201)
        .json();
    Key {
        service,
        id: key["id"].as_str().expect("id").to_owned(),
        secret: key["secret"].as_str().expect("secret").to_owned(),
    }
}

async fn send(app: &TestApp, secret: &str, body: Value) -> TestResponse {
    app.anonymous()
        .post(&format!("/api/v1/integrations/{secret}/generic"), &body)
        .await
}

fn mapping_path(key: &Key) -> String {
    format!(
        "/api/v1/services/{}/integration-keys/{}/mapping",
        key.service, key.id
    )
}

async fn alerts(app: &TestApp) -> Vec<Alert> {
    alert::list(app.store.reader(), &AlertFilter::default(), None, 10)
        .await
        .expect("list")
}

#[tokio::test]
async fn the_default_mapping_triggers_repeats_and_resolves() {
    let app = spawn_app().await;
    let key = service_with_key(&app, "generic").await;
    let body = json!({"title": "CPU high on web-1", "severity": "critical", "id": "cpu-web-1",
        "status": "firing", "source": "zabbix", "value": 97});
    let accepted = send(&app, &key.secret, body.clone())
        .await
        .expect_status(202)
        .json();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["dedup_key"], "cpu-web-1");
    let stored = alerts(&app).await;
    assert_eq!(stored.len(), 1);
    let first = &stored[0];
    assert_eq!(accepted["alert_id"], first.id.to_string());
    assert_eq!(first.summary, "CPU high on web-1");
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.source.as_deref(), Some("zabbix"));
    assert_eq!(first.source_kind, "generic");
    assert_eq!(first.details, body, "details are the whole body");

    send(&app, &key.secret, body).await.expect_status(202);
    assert_eq!(alerts(&app).await[0].occurrences, 2);
    let resolved = send(
        &app,
        &key.secret,
        json!({"summary": "ok now", "id": "cpu-web-1", "status": "resolved"}),
    )
    .await
    .expect_status(202)
    .json();
    assert_eq!(resolved["alert_id"], first.id.to_string());
    assert_eq!(alerts(&app).await[0].state, AlertState::Resolved);

    // No dedup key: a hash of the body, the same for the same body; severity defaults to error.
    let a = send(&app, &key.secret, json!({"message": "m", "n": 1}))
        .await
        .json();
    let b = send(&app, &key.secret, json!({"n": 1, "message": "m"}))
        .await
        .json();
    assert_eq!(a["dedup_key"], b["dedup_key"]);
    assert_eq!(a["alert_id"], b["alert_id"]);
    let hashed = alert::get(
        app.store.reader(),
        a["alert_id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("alert id"),
    )
    .await
    .expect("stored");
    assert_eq!(hashed.severity, Severity::Error);
    app.shutdown().await;
}

#[tokio::test]
async fn refusals_are_problem_documents() {
    let app = spawn_app().await;
    let key = service_with_key(&app, "generic").await;
    let no_summary = send(&app, &key.secret, json!({"value": 1})).await;
    assert_eq!(no_summary.status, 400, "{}", no_summary.text);
    assert_eq!(
        no_summary.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(no_summary.json()["type"], "/problems/invalid-event");
    assert_eq!(no_summary.json()["errors"][0]["pointer"], "/summary");
    assert_eq!(
        no_summary.json()["instance"],
        "/api/v1/integrations/{key}/generic",
        "the key is a secret: not echoed"
    );

    let pagerduty = service_with_key(&app, "pagerduty").await;
    for secret in ["tocsin_ik_nope", pagerduty.secret.as_str()] {
        let unknown = send(&app, secret, json!({"summary": "s"})).await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        assert_eq!(unknown.json()["type"], "/problems/not-found");
    }
    app.owner()
        .delete(&format!(
            "/api/v1/services/{}/integration-keys/{}",
            key.service, key.id
        ))
        .await
        .expect_status(204);
    assert_eq!(
        send(&app, &key.secret, json!({"summary": "s"}))
            .await
            .status,
        404
    );
    assert!(alerts(&app).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_custom_mapping_of_pointers_and_templates_is_applied() {
    let app = spawn_app().await;
    let key = service_with_key(&app, "generic").await;
    let mapping = json!({
        "summary": "{{ check.name | upper }} failed on {{ check.host }}",
        "dedup_key": "/check/uid",
        "severity": "{% if check.level >= 2 %}critical{% else %}warning{% endif %}",
        "action": "/check/state",
        "source": "/origin",
        "details": "/check",
    });
    let view = app
        .owner()
        .put(&mapping_path(&key), &mapping)
        .await
        .expect_status(200)
        .json();
    assert_eq!(view["id"], key.id.as_str());
    assert_eq!(view["mapping"], mapping);
    let listed = app
        .owner()
        .get(&format!(
            "/api/v1/services/{}/integration-keys",
            key.service
        ))
        .await
        .json();
    assert_eq!(listed["items"][0]["mapping"], mapping);

    let body = json!({"origin": "pingdom",
        "check": {"name": "https", "host": "shop.example", "uid": "chk-7", "level": 2, "state": "alert"}});
    let accepted = send(&app, &key.secret, body)
        .await
        .expect_status(202)
        .json();
    assert_eq!(accepted["dedup_key"], "chk-7");
    let stored = &alerts(&app).await[0];
    assert_eq!(stored.summary, "HTTPS failed on shop.example");
    assert_eq!(stored.severity, Severity::Critical);
    assert_eq!(stored.source.as_deref(), Some("pingdom"));
    assert_eq!(stored.details["host"], "shop.example");

    let ok = json!({"check": {"name": "https", "host": "shop.example", "uid": "chk-7", "level": 0, "state": "ok"}});
    send(&app, &key.secret, ok).await.expect_status(202);
    assert_eq!(alerts(&app).await[0].state, AlertState::Resolved);

    // A template that fails on a body names its field.
    let failing = send(&app, &key.secret, json!({"check": 3})).await;
    assert_eq!(failing.status, 400, "{}", failing.text);
    assert_eq!(failing.json()["errors"][0]["pointer"], "/summary");

    // `{}` clears the mapping: back to the default.
    let cleared = app
        .owner()
        .put(&mapping_path(&key), &json!({}))
        .await
        .expect_status(200);
    assert_eq!(cleared.json()["mapping"], Value::Null);
    send(&app, &key.secret, json!({"summary": "plain", "id": "p"}))
        .await
        .expect_status(202);
    app.shutdown().await;
}

#[tokio::test]
async fn invalid_mappings_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let key = service_with_key(&app, "generic").await;
    let owner = app.owner();
    for (mapping, pointer) in [
        (json!({"summary": "{{ unclosed"}), "/summary"),
        (json!({"dedup_key": "check.uid"}), "/dedup_key"),
        (json!({"source": 7}), "/source"),
        (json!({"colour": "/c"}), "/colour"),
        (json!({"action": "/a~9"}), "/action"),
    ] {
        let refused = owner.put(&mapping_path(&key), &mapping).await;
        assert_eq!(refused.status, 422, "{mapping}: {}", refused.text);
        assert_eq!(refused.json()["errors"][0]["pointer"], pointer, "{mapping}");
    }
    let not_an_object = owner.put(&mapping_path(&key), &json!(["/summary"])).await;
    assert_eq!(not_an_object.status, 422);

    // Only generic keys take a mapping; another service's key or a stranger's call is refused.
    let opsgenie = service_with_key(&app, "opsgenie").await;
    let wrong_kind = owner
        .put(&mapping_path(&opsgenie), &json!({"summary": "/s"}))
        .await;
    assert_eq!(wrong_kind.status, 409, "{}", wrong_kind.text);
    let elsewhere = format!(
        "/api/v1/services/{}/integration-keys/{}/mapping",
        opsgenie.service, key.id
    );
    assert_eq!(owner.put(&elsewhere, &json!({})).await.status, 404);
    let observer = app.user(tocsin_domain::catalog::OrgRole::Observer).await;
    let denied = app
        .with_token(&observer.token)
        .put(&mapping_path(&key), &json!({"summary": "/s"}))
        .await;
    assert_eq!(denied.status, 403);
    let unchanged = owner
        .get(&format!(
            "/api/v1/services/{}/integration-keys",
            key.service
        ))
        .await
        .json();
    assert_eq!(unchanged["items"][0]["mapping"], Value::Null);
    app.shutdown().await;
}
