//! Regulatory routes: who may and who may not (401 without a credential, 403 below the role
//! each route needs), 404 for an incident that does not exist, and bad input answered as a
//! problem naming the field (jurisdictions, future instants, the approver, calendars).
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::app::{TestApp, spawn_app};
use tocsin_testkit::client::TestResponse;

fn pointers(response: TestResponse) -> Vec<String> {
    response.json()["errors"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An incident opened through real intake.
async fn incident(app: &TestApp) -> String {
    let intake = app.intake("vault", "pagerduty").await;
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({ "routing_key": intake.secret, "event_action": "trigger",
                "payload": { "summary": "Vault sealed", "source": "t", "severity": "critical" } }),
        )
        .await
        .expect_status(202);
    app.latest_incident(intake.service_id).await.to_string()
}

fn gdpr(owner: &str) -> Value {
    json!({ "exposure": { "personal_data": true }, "jurisdictions": ["EU"], "owner_user_id": owner })
}

#[tokio::test]
async fn reading_needs_observer_changing_needs_responder_and_calendars_need_admin() {
    let app = spawn_app().await;
    let id = incident(&app).await;
    let path = format!("/api/v1/incidents/{id}/regulatory");
    let observer = app.user(OrgRole::Observer).await;
    let responder = app.user(OrgRole::Responder).await;
    let admin = app.user(OrgRole::Admin).await;
    let owner_id = responder.user.id.to_string();
    let (observer, responder_client, admin) = (
        app.with_token(&observer.token),
        app.with_token(&responder.token),
        app.with_token(&admin.token),
    );
    let anonymous = app.anonymous();
    anonymous.get(&path).await.expect_status(401);
    anonymous
        .put(&path, &gdpr(&owner_id))
        .await
        .expect_status(401);
    observer.get(&path).await.expect_status(200);
    observer
        .put(&path, &gdpr(&owner_id))
        .await
        .expect_status(403);
    let answer = responder_client
        .put(&path, &gdpr(&owner_id))
        .await
        .expect_status(200)
        .json();
    let obligation = answer["obligations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let filing = format!("{path}/obligations/{obligation}/filing");
    let body = json!({ "reference": "CNIL-1", "approver_user_id": owner_id });
    anonymous.post(&filing, &body).await.expect_status(401);
    observer.post(&filing, &body).await.expect_status(403);

    let calendar = "/api/v1/holiday-calendars/target2";
    let content = json!({ "time_zone": "Europe/Berlin",
        "holidays": [{ "date": "2026-12-25", "name": "Christmas Day" }] });
    anonymous.get(calendar).await.expect_status(401);
    observer.get(calendar).await.expect_status(200);
    anonymous.put(calendar, &content).await.expect_status(401);
    responder_client
        .put(calendar, &content)
        .await
        .expect_status(403);
    let replaced = admin
        .put(calendar, &content)
        .await
        .expect_status(200)
        .json();
    assert_eq!(replaced["holidays"].as_array().map(Vec::len), Some(1));
    app.owner()
        .get("/api/v1/holiday-calendars/nowhere")
        .await
        .expect_status(404);
}

#[tokio::test]
async fn an_unknown_incident_or_obligation_is_not_found() {
    let app = spawn_app().await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let missing = uuid::Uuid::now_v7();
    let owner = responder.user.id.to_string();
    client
        .get(&format!("/api/v1/incidents/{missing}/regulatory"))
        .await
        .expect_status(404);
    client
        .put(
            &format!("/api/v1/incidents/{missing}/regulatory"),
            &gdpr(&owner),
        )
        .await
        .expect_status(404);
    let id = incident(&app).await;
    client
        .post(
            &format!("/api/v1/incidents/{id}/regulatory/obligations/{missing}/filing"),
            &json!({ "reference": "x", "approver_user_id": owner }),
        )
        .await
        .expect_status(404);
}

#[tokio::test]
async fn bad_profiles_filings_and_calendars_name_the_field() {
    let app = spawn_app().await;
    let id = incident(&app).await;
    let path = format!("/api/v1/incidents/{id}/regulatory");
    let ada = app.user(OrgRole::Responder).await;
    let bob = app.user(OrgRole::Responder).await;
    let client = app.with_token(&ada.token);
    let ada_id = ada.user.id.to_string();
    let bad = client
        .put(
            &path,
            &json!({ "jurisdictions": ["EU", "USA"], "owner_user_id": ada_id,
                "awareness_at": "2027-01-01T00:00:00Z", "escalation_margin_minutes": -5 }),
        )
        .await
        .expect_status(422);
    assert_eq!(
        pointers(bad),
        [
            "/jurisdictions/1",
            "/escalation_margin_minutes",
            "/awareness_at"
        ]
    );
    let nobody = uuid::Uuid::now_v7();
    let bad = client
        .put(&path, &json!({ "owner_user_id": nobody }))
        .await
        .expect_status(422);
    assert_eq!(pointers(bad), ["/owner_user_id"]);
    let bad = client
        .put(
            &path,
            &json!({ "owner_user_id": ada_id, "exposure": { "pii": true } }),
        )
        .await
        .expect_status(422);
    assert_eq!(pointers(bad), ["/exposure/pii"]);

    let answer = client
        .put(&path, &gdpr(&ada_id))
        .await
        .expect_status(200)
        .json();
    let obligation = answer["obligations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let filing = format!("{path}/obligations/{obligation}/filing");
    let own = client
        .post(
            &filing,
            &json!({ "reference": "CNIL-1", "approver_user_id": ada_id }),
        )
        .await
        .expect_status(422);
    assert_eq!(pointers(own), ["/approver_user_id"]);
    let future = client
        .post(
            &filing,
            &json!({ "reference": "CNIL-1", "approver_user_id": bob.user.id,
                "filed_at": "2027-01-01T00:00:00Z" }),
        )
        .await
        .expect_status(422);
    assert_eq!(pointers(future), ["/filed_at"]);
    let empty = client
        .post(
            &filing,
            &json!({ "reference": " ", "approver_user_id": bob.user.id }),
        )
        .await
        .expect_status(422);
    assert_eq!(pointers(empty), ["/reference"]);
    let body = json!({ "reference": "CNIL-1", "approver_user_id": bob.user.id });
    client.post(&filing, &body).await.expect_status(200);
    client.post(&filing, &body).await.expect_status(409);

    let owner = app.owner();
    let bad = owner
        .put(
            "/api/v1/holiday-calendars/acme",
            &json!({ "time_zone": "Mars/Olympus", "holidays": [
                { "date": "2026-12-24", "name": "Eve" }, { "date": "2026-12-24", "name": "" }] }),
        )
        .await
        .expect_status(422);
    assert_eq!(
        pointers(bad),
        ["/time_zone", "/holidays/1/date", "/holidays/1/name"]
    );
    owner
        .put(
            "/api/v1/holiday-calendars/Bad_Name",
            &json!({ "time_zone": "UTC", "holidays": [] }),
        )
        .await
        .expect_status(400);
}
