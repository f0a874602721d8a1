//! Opsgenie's alert API over HTTP: create, repeat, acknowledge and close by alias and by id, each
//! request's outcome reported under its requestId, Opsgenie's error shapes, and the key checks
//! (a missing, malformed or unknown GenieKey answers 404, never 401).
use reqwest::Method;
use serde_json::{Value, json};
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::AlertId;
use tocsin_store::alert::{self, AlertFilter};
use tocsin_store::events::read_stream;
use tocsin_testkit::{Client, TestApp, TestResponse, spawn_app};

/// A service with a key of `kind`; answers (service id, secret).
async fn service_with_key(app: &TestApp, kind: &str) -> (String, String) {
    let owner = app.owner();
    let service = owner
        .post(
            "/api/v1/services",
            &json!({ "name": format!("svc {kind} {}", uuid::Uuid::now_v7()) }),
        )
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("service id")
        .to_owned();
    let key = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({ "name": "og", "kind": kind }),
        )
        .await
        .expect_status(201)
        .json();
    (service, key["secret"].as_str().expect("secret").to_owned())
}

fn genie(app: &TestApp, secret: &str) -> Client {
    app.anonymous()
        .with_header("authorization", &format!("GenieKey {secret}"))
}

async fn post(client: &Client, path: &str, body: Value) -> TestResponse {
    client.json(Method::POST, path, &body, &[]).await
}

fn request_id(response: &TestResponse) -> String {
    let body = response.json();
    assert_eq!(body["result"], "Request will be processed", "{body}");
    assert!(body["took"].is_number());
    body["requestId"].as_str().expect("requestId").to_owned()
}

/// The request's status document, `data` part.
async fn status_of(client: &Client, id: &str) -> Value {
    let answer = client
        .get(&format!("/v2/alerts/requests/{id}"))
        .await
        .expect_status(200)
        .json();
    assert!(answer["took"].is_number());
    assert_eq!(answer["requestId"].as_str().map(|r| r != id), Some(true));
    answer["data"].clone()
}

async fn only_alert(app: &TestApp) -> alert::Alert {
    let alerts = alert::list(app.store.reader(), &AlertFilter::default(), None, 10)
        .await
        .expect("list");
    assert_eq!(alerts.len(), 1, "one alert: {alerts:?}");
    alerts.into_iter().next().expect("one")
}

#[tokio::test]
async fn create_repeat_acknowledge_and_close_by_alias_each_report_their_outcome() {
    let app = spawn_app().await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let client = genie(&app, &secret);
    let body = json!({
        "message": "Disk full on db-1",
        "alias": "disk-db-1",
        "description": "95% used",
        "priority": "P1",
        "tags": ["disk", "prod"],
        "details": {"host": "db-1"},
        "entity": "db-1",
        "source": "nagios",
        "responders": [{"name": "NOC", "type": "team"}],
    });
    let created = post(&client, "/v2/alerts", body.clone())
        .await
        .expect_status(202);
    let created_id = request_id(&created);
    let stored = only_alert(&app).await;
    assert_eq!(stored.dedup_key, "disk-db-1");
    assert_eq!(stored.severity, Severity::Critical);
    assert_eq!(stored.source_kind, "opsgenie");
    assert_eq!(stored.fields.get("tag.prod"), "true");
    assert_eq!(stored.details["host"], "db-1");
    assert_eq!(stored.details["opsgenie"]["description"], "95% used");
    assert_eq!(stored.details["opsgenie"]["responders"][0]["name"], "NOC");

    let data = status_of(&client, &created_id).await;
    assert_eq!(data["action"], "Create");
    assert_eq!(data["status"], "Created alert");
    assert_eq!(data["success"], true);
    assert_eq!(data["isSuccess"], true);
    assert_eq!(data["alias"], "disk-db-1");
    assert_eq!(data["alertId"], stored.id.to_string());
    assert!(
        data["processedAt"]
            .as_str()
            .is_some_and(|at| at.starts_with("2026-11-27"))
    );

    let repeated = post(&client, "/v2/alerts", body).await.expect_status(202);
    let data = status_of(&client, &request_id(&repeated)).await;
    assert_eq!(data["success"], true);
    assert_eq!(data["alertId"], stored.id.to_string());
    assert_eq!(only_alert(&app).await.occurrences, 2);

    let acked = post(
        &client,
        "/v2/alerts/disk-db-1/acknowledge?identifierType=alias",
        json!({"user": "Monitoring Script", "source": "AWS Lambda", "note": "Action executed via Alert API"}),
    )
    .await
    .expect_status(202);
    assert_eq!(only_alert(&app).await.state, AlertState::Acknowledged);
    let data = status_of(&client, &request_id(&acked)).await;
    assert_eq!(
        (data["action"].clone(), data["status"].clone()),
        (json!("Acknowledge"), json!("Acknowledged alert"))
    );

    // No body at all is fine for a close.
    let closed = client
        .send(
            Method::POST,
            "/v2/alerts/disk-db-1/close?identifierType=alias",
            None,
            &[],
        )
        .await
        .expect_status(202);
    let closed_alert = only_alert(&app).await;
    assert_eq!(closed_alert.state, AlertState::Resolved);
    let data = status_of(&client, &request_id(&closed)).await;
    assert_eq!(data["status"], "Closed alert");
    assert_eq!(data["alertId"], closed_alert.id.to_string());

    // Closing again: accepted (Opsgenie is asynchronous) and reported as not done.
    let again = post(
        &client,
        "/v2/alerts/disk-db-1/close?identifierType=alias",
        json!({}),
    )
    .await
    .expect_status(202);
    let data = status_of(&client, &request_id(&again)).await;
    assert_eq!(data["success"], false);
    assert_eq!(data["status"], "Alert is not open");
    app.shutdown().await;
}

#[tokio::test]
async fn close_and_acknowledge_by_id_default_to_the_alert_id_and_stay_in_the_service() {
    let app = spawn_app().await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let client = genie(&app, &secret);
    post(&client, "/v2/alerts", json!({"message": "no alias given"}))
        .await
        .expect_status(202);
    let stored = only_alert(&app).await;
    assert!(
        stored.dedup_key.starts_with("message-"),
        "hash of the message"
    );
    assert_eq!(stored.severity, Severity::Warning, "P3 by default");

    // identifierType defaults to id.
    let acked = post(
        &client,
        &format!("/v2/alerts/{}/acknowledge", stored.id),
        json!({}),
    )
    .await
    .expect_status(202);
    assert_eq!(only_alert(&app).await.state, AlertState::Acknowledged);
    assert_eq!(
        status_of(&client, &request_id(&acked)).await["alias"],
        stored.dedup_key
    );

    // Another service's key cannot touch it: accepted, recorded, and nothing happens.
    let (_, other_secret) = service_with_key(&app, "opsgenie").await;
    let other = genie(&app, &other_secret);
    let foreign = post(
        &other,
        &format!("/v2/alerts/{}/close?identifierType=id", stored.id),
        json!({}),
    )
    .await
    .expect_status(202);
    assert_eq!(only_alert(&app).await.state, AlertState::Acknowledged);
    let data = status_of(&other, &request_id(&foreign)).await;
    assert_eq!(
        (data["success"].clone(), data["status"].clone()),
        (json!(false), json!("Alert does not exist"))
    );

    let unknown = AlertId::new(jiff::Timestamp::now());
    let missing = post(&client, &format!("/v2/alerts/{unknown}/close"), json!({}))
        .await
        .expect_status(202);
    assert_eq!(
        status_of(&client, &request_id(&missing)).await["status"],
        "Alert does not exist"
    );

    post(
        &client,
        &format!("/v2/alerts/{}/close?identifierType=id", stored.id),
        json!({}),
    )
    .await
    .expect_status(202);
    assert_eq!(only_alert(&app).await.state, AlertState::Resolved);
    let tiny = post(
        &client,
        "/v2/alerts/12/close?identifierType=tiny",
        json!({}),
    )
    .await;
    assert_eq!(tiny.status, 400);
    assert_eq!(tiny.json()["pointers"], json!(["/identifierType"]));
    app.shutdown().await;
}

#[tokio::test]
async fn request_ids_are_private_to_the_key_that_made_them() {
    let app = spawn_app().await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let (_, other_secret) = service_with_key(&app, "opsgenie").await;
    let created = post(&genie(&app, &secret), "/v2/alerts", json!({"message": "m"}))
        .await
        .expect_status(202);
    let id = request_id(&created);
    for (client, asked) in [
        (genie(&app, &other_secret), id.clone()),
        (genie(&app, &secret), uuid::Uuid::now_v7().to_string()),
        (genie(&app, &secret), "not-a-uuid".to_owned()),
    ] {
        let answer = client
            .get(&format!("/v2/alerts/requests/{asked}"))
            .await
            .expect_status(404)
            .json();
        assert_eq!(answer["message"], "Request not found");
        assert!(answer["requestId"].as_str().is_some_and(|r| r != id));
        assert!(answer["took"].is_number());
    }
    app.shutdown().await;
}

#[tokio::test]
async fn missing_malformed_unknown_and_wrong_kind_keys_all_answer_404() {
    let app = spawn_app().await;
    let (_, generic_secret) = service_with_key(&app, "generic").await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let body = json!({"message": "m"});
    let clients = [
        app.anonymous(),
        app.with_token(&secret), // Bearer, not GenieKey
        genie(&app, "tocsin_ik_unknown"),
        genie(&app, &generic_secret),
        app.anonymous().with_header("authorization", "GenieKey"),
    ];
    for client in clients {
        let answer = post(&client, "/v2/alerts", body.clone()).await;
        assert_eq!(answer.status, 404, "{}", answer.text);
        let answer = answer.json();
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains("Could not authenticate"))
        );
        assert!(answer["requestId"].is_string());
        let status = client.get("/v2/alerts/requests/x").await;
        assert_eq!(status.status, 404);
    }
    // The scheme is case-insensitive, as HTTP schemes are.
    let lower = app
        .anonymous()
        .with_header("authorization", &format!("geniekey {secret}"));
    post(&lower, "/v2/alerts", body).await.expect_status(202);
    app.shutdown().await;
}

#[tokio::test]
async fn invalid_bodies_answer_400_in_opsgenies_shape_with_pointers() {
    let app = spawn_app().await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let client = genie(&app, &secret);
    let answer = post(
        &client,
        "/v2/alerts",
        json!({"message": "m", "priority": "P7"}),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let body = answer.json();
    assert_eq!(
        body["message"],
        "Request body is not processable. Please check the errors."
    );
    assert!(
        body["errors"]["priority"]
            .as_str()
            .is_some_and(|m| m.contains("P1"))
    );
    assert_eq!(body["pointers"], json!(["/priority"]));
    assert!(body["requestId"].is_string());

    let long = post(
        &client,
        "/v2/alerts",
        json!({"message": "x".repeat(131), "tags": "t"}),
    )
    .await;
    assert_eq!(long.status, 400);
    assert_eq!(long.json()["pointers"], json!(["/message", "/tags"]));

    let malformed = client
        .send(
            Method::POST,
            "/v2/alerts",
            Some(("application/json", b"{".to_vec())),
            &[],
        )
        .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["message"].is_string());

    let huge = json!({"message": "m", "description": "d".repeat(600 * 1024)});
    let too_large = post(&client, "/v2/alerts", huge).await;
    assert_eq!(too_large.status, 413);
    assert!(too_large.json()["message"].is_string());
    let none = alert::list(app.store.reader(), &AlertFilter::default(), None, 10)
        .await
        .expect("list");
    assert!(none.is_empty(), "nothing invalid was stored");
    app.shutdown().await;
}

/// The payload of the alert's event of `kind`.
async fn event_payload(app: &TestApp, alert: AlertId, kind: &str) -> Value {
    let events = read_stream(app.store.reader(), alert.0, 0, 100)
        .await
        .expect("stream");
    events
        .into_iter()
        .find(|event| event.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} event"))
        .payload
}

#[tokio::test]
async fn the_user_source_and_note_of_an_acknowledge_and_a_close_are_kept() {
    let app = spawn_app().await;
    let (_, secret) = service_with_key(&app, "opsgenie").await;
    let client = genie(&app, &secret);
    post(&client, "/v2/alerts", json!({"message": "m", "alias": "k"}))
        .await
        .expect_status(202);
    let id = only_alert(&app).await.id;

    // Over Opsgenie's limits: refused, naming each field, and nothing changes.
    let too_long = json!({
        "user": "u".repeat(101),
        "source": "s".repeat(101),
        "note": "n".repeat(25_001),
    });
    let refused = post(
        &client,
        "/v2/alerts/k/acknowledge?identifierType=alias",
        too_long,
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let body = refused.json();
    assert_eq!(body["pointers"], json!(["/user", "/source", "/note"]));
    assert!(
        body["errors"]["note"]
            .as_str()
            .is_some_and(|m| m.contains("25000"))
    );
    assert_eq!(only_alert(&app).await.state, AlertState::Triggered);

    let ack = json!({"user": "Monitoring Script", "source": "AWS Lambda", "note": "on it"});
    post(
        &client,
        "/v2/alerts/k/acknowledge?identifierType=alias",
        ack,
    )
    .await
    .expect_status(202);
    let acked = event_payload(&app, id, "alert.acknowledged").await;
    assert_eq!(
        (&acked["by"], &acked["source"], &acked["note"]),
        (
            &json!("Monitoring Script"),
            &json!("AWS Lambda"),
            &json!("on it")
        )
    );

    let close = json!({"user": "alice", "note": "fixed the disk"});
    post(&client, &format!("/v2/alerts/{id}/close"), close)
        .await
        .expect_status(202);
    let resolved = event_payload(&app, id, "alert.resolved").await;
    assert_eq!(resolved["by"], "alice");
    assert_eq!(resolved["source"], Value::Null);
    assert_eq!(resolved["note"], "fixed the disk");

    let explanation = only_alert(&app).await.explanation;
    assert!(
        explanation
            .iter()
            .any(|line| line.starts_with("acknowledged by a opsgenie event")
                && line
                    .contains("by \"Monitoring Script\" from \"AWS Lambda\" with note \"on it\"")),
        "{explanation:?}"
    );
    assert!(
        explanation
            .iter()
            .any(|line| line.starts_with("resolved by a opsgenie event")
                && line.contains("by \"alice\" with note \"fixed the disk\"")),
        "{explanation:?}"
    );
    app.shutdown().await;
}
