//! Who may do what in the catalog API: team-scoped managers, observers, stakeholders, anonymous
//! callers and integration keys; and the OpenAPI document lists every catalog path.
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, TestApp, TestResponse, spawn_app};

fn id(response: &TestResponse) -> String {
    response.json()["id"]
        .as_str()
        .expect("the body has an id")
        .to_owned()
}

struct Fixture {
    team_a: String,
    team_b: String,
    service_a: String,
    service_b: String,
    other_user: String,
}

async fn fixture(app: &TestApp, owner: &Client) -> Fixture {
    let team_a = id(&owner
        .post("/api/v1/teams", &json!({ "name": "Team A" }))
        .await
        .expect_status(201));
    let team_b = id(&owner
        .post("/api/v1/teams", &json!({ "name": "Team B" }))
        .await
        .expect_status(201));
    let service_a = id(&owner
        .post(
            "/api/v1/services",
            &json!({ "name": "A1", "team_id": team_a }),
        )
        .await
        .expect_status(201));
    let service_b = id(&owner
        .post(
            "/api/v1/services",
            &json!({ "name": "B1", "team_id": team_b }),
        )
        .await
        .expect_status(201));
    let other_user = app.user(OrgRole::Observer).await.user.id.to_string();
    Fixture {
        team_a,
        team_b,
        service_a,
        service_b,
        other_user,
    }
}

#[tokio::test]
async fn a_team_manager_manages_only_their_own_team() {
    let app = spawn_app().await;
    let owner = app.owner();
    let f = fixture(&app, &owner).await;
    let lead = app.user(OrgRole::Responder).await;
    owner
        .put(
            &format!("/api/v1/teams/{}/members/{}", f.team_a, lead.user.id),
            &json!({ "role": "manager" }),
        )
        .await
        .expect_status(200);
    let lead = app.with_token(&lead.token);

    let a = format!("/api/v1/services/{}", f.service_a);
    let b = format!("/api/v1/services/{}", f.service_b);
    lead.patch(&a, &json!({ "tier": 1 }), None)
        .await
        .expect_status(200);
    lead.patch(&b, &json!({ "tier": 1 }), None)
        .await
        .expect_status(403);
    lead.post(
        &format!("{a}/integration-keys"),
        &json!({ "name": "k", "kind": "generic" }),
    )
    .await
    .expect_status(201);
    lead.get(&format!("{b}/integration-keys"))
        .await
        .expect_status(403);
    // Moving a service to a team they do not manage is refused; creating one in their team is not.
    lead.patch(&a, &json!({ "team_id": f.team_b }), None)
        .await
        .expect_status(403);
    lead.patch(&a, &json!({ "team_id": null }), None)
        .await
        .expect_status(403);
    lead.post(
        "/api/v1/services",
        &json!({ "name": "A2", "team_id": f.team_a }),
    )
    .await
    .expect_status(201);
    lead.post(
        "/api/v1/services",
        &json!({ "name": "B2", "team_id": f.team_b }),
    )
    .await
    .expect_status(403);
    lead.post("/api/v1/services", &json!({ "name": "Loose" }))
        .await
        .expect_status(403);
    // Their team, yes; another team, its deletion, or creating teams, no.
    lead.patch(
        &format!("/api/v1/teams/{}", f.team_a),
        &json!({ "description": "ours" }),
        None,
    )
    .await
    .expect_status(200);
    lead.patch(
        &format!("/api/v1/teams/{}", f.team_b),
        &json!({ "description": "theirs" }),
        None,
    )
    .await
    .expect_status(403);
    lead.put(
        &format!("/api/v1/teams/{}/members/{}", f.team_a, f.other_user),
        &json!({ "role": "observer" }),
    )
    .await
    .expect_status(200);
    lead.put(
        &format!("/api/v1/teams/{}/members/{}", f.team_b, f.other_user),
        &json!({ "role": "observer" }),
    )
    .await
    .expect_status(403);
    lead.delete(&format!("/api/v1/teams/{}", f.team_a))
        .await
        .expect_status(403);
    lead.post("/api/v1/teams", &json!({ "name": "Mine" }))
        .await
        .expect_status(403);
    lead.delete(&b).await.expect_status(403);
    app.shutdown().await;
}

#[tokio::test]
async fn observers_read_but_never_write() {
    let app = spawn_app().await;
    let owner = app.owner();
    let f = fixture(&app, &owner).await;
    let observer = app.with_token(&app.user(OrgRole::Observer).await.token);
    for path in [
        "/api/v1/users".to_owned(),
        "/api/v1/teams".to_owned(),
        "/api/v1/services".to_owned(),
        format!("/api/v1/services/{}", f.service_a),
        format!("/api/v1/teams/{}/members", f.team_a),
        format!("/api/v1/teams/{}/events", f.team_a),
        format!("/api/v1/services/{}/events", f.service_a),
        format!("/api/v1/users/{}/events", f.other_user),
    ] {
        observer.get(&path).await.expect_status(200);
    }
    let a = format!("/api/v1/services/{}", f.service_a);
    observer
        .patch(&a, &json!({ "tier": 1 }), None)
        .await
        .expect_status(403);
    observer.delete(&a).await.expect_status(403);
    observer
        .get(&format!("{a}/integration-keys"))
        .await
        .expect_status(403);
    observer
        .post("/api/v1/services", &json!({ "name": "S" }))
        .await
        .expect_status(403);
    observer
        .post("/api/v1/teams", &json!({ "name": "T" }))
        .await
        .expect_status(403);
    observer
        .post(
            "/api/v1/users",
            &json!({ "email": "o@example.com", "name": "O", "role": "observer" }),
        )
        .await
        .expect_status(403);
    observer
        .patch(
            &format!("/api/v1/users/{}", f.other_user),
            &json!({ "name": "X" }),
            None,
        )
        .await
        .expect_status(403);
    observer
        .delete(&format!("/api/v1/teams/{}", f.team_b))
        .await
        .expect_status(403);
    app.shutdown().await;
}

#[tokio::test]
async fn stakeholders_see_services_but_not_people() {
    let app = spawn_app().await;
    let owner = app.owner();
    let f = fixture(&app, &owner).await;
    let stakeholder = app.with_token(&app.user(OrgRole::Stakeholder).await.token);
    stakeholder.get("/api/v1/services").await.expect_status(200);
    stakeholder
        .get(&format!("/api/v1/services/{}", f.service_a))
        .await
        .expect_status(200);
    stakeholder.get("/api/v1/teams").await.expect_status(200);
    for path in [
        "/api/v1/users".to_owned(),
        format!("/api/v1/users/{}", f.other_user),
        format!("/api/v1/teams/{}/members", f.team_a),
        format!("/api/v1/services/{}/events", f.service_a),
    ] {
        stakeholder.get(&path).await.expect_status(403);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn admins_cannot_appoint_or_touch_owners() {
    let app = spawn_app().await;
    let owner = app.owner();
    let admin = app.with_token(&app.user(OrgRole::Admin).await.token);
    admin
        .post(
            "/api/v1/users",
            &json!({ "email": "o2@example.com", "name": "O2", "role": "owner" }),
        )
        .await
        .expect_status(403);
    let user = id(&admin
        .post(
            "/api/v1/users",
            &json!({ "email": "m@example.com", "name": "M", "role": "manager" }),
        )
        .await
        .expect_status(201));
    admin
        .patch(
            &format!("/api/v1/users/{user}"),
            &json!({ "role": "owner" }),
            None,
        )
        .await
        .expect_status(403);
    let me = owner.get("/api/v1/me").await.expect_status(200);
    admin
        .patch(
            &format!("/api/v1/users/{}", id(&me)),
            &json!({ "active": false }),
            None,
        )
        .await
        .expect_status(403);
    app.shutdown().await;
}

#[tokio::test]
async fn anonymous_callers_and_integration_keys_are_refused_everywhere() {
    let app = spawn_app().await;
    let owner = app.owner();
    let f = fixture(&app, &owner).await;
    let key = owner
        .post(
            &format!("/api/v1/services/{}/integration-keys", f.service_a),
            &json!({ "name": "k", "kind": "pagerduty" }),
        )
        .await
        .expect_status(201)
        .json();
    let key_id = key["id"].as_str().expect("id").to_owned();
    let bearer = app.with_token(key["secret"].as_str().expect("secret"));
    let anonymous = app.anonymous();
    let body = json!({ "name": "x" });
    let routes: Vec<(reqwest::Method, String)> = vec![
        (reqwest::Method::GET, "/api/v1/users".into()),
        (reqwest::Method::POST, "/api/v1/users".into()),
        (
            reqwest::Method::GET,
            format!("/api/v1/users/{}", f.other_user),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/users/{}", f.other_user),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/users/{}/events", f.other_user),
        ),
        (reqwest::Method::GET, "/api/v1/teams".into()),
        (reqwest::Method::POST, "/api/v1/teams".into()),
        (reqwest::Method::GET, format!("/api/v1/teams/{}", f.team_a)),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/teams/{}", f.team_a),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/teams/{}", f.team_b),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/teams/{}/members", f.team_a),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/teams/{}/members/{}", f.team_a, f.other_user),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/teams/{}/members/{}", f.team_a, f.other_user),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/teams/{}/events", f.team_a),
        ),
        (reqwest::Method::GET, "/api/v1/services".into()),
        (reqwest::Method::POST, "/api/v1/services".into()),
        (
            reqwest::Method::GET,
            format!("/api/v1/services/{}", f.service_a),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/services/{}", f.service_a),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/services/{}", f.service_b),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/services/{}/events", f.service_a),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/services/{}/integration-keys", f.service_a),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/services/{}/integration-keys", f.service_a),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/services/{}/integration-keys/{key_id}", f.service_a),
        ),
    ];
    for (method, path) in routes {
        let as_key = bearer.json(method.clone(), &path, &body, &[]).await;
        assert_eq!(
            as_key.status, 403,
            "{method} {path} as an integration key: {}",
            as_key.text
        );
        let as_nobody = anonymous.json(method.clone(), &path, &body, &[]).await;
        assert_eq!(
            as_nobody.status, 401,
            "{method} {path} anonymously: {}",
            as_nobody.text
        );
    }
    // Nothing was changed by the refused calls.
    owner
        .get(&format!("/api/v1/services/{}", f.service_b))
        .await
        .expect_status(200);
    app.shutdown().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_catalog_path() {
    let app = spawn_app().await;
    let doc = app
        .anonymous()
        .get("/api/openapi.json")
        .await
        .expect_status(200)
        .json();
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/api/v1/users", &["get", "post"][..]),
        ("/api/v1/users/{id}", &["get", "patch"]),
        ("/api/v1/users/{id}/events", &["get"]),
        ("/api/v1/teams", &["get", "post"]),
        ("/api/v1/teams/{id}", &["get", "patch", "delete"]),
        ("/api/v1/teams/{id}/members", &["get"]),
        ("/api/v1/teams/{id}/members/{user_id}", &["put", "delete"]),
        ("/api/v1/teams/{id}/events", &["get"]),
        ("/api/v1/services", &["get", "post"]),
        ("/api/v1/services/{id}", &["get", "patch", "delete"]),
        ("/api/v1/services/{id}/events", &["get"]),
        ("/api/v1/services/{id}/integration-keys", &["get", "post"]),
        (
            "/api/v1/services/{id}/integration-keys/{key_id}",
            &["delete"],
        ),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is missing from the OpenAPI document"
            );
        }
    }
    // Every declared route is documented, and every documented catalog path is routed.
    for spec in tocsin_server::router::specs() {
        if spec.path.starts_with("/api/v1/") {
            let method = spec.method.as_str().to_lowercase();
            assert!(
                paths[spec.path][&method].is_object(),
                "{method} {} is routed but not documented",
                spec.path
            );
        }
    }
    app.shutdown().await;
}
