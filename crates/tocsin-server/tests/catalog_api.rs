//! The catalog JSON API over HTTP: CRUD flows for users, teams, members, services, integration
//! keys and timelines; validation problems with pointers; ETag/If-Match; conflicts; pagination.
use serde_json::{Value, json};
use tocsin_testkit::{Client, TestResponse, spawn_app};

fn pointer_of(response: &TestResponse) -> String {
    response.json()["errors"][0]["pointer"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[track_caller]
fn assert_problem(response: &TestResponse, status: u16, pointer: &str) {
    assert_eq!(response.status, status, "body: {}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(pointer_of(response), pointer, "body: {}", response.text);
}

fn id(response: &TestResponse) -> String {
    response.json()["id"]
        .as_str()
        .expect("the body has an id")
        .to_owned()
}

fn kinds(response: &TestResponse) -> Vec<String> {
    response.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn etag(response: &TestResponse) -> String {
    response.header("etag").expect("an ETag").to_owned()
}

async fn create_team(client: &Client, name: &str) -> String {
    id(&client
        .post("/api/v1/teams", &json!({ "name": name }))
        .await
        .expect_status(201))
}

async fn create_service(client: &Client, body: Value) -> TestResponse {
    client.post("/api/v1/services", &body).await
}

#[tokio::test]
async fn users_are_created_read_changed_and_deactivated() {
    let app = spawn_app().await;
    let owner = app.owner();
    let created = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "Ada@Example.com", "name": "Ada", "role": "responder",
                     "time_zone": "Europe/Paris", "password": "a long enough password" }),
        )
        .await
        .expect_status(201);
    let user_id = id(&created);
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/users/{user_id}").as_str())
    );
    assert_eq!(etag(&created), "\"1\"");
    assert_eq!(created.json()["email"], "ada@example.com");
    assert!(!created.text.contains("password") && !created.text.contains("argon2"));

    let read = owner
        .get(&format!("/api/v1/users/{user_id}"))
        .await
        .expect_status(200);
    assert_eq!(etag(&read), "\"1\"");
    assert_eq!(read.json()["time_zone"], "Europe/Paris");

    let list = owner.get("/api/v1/users").await.expect_status(200);
    assert!(
        list.json()["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|u| u["id"] == user_id.as_str()))
    );
    assert!(!list.text.contains("argon2"));

    let path = format!("/api/v1/users/{user_id}");
    let stale = owner
        .patch(&path, &json!({ "name": "Ada L." }), Some("\"7\""))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let changed = owner
        .patch(
            &path,
            &json!({ "name": "Ada L.", "role": "manager" }),
            Some("\"1\""),
        )
        .await
        .expect_status(200);
    assert_eq!(etag(&changed), "\"2\"");
    assert_eq!(changed.json()["role"], "manager");
    let deactivated = owner
        .patch(&path, &json!({ "active": false }), Some(&etag(&changed)))
        .await
        .expect_status(200);
    assert_eq!(deactivated.json()["active"], false);

    let duplicate = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "ada@example.com", "name": "Other", "role": "observer" }),
        )
        .await;
    assert_problem(&duplicate, 409, "/email");

    let events = owner
        .get(&format!("/api/v1/users/{user_id}/events"))
        .await
        .expect_status(200);
    let kinds = kinds(&events);
    assert_eq!(kinds, ["user.created", "user.updated", "user.updated"]);
    assert!(!events.text.contains("argon2"));
    app.shutdown().await;
}

#[tokio::test]
async fn user_input_problems_name_the_field() {
    let app = spawn_app().await;
    let owner = app.owner();
    let bad_email = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "not-an-email", "name": "X", "role": "observer" }),
        )
        .await;
    assert_problem(&bad_email, 422, "/email");
    let unknown = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "x@example.com", "name": "X", "role": "observer", "colour": "red" }),
        )
        .await;
    assert_problem(&unknown, 422, "/colour");
    let bad_role = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "x@example.com", "name": "X", "role": "root" }),
        )
        .await;
    assert_problem(&bad_role, 422, "/role");
    let bad_zone = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "x@example.com", "name": "X", "role": "observer", "time_zone": "Mars/Olympus" }),
        )
        .await;
    assert_problem(&bad_zone, 422, "/time_zone");
    let short_password = owner
        .post(
            "/api/v1/users",
            &json!({ "email": "x@example.com", "name": "X", "role": "observer", "password": "short" }),
        )
        .await;
    assert_problem(&short_password, 422, "/password");
    let missing = owner
        .get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(owner.get("/api/v1/users/not-a-uuid").await.status, 404);
    app.shutdown().await;
}

#[tokio::test]
async fn the_last_active_owner_cannot_demote_or_deactivate_themselves() {
    let app = spawn_app().await;
    let owner = app.owner();
    let me = owner.get("/api/v1/me").await.expect_status(200);
    let path = format!("/api/v1/users/{}", id(&me));
    let demote = owner.patch(&path, &json!({ "role": "admin" }), None).await;
    assert_problem(&demote, 409, "/role");
    let deactivate = owner.patch(&path, &json!({ "active": false }), None).await;
    assert_problem(&deactivate, 409, "/active");
    // With a second owner, the first may step down.
    owner
        .post(
            "/api/v1/users",
            &json!({ "email": "second@example.com", "name": "Second", "role": "owner" }),
        )
        .await
        .expect_status(201);
    owner
        .patch(&path, &json!({ "role": "admin" }), None)
        .await
        .expect_status(200);
    app.shutdown().await;
}

#[tokio::test]
async fn teams_and_members_flow() {
    let app = spawn_app().await;
    let owner = app.owner();
    let created = owner
        .post(
            "/api/v1/teams",
            &json!({ "name": "Payments", "description": "Money in, money out" }),
        )
        .await
        .expect_status(201);
    let team = id(&created);
    let path = format!("/api/v1/teams/{team}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(etag(&created), "\"1\"");

    let duplicate = owner
        .post("/api/v1/teams", &json!({ "name": "PAYMENTS" }))
        .await;
    assert_problem(&duplicate, 409, "/name");
    let too_long = owner
        .post("/api/v1/teams", &json!({ "name": "x".repeat(101) }))
        .await;
    assert_problem(&too_long, 422, "/name");

    let stale = owner
        .patch(&path, &json!({ "description": "v2" }), Some("\"9\""))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let changed = owner
        .patch(&path, &json!({ "description": "v2" }), Some("\"1\""))
        .await
        .expect_status(200);
    assert_eq!(etag(&changed), "\"2\"");
    let read = owner.get(&path).await.expect_status(200);
    assert_eq!(read.json()["description"], "v2");
    assert_eq!(etag(&read), "\"2\"");

    let member = app.user(tocsin_domain::catalog::OrgRole::Responder).await;
    let member_path = format!("{path}/members/{}", member.user.id);
    let bad_role = owner.put(&member_path, &json!({ "role": "boss" })).await;
    assert_problem(&bad_role, 422, "/role");
    let put = owner
        .put(&member_path, &json!({ "role": "responder" }))
        .await
        .expect_status(200);
    assert_eq!(put.json()["role"], "responder");
    owner
        .put(&member_path, &json!({ "role": "manager" }))
        .await
        .expect_status(200);
    let members = owner
        .get(&format!("{path}/members"))
        .await
        .expect_status(200);
    assert_eq!(members.json()["items"][0]["role"], "manager");
    let unknown_user = owner
        .put(
            &format!("{path}/members/{}", uuid::Uuid::now_v7()),
            &json!({ "role": "observer" }),
        )
        .await;
    assert_eq!(unknown_user.status, 404);
    owner.delete(&member_path).await.expect_status(204);
    assert_eq!(owner.delete(&member_path).await.status, 404);

    let events = owner
        .get(&format!("{path}/events?limit=2"))
        .await
        .expect_status(200);
    let body = events.json();
    assert_eq!(body["items"][0]["kind"], "team.created");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    let next = body["next_after_seq"].as_i64().expect("more events");
    let rest = owner
        .get(&format!("{path}/events?after_seq={next}"))
        .await
        .expect_status(200);
    assert_eq!(
        kinds(&rest),
        [
            "team.member_added",
            "team.member_role_changed",
            "team.member_removed"
        ]
    );

    // A team that owns a service cannot be deleted.
    let service = id(
        &create_service(&owner, json!({ "name": "Ledger", "team_id": team }))
            .await
            .expect_status(201),
    );
    let blocked = owner.delete(&path).await;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert!(
        blocked.json()["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Payments"))
    );
    owner
        .delete(&format!("/api/v1/services/{service}"))
        .await
        .expect_status(204);
    let stale_delete = owner
        .send(
            reqwest::Method::DELETE,
            &path,
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(stale_delete.status, 412);
    owner
        .send(
            reqwest::Method::DELETE,
            &path,
            None,
            &[("if-match", "\"2\"")],
        )
        .await
        .expect_status(204);
    assert_eq!(owner.get(&path).await.status, 404);
    // The deleted team's timeline stays readable.
    let history = owner
        .get(&format!("{path}/events?limit=200"))
        .await
        .expect_status(200);
    assert!(history.text.contains("team.deleted"));
    app.shutdown().await;
}

#[tokio::test]
async fn services_flow_with_validation_dependencies_and_conflicts() {
    let app = spawn_app().await;
    let owner = app.owner();
    let team = create_team(&owner, "Core").await;
    let db = create_service(
        &owner,
        json!({ "name": "Database", "team_id": team, "tier": 1, "tags": ["Storage", "pg"],
                "runbook_url": "https://runbooks.example.com/db" }),
    )
    .await
    .expect_status(201);
    let db_id = id(&db);
    assert_eq!(db.json()["tags"], json!(["pg", "storage"]));
    assert_eq!(etag(&db), "\"1\"");
    assert_eq!(
        db.header("location"),
        Some(format!("/api/v1/services/{db_id}").as_str())
    );
    let api = create_service(
        &owner,
        json!({ "name": "API", "team_id": team, "tier": 2, "depends_on": [db_id] }),
    )
    .await
    .expect_status(201);
    let api_id = id(&api);
    assert_eq!(api.json()["depends_on"], json!([db_id]));

    // Validation problems name the field.
    let tier = create_service(&owner, json!({ "name": "X", "tier": 7 })).await;
    assert_problem(&tier, 422, "/tier");
    let url = create_service(&owner, json!({ "name": "X", "runbook_url": "ftp://nope" })).await;
    assert_problem(&url, 422, "/runbook_url");
    let unknown_dep = create_service(
        &owner,
        json!({ "name": "X", "depends_on": [db_id, uuid::Uuid::now_v7()] }),
    )
    .await;
    assert_problem(&unknown_dep, 422, "/depends_on/1");
    let unknown_field = create_service(&owner, json!({ "name": "X", "owner": "me" })).await;
    assert_problem(&unknown_field, 422, "/owner");
    let bad_tag = create_service(&owner, json!({ "name": "X", "tags": ["ok", "not ok"] })).await;
    assert_problem(&bad_tag, 422, "/tags/1");
    let duplicate = create_service(&owner, json!({ "name": "database" })).await;
    assert_problem(&duplicate, 409, "/name");

    // A cycle is refused naming the services.
    let db_path = format!("/api/v1/services/{db_id}");
    let cycle = owner
        .patch(&db_path, &json!({ "depends_on": [api_id] }), None)
        .await;
    assert_problem(&cycle, 422, "/depends_on");
    let body = cycle.json();
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("Database -> API -> Database"), "{detail}");
    assert_eq!(body["cycle"][0]["name"], "Database");
    assert_eq!(body["cycle"][1]["id"], api_id.as_str());
    assert_eq!(body["cycle"][2]["name"], "Database");

    // ETag / If-Match.
    let stale = owner
        .patch(&db_path, &json!({ "tier": 2 }), Some("\"5\""))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let changed = owner
        .patch(
            &db_path,
            &json!({ "tier": 2, "runbook_url": null, "description": "Primary store" }),
            Some("\"1\""),
        )
        .await
        .expect_status(200);
    assert_eq!(etag(&changed), "\"2\"");
    assert_eq!(changed.json()["runbook_url"], Value::Null);
    assert_eq!(changed.json()["tier"], 2);
    let read = owner.get(&db_path).await.expect_status(200);
    assert_eq!(etag(&read), "\"2\"");

    // A service others depend on cannot be deleted.
    let blocked = owner.delete(&db_path).await;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert!(blocked.text.contains("API"), "{}", blocked.text);
    let stale_delete = owner
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/services/{api_id}"),
            None,
            &[("if-match", "\"9\"")],
        )
        .await;
    assert_eq!(stale_delete.status, 412);
    owner
        .delete(&format!("/api/v1/services/{api_id}"))
        .await
        .expect_status(204);
    owner.delete(&db_path).await.expect_status(204);
    assert_eq!(owner.get(&db_path).await.status, 404);
    assert_eq!(owner.get("/api/v1/services/42").await.status, 404);

    let events = owner
        .get(&format!("{db_path}/events"))
        .await
        .expect_status(200);
    assert_eq!(
        kinds(&events),
        ["service.created", "service.updated", "service.deleted"]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn service_lists_page_with_cursors_and_filter_by_team() {
    let app = spawn_app().await;
    let owner = app.owner();
    let team = create_team(&owner, "Edge").await;
    for n in 0..5 {
        let team_id = if n % 2 == 0 { json!(team) } else { Value::Null };
        create_service(
            &owner,
            json!({ "name": format!("svc-{n}"), "team_id": team_id }),
        )
        .await
        .expect_status(201);
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/services?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = owner.get(&path).await.expect_status(200).json();
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        names.extend(
            items
                .iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/services?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    // Ids minted in the same instant of the manual clock have random order; each appears once.
    names.sort();
    assert_eq!(names, ["svc-0", "svc-1", "svc-2", "svc-3", "svc-4"]);
    let filtered = owner
        .get(&format!("/api/v1/services?team_id={team}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(3));
    let bad_limit = owner.get("/api/v1/services?limit=0").await;
    assert_problem(&bad_limit, 422, "/limit");
    let bad_cursor = owner.get("/api/v1/teams?cursor=garbage!").await;
    assert_problem(&bad_cursor, 422, "/cursor");
    let users = owner
        .get("/api/v1/users?limit=1")
        .await
        .expect_status(200)
        .json();
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1));
    app.shutdown().await;
}

#[tokio::test]
async fn integration_keys_are_created_listed_and_revoked() {
    let app = spawn_app().await;
    let owner = app.owner();
    let service = id(&create_service(&owner, json!({ "name": "Checkout" }))
        .await
        .expect_status(201));
    let keys = format!("/api/v1/services/{service}/integration-keys");
    let bad_kind = owner
        .post(&keys, &json!({ "name": "x", "kind": "nagios" }))
        .await;
    assert_problem(&bad_kind, 422, "/kind");
    let created = owner
        .post(
            &keys,
            &json!({ "name": "prometheus", "kind": "alertmanager" }),
        )
        .await
        .expect_status(201);
    let key = created.json();
    let secret = key["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("tocsin_ik_"));
    let listed = owner.get(&keys).await.expect_status(200).json();
    assert_eq!(listed["items"][0]["secret"], secret.as_str());
    assert_eq!(listed["items"][0]["kind"], "alertmanager");
    let key_id = key["id"].as_str().expect("id");
    owner
        .delete(&format!("{keys}/{key_id}"))
        .await
        .expect_status(204);
    let listed = owner.get(&keys).await.expect_status(200).json();
    assert!(listed["items"][0]["revoked_at"].is_string());
    assert_eq!(
        owner
            .delete(&format!("{keys}/{}", uuid::Uuid::now_v7()))
            .await
            .status,
        404
    );
    let missing = format!("/api/v1/services/{}/integration-keys", uuid::Uuid::now_v7());
    assert_eq!(owner.get(&missing).await.status, 404);
    let events = owner
        .get(&format!("/api/v1/services/{service}/events"))
        .await
        .expect_status(200);
    assert!(events.text.contains("integration_key.created"));
    assert!(events.text.contains("integration_key.revoked"));
    assert!(
        !events.text.contains(&secret),
        "secrets stay out of the log"
    );
    app.shutdown().await;
}
