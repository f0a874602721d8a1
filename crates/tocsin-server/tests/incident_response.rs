//! Running an incident over HTTP: declaring one, its lifecycle by hand with the domain's rules,
//! milestones derived from the timeline and corrected only by appending, merging a duplicate into
//! its primary, one incident commander at a time with briefed handovers, and restricted incidents
//! that look, on every incident endpoint, exactly like incidents that do not exist.
mod lifecycle;

use jiff::SignedDuration;
use lifecycle::{send, service_with_key};
use serde_json::{Value, json};
use tocsin_domain::Clock;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, TestApp, spawn_app};

const INCIDENTS: &str = "/api/v1/incidents";

async fn declare(client: &Client, body: Value) -> Value {
    client
        .post(INCIDENTS, &body)
        .await
        .expect_status(201)
        .json()
}

async fn set_status(client: &Client, id: &str, status: &str, reason: Option<&str>) -> Value {
    client
        .post(
            &format!("{INCIDENTS}/{id}/status"),
            &json!({ "status": status, "reason": reason }),
        )
        .await
        .expect_status(200)
        .json()
}

async fn timeline_kinds(client: &Client, id: &str) -> Vec<String> {
    let page = client
        .get(&format!("{INCIDENTS}/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn milestones(client: &Client, id: &str) -> Value {
    let list = client
        .get(&format!("{INCIDENTS}/{id}/milestones"))
        .await
        .expect_status(200)
        .json();
    let mut by_name = serde_json::Map::new();
    for item in list["items"].as_array().into_iter().flatten() {
        by_name.insert(
            item["milestone"].as_str().unwrap_or_default().to_owned(),
            item.clone(),
        );
    }
    Value::Object(by_name)
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

#[tokio::test]
async fn a_declared_incident_runs_its_lifecycle_and_its_milestones_follow_the_timeline() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let declared_at = app.clock.now();
    let impact = declared_at - minutes(20);
    let created = client
        .post(
            INCIDENTS,
            &json!({"title": "  Checkout errors  ", "service_id": service, "summary": "5xx on pay",
                    "impact_started_at": impact, "tags": ["payments", "payments", "eu"],
                    "page": false}),
        )
        .await
        .expect_status(201);
    let incident = created.json();
    let id = incident["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("{INCIDENTS}/{id}").as_str())
    );
    assert_eq!(incident["title"], "Checkout errors");
    assert_eq!(incident["status"], "triggered");
    assert_eq!(incident["tags"], json!(["payments", "eu"]));
    assert_eq!(incident["visibility"], "normal");
    assert_eq!(
        incident["declared_by"],
        format!("user:{}", responder.user.id)
    );

    // Only the rules' transitions are allowed, with the reason why not.
    let refused = client
        .post(
            &format!("{INCIDENTS}/{id}/status"),
            &json!({"status": "closed"}),
        )
        .await
        .expect_status(409)
        .json();
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("resolve it first"),
        "{refused}"
    );
    let unknown = client
        .post(
            &format!("{INCIDENTS}/{id}/status"),
            &json!({"status": "fixed"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&unknown), ["/status"]);

    app.clock.advance(minutes(3));
    let ack_at = app.clock.now();
    let investigating = set_status(&client, &id, "investigating", None).await;
    assert_eq!(investigating["status"], "investigating");
    app.clock.advance(minutes(10));
    set_status(&client, &id, "identified", None).await;
    app.clock.advance(minutes(5));
    let mitigated_at = app.clock.now();
    set_status(&client, &id, "monitoring", None).await;
    app.clock.advance(minutes(30));
    let resolved_at = app.clock.now();
    set_status(&client, &id, "resolved", None).await;

    let found = milestones(&client, &id).await;
    assert_eq!(found["impact_started"]["at"], json!(impact));
    assert_eq!(found["detected"]["at"], json!(declared_at));
    assert_eq!(found["acknowledged"]["at"], json!(ack_at));
    assert_eq!(found["mitigated"]["at"], json!(mitigated_at));
    assert_eq!(found["resolved"]["at"], json!(resolved_at));
    assert!(found.get("escalated").is_none(), "{found}");

    // Reopening needs a reason and clears resolution; resolving again sets it anew.
    let no_reason = client
        .post(
            &format!("{INCIDENTS}/{id}/status"),
            &json!({"status": "investigating"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&no_reason), ["/reason"]);
    app.clock.advance(minutes(5));
    set_status(&client, &id, "investigating", Some("errors are back")).await;
    assert!(milestones(&client, &id).await.get("resolved").is_none());
    app.clock.advance(minutes(5));
    let resolved_again = app.clock.now();
    set_status(&client, &id, "resolved", None).await;
    let closed = set_status(&client, &id, "closed", None).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_at"], json!(resolved_again));
    assert_eq!(
        milestones(&client, &id).await["resolved"]["at"],
        json!(resolved_again)
    );
    client
        .post(
            &format!("{INCIDENTS}/{id}/status"),
            &json!({"status": "investigating", "reason": "x"}),
        )
        .await
        .expect_status(409);

    // A correction is appended with its reason; the derived value is not edited.
    let earlier = impact - minutes(15);
    let bad = client
        .post(
            &format!("{INCIDENTS}/{id}/milestones/corrections"),
            &json!({"milestone": "impact_started", "at": earlier, "reason": " "}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/reason"]);
    let future = client
        .post(
            &format!("{INCIDENTS}/{id}/milestones/corrections"),
            &json!({"milestone": "impact_started", "at": app.clock.now() + minutes(1),
                    "reason": "typo"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&future), ["/at"]);
    let corrected = client
        .post(
            &format!("{INCIDENTS}/{id}/milestones/corrections"),
            &json!({"milestone": "impact_started", "at": earlier,
                    "reason": "the CDN logs show errors from 09:40"}),
        )
        .await
        .expect_status(200)
        .json();
    let impact_row = corrected["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["milestone"] == "impact_started")
        .cloned()
        .expect("impact_started");
    assert_eq!(impact_row["at"], json!(earlier));
    assert_eq!(impact_row["corrected"], true);

    let kinds = timeline_kinds(&client, &id).await;
    for expected in [
        "incident.declared",
        "incident.participant_added",
        "incident.acknowledged",
        "incident.status_changed",
        "incident.resolved",
        "incident.milestone_corrected",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "{expected} in {kinds:?}"
        );
    }
    assert_eq!(
        kinds.iter().filter(|k| *k == "incident.resolved").count(),
        2,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn bad_declarations_name_every_field_and_security_cases_start_restricted() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "vault").await;
    let owner = app.owner();
    let problem = owner
        .post(
            INCIDENTS,
            &json!({"title": "", "service_id": uuid::Uuid::now_v7(), "severity": "urgent",
                    "visibility": "secret", "tags": ["fine", "not fine"]}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(
        pointers(&problem),
        ["/title", "/severity", "/visibility", "/tags/1"]
    );
    let missing = owner
        .post(
            INCIDENTS,
            &json!({"title": "x", "service_id": uuid::Uuid::now_v7(),
                    "parent_id": uuid::Uuid::now_v7()}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&missing), ["/service_id", "/parent_id"]);

    let security = declare(
        &owner,
        json!({"title": "Leaked key", "service_id": service, "incident_type": "security", "page": false}),
    )
    .await;
    assert_eq!(security["visibility"], "restricted");
    let open = declare(
        &owner,
        json!({"title": "Leaked key (public)", "service_id": service, "incident_type": "security",
               "visibility": "normal", "page": false, "parent_id": security["id"]}),
    )
    .await;
    assert_eq!(open["visibility"], "normal");
    assert_eq!(open["parent_id"], security["id"]);
    // A parent cannot become its own descendant.
    let cycle = owner
        .patch(
            &format!(
                "{INCIDENTS}/{}",
                security["id"].as_str().unwrap_or_default()
            ),
            &json!({"parent_id": open["id"]}),
            None,
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&cycle), ["/parent_id"]);
}

#[tokio::test]
async fn merging_moves_alerts_and_participants_and_ends_the_duplicate() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "api").await;
    let owner = app.owner();
    send(&app, &key, "trigger", "disk-a").await;
    send(&app, &key, "trigger", "disk-b").await;
    let primary = lifecycle::incident_of(&app, &service, "disk-a").await;
    let duplicate = lifecycle::incident_of(&app, &service, "disk-b").await;
    let (primary_id, duplicate_id) = (
        primary["id"].as_str().expect("id").to_owned(),
        duplicate["id"].as_str().expect("id").to_owned(),
    );
    assert_ne!(primary_id, duplicate_id, "grouping is off: two incidents");
    let ada = app.user(OrgRole::Responder).await;
    owner
        .post(
            &format!("{INCIDENTS}/{duplicate_id}/participants"),
            &json!({"user_id": ada.user.id}),
        )
        .await
        .expect_status(200);

    let into_self = owner
        .post(
            &format!("{INCIDENTS}/{duplicate_id}/merge"),
            &json!({"into_incident_id": duplicate_id, "reason": "same disk"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&into_self), ["/into_incident_id"]);
    let merged = owner
        .post(
            &format!("{INCIDENTS}/{duplicate_id}/merge"),
            &json!({"into_incident_id": primary_id, "reason": "the same disk array"}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(merged["alerts_moved"], 1);
    assert_eq!(merged["participants_moved"], 1);
    assert_eq!(merged["primary"]["alert_count"], 2);
    assert_eq!(merged["primary"]["open_alert_count"], 2);
    let gone = lifecycle::get_incident(&app, &duplicate_id).await;
    assert_eq!(gone["status"], "merged");
    assert_eq!(gone["merged_into"], primary_id.as_str());
    assert_eq!(gone["open_alert_count"], 0);
    let people = owner
        .get(&format!("{INCIDENTS}/{primary_id}/participants"))
        .await
        .expect_status(200)
        .json();
    assert!(
        people["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["user_id"] == json!(ada.user.id)),
        "{people}"
    );
    assert!(
        timeline_kinds(&owner, &duplicate_id)
            .await
            .contains(&"incident.merged".to_owned())
    );
    assert!(
        timeline_kinds(&owner, &primary_id)
            .await
            .contains(&"incident.merge_received".to_owned())
    );

    // The moved alert now belongs to the primary: both resolving resolves it; the duplicate
    // stays merged and cannot change again.
    send(&app, &key, "resolve", "disk-b").await;
    assert_eq!(
        lifecycle::get_incident(&app, &primary_id).await["status"],
        "triggered"
    );
    send(&app, &key, "resolve", "disk-a").await;
    assert_eq!(
        lifecycle::get_incident(&app, &primary_id).await["status"],
        "resolved"
    );
    assert_eq!(
        lifecycle::get_incident(&app, &duplicate_id).await["status"],
        "merged"
    );
    owner
        .post(
            &format!("{INCIDENTS}/{duplicate_id}/status"),
            &json!({"status": "investigating", "reason": "x"}),
        )
        .await
        .expect_status(409);
    // A new trigger of the merged alert's key opens a fresh incident, not the merged one.
    send(&app, &key, "trigger", "disk-b").await;
    let fresh = lifecycle::incident_of(&app, &service, "disk-b").await;
    assert_ne!(fresh["id"], duplicate_id.as_str());
    assert_ne!(fresh["status"], "merged");
}

#[tokio::test]
async fn one_commander_at_a_time_and_a_handover_needs_a_briefing() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "db").await;
    let owner = app.owner();
    let incident = declare(
        &owner,
        json!({"title": "Replica lag", "service_id": service, "page": false}),
    )
    .await;
    let id = incident["id"].as_str().expect("id").to_owned();
    let (ada, bob) = (
        app.user(OrgRole::Responder).await,
        app.user(OrgRole::Responder).await,
    );
    let ic = format!("{INCIDENTS}/{id}/roles/incident_commander");

    let roles = owner
        .put(&ic, &json!({"user_id": ada.user.id}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(roles["current"][0]["user_id"], json!(ada.user.id));
    app.clock.advance(minutes(42));
    let unbriefed = owner
        .put(&ic, &json!({"user_id": bob.user.id}))
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&unbriefed), ["/briefing"]);
    let again = owner
        .put(&ic, &json!({"user_id": ada.user.id, "briefing": "x"}))
        .await
        .expect_status(409)
        .json();
    assert_eq!(pointers(&again), ["/user_id"]);
    let roles = owner
        .put(
            &ic,
            &json!({"user_id": bob.user.id, "briefing": "Lag is from the batch job; paused it."}),
        )
        .await
        .expect_status(200)
        .json();
    let current = roles["current"].as_array().cloned().unwrap_or_default();
    assert_eq!(current.len(), 1, "exactly one commander: {roles}");
    assert_eq!(current[0]["user_id"], json!(bob.user.id));
    assert_eq!(
        current[0]["briefing"],
        "Lag is from the batch job; paused it."
    );
    assert_eq!(roles["history"][0]["user_id"], json!(ada.user.id));
    assert_eq!(roles["history"][0]["held_seconds"], 42 * 60);

    let unknown = owner
        .put(
            &format!("{INCIDENTS}/{id}/roles/wizard"),
            &json!({"user_id": bob.user.id}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&unknown), ["/role"]);
    // Another role is held alongside; releasing ends a holding without a successor.
    owner
        .put(
            &format!("{INCIDENTS}/{id}/roles/scribe"),
            &json!({"user_id": ada.user.id}),
        )
        .await
        .expect_status(200);
    let released = owner
        .delete(&format!("{INCIDENTS}/{id}/roles/scribe"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(released["current"].as_array().map(Vec::len), Some(1));
    owner
        .delete(&format!("{INCIDENTS}/{id}/roles/scribe"))
        .await
        .expect_status(404);

    let events = owner
        .get(&format!("{INCIDENTS}/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    let handover = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["kind"] == "incident.role_handed_over")
        .cloned()
        .expect("a handover on the timeline");
    assert_eq!(handover["payload"]["previous_user_id"], json!(ada.user.id));
    assert_eq!(handover["payload"]["previous_held_seconds"], 42 * 60);
    assert!(
        events["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["kind"] == "incident.role_released"),
        "{events}"
    );
}

/// Every incident endpoint the API document lists, with `{id}` filled in.
async fn incident_endpoints(app: &TestApp) -> Vec<(reqwest::Method, String)> {
    let document = app
        .anonymous()
        .get("/api/openapi.json")
        .await
        .expect_status(200)
        .json();
    let mut endpoints = Vec::new();
    for (path, operations) in document["paths"].as_object().into_iter().flatten() {
        if !path.starts_with("/api/v1/incidents/{id}") {
            continue;
        }
        for method in operations.as_object().into_iter().flatten().map(|(m, _)| m) {
            let method =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            endpoints.push((method, path.clone()));
        }
    }
    endpoints
}

async fn status_of(client: &Client, method: &reqwest::Method, path: &str) -> u16 {
    let path = path
        .replace("{role}", "incident_commander")
        .replace("{seq}", "1")
        .replace("{task_id}", &uuid::Uuid::now_v7().to_string())
        .replace("{guest_id}", &uuid::Uuid::now_v7().to_string())
        .replace("{dispute_id}", &uuid::Uuid::now_v7().to_string())
        .replace("{check_id}", &uuid::Uuid::now_v7().to_string())
        .replace("{evidence_id}", &uuid::Uuid::now_v7().to_string())
        .replace("{obligation_id}", &uuid::Uuid::now_v7().to_string());
    client
        .json(method.clone(), &path, &json!({}), &[])
        .await
        .status
}

#[tokio::test]
async fn a_restricted_incident_looks_like_no_incident_at_all_to_everyone_else() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "hr-tools").await;
    let owner = app.owner();
    let outsider = app.user(OrgRole::Responder).await;
    let outsider_client = app.with_token(&outsider.token);
    let admin = app.user(OrgRole::Admin).await;
    let case = declare(&owner, json!({"title": "Misconduct report", "service_id": service, "incident_type": "hr", "page": false})).await;
    assert_eq!(case["visibility"], "restricted");
    let id = case["id"].as_str().expect("id").to_owned();
    let normal = declare(
        &owner,
        json!({"title": "Printer on fire", "service_id": service, "page": false}),
    )
    .await;

    // Every incident endpoint answers the outsider exactly as for an id that does not exist.
    let endpoints = incident_endpoints(&app).await;
    assert!(endpoints.len() >= 12, "{endpoints:?}");
    let nowhere = uuid::Uuid::now_v7().to_string();
    for (method, template) in &endpoints {
        let hidden = status_of(&outsider_client, method, &template.replace("{id}", &id)).await;
        let missing = status_of(
            &outsider_client,
            method,
            &template.replace("{id}", &nowhere),
        )
        .await;
        assert_eq!(
            hidden, missing,
            "{method} {template}: hidden {hidden}, missing {missing}"
        );
        assert!(
            hidden == 404 || hidden == 422,
            "{method} {template}: {hidden}"
        );
    }
    // Bodies that are valid still find nothing.
    for (path, body) in [
        (
            format!("{INCIDENTS}/{id}/status"),
            json!({"status": "investigating"}),
        ),
        (
            format!("{INCIDENTS}/{id}/merge"),
            json!({"into_incident_id": normal["id"], "reason": "dup"}),
        ),
        (format!("{INCIDENTS}/{id}/acknowledge"), json!({})),
        (format!("{INCIDENTS}/{id}/escalate"), json!({})),
    ] {
        outsider_client.post(&path, &body).await.expect_status(404);
    }
    let as_primary = outsider_client
        .post(
            &format!(
                "{INCIDENTS}/{}/merge",
                normal["id"].as_str().unwrap_or_default()
            ),
            &json!({"into_incident_id": id, "reason": "dup"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&as_primary), ["/into_incident_id"]);
    let listed = outsider_client
        .get(&format!("{INCIDENTS}?limit=200"))
        .await
        .expect_status(200)
        .json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(!ids.contains(&id.as_str()), "{ids:?}");
    assert!(ids.contains(&normal["id"].as_str().unwrap_or_default()));
    let admin_client = app.with_token(&admin.token);
    admin_client
        .get(&format!("{INCIDENTS}/{id}"))
        .await
        .expect_status(404);

    // A participant sees it; so do the organisation roles named on it.
    owner
        .post(
            &format!("{INCIDENTS}/{id}/participants"),
            &json!({"user_id": outsider.user.id}),
        )
        .await
        .expect_status(200);
    outsider_client
        .get(&format!("{INCIDENTS}/{id}"))
        .await
        .expect_status(200);
    let listed = outsider_client
        .get(&format!("{INCIDENTS}?limit=200"))
        .await
        .expect_status(200)
        .json();
    assert!(
        listed["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["id"] == id.as_str())
    );
    owner
        .patch(
            &format!("{INCIDENTS}/{id}"),
            &json!({"visible_to_roles": ["admin"]}),
            None,
        )
        .await
        .expect_status(200);
    admin_client
        .get(&format!("{INCIDENTS}/{id}"))
        .await
        .expect_status(200);
    let admin_list = admin_client
        .get(&format!("{INCIDENTS}?limit=200"))
        .await
        .expect_status(200)
        .json();
    assert!(
        admin_list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["id"] == id.as_str())
    );
    let bad_role = owner
        .patch(
            &format!("{INCIDENTS}/{id}"),
            &json!({"visible_to_roles": ["wizard"]}),
            None,
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad_role), ["/visible_to_roles/0"]);
}

#[tokio::test]
async fn observers_read_incidents_but_only_responders_run_them() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "web").await;
    let observer = app.user(OrgRole::Observer).await;
    let observer_client = app.with_token(&observer.token);
    let body = json!({"title": "Slow pages", "service_id": service, "page": false});
    app.anonymous()
        .post(INCIDENTS, &body)
        .await
        .expect_status(401);
    observer_client
        .post(INCIDENTS, &body)
        .await
        .expect_status(403);
    let incident = declare(&app.owner(), body).await;
    let id = incident["id"].as_str().expect("id");
    observer_client
        .get(&format!("{INCIDENTS}/{id}/milestones"))
        .await
        .expect_status(200);
    observer_client
        .get(&format!("{INCIDENTS}/{id}/roles"))
        .await
        .expect_status(200);
    observer_client
        .get(&format!("{INCIDENTS}/{id}/participants"))
        .await
        .expect_status(200);
    for (path, body) in [
        (
            format!("{INCIDENTS}/{id}/status"),
            json!({"status": "investigating"}),
        ),
        (
            format!("{INCIDENTS}/{id}/merge"),
            json!({"into_incident_id": id, "reason": "x"}),
        ),
        (
            format!("{INCIDENTS}/{id}/participants"),
            json!({"user_id": observer.user.id}),
        ),
        (
            format!("{INCIDENTS}/{id}/milestones/corrections"),
            json!({"milestone": "detected", "at": null, "reason": "x"}),
        ),
    ] {
        observer_client.post(&path, &body).await.expect_status(403);
    }
    observer_client
        .put(
            &format!("{INCIDENTS}/{id}/roles/scribe"),
            &json!({"user_id": observer.user.id}),
        )
        .await
        .expect_status(403);
    observer_client
        .patch(&format!("{INCIDENTS}/{id}"), &json!({"title": "x"}), None)
        .await
        .expect_status(403);
}

#[tokio::test]
async fn an_incident_costs_role_weighted_time_plus_revenue_over_its_impact_window() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "shop").await;
    let owner = app.owner();
    let impact_start = app.clock.now() - minutes(60);
    let incident = declare(
        &owner,
        json!({"title": "Checkout down", "service_id": service, "page": false,
               "impact_started_at": impact_start}),
    )
    .await;
    let id = incident["id"].as_str().expect("id").to_owned();
    owner
        .put(
            &format!("{INCIDENTS}/{id}/impact"),
            &json!({"revenue_per_hour_minor": 1_200_000}),
        )
        .await
        .expect_status(200);
    let ada = app.user(OrgRole::Responder).await;
    owner
        .put(
            &format!("{INCIDENTS}/{id}/roles/incident_commander"),
            &json!({"user_id": ada.user.id}),
        )
        .await
        .expect_status(200);
    app.clock.advance(minutes(60));
    set_status(&owner, &id, "monitoring", None).await;
    app.clock.advance(minutes(30));

    let observer = app.user(OrgRole::Observer).await;
    let observer_client = app.with_token(&observer.token);
    let cost = observer_client
        .get(&format!("{INCIDENTS}/{id}/cost"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(cost["currency"], "USD");
    // Ada commands for 90 minutes at 100.00 x 150%; the declarer takes part 90 minutes at 50%.
    let line = |role: Value| {
        cost["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["role"] == role)
            .cloned()
            .unwrap_or_else(|| panic!("no line for {role}: {cost}"))
    };
    assert_eq!(line(json!("incident_commander"))["cost_minor"], 22_500);
    assert_eq!(line(json!("incident_commander"))["seconds"], 5_400);
    assert_eq!(line(Value::Null)["cost_minor"], 7_500);
    // Impact from 60 minutes before the declaration until mitigated an hour after it.
    assert_eq!(cost["impact_seconds"], 7_200);
    assert_eq!(cost["revenue_minor"], 2_400_000);
    assert_eq!(cost["total_minor"], 2_430_000);

    // The policy prices it; bad values are named; only admins change it.
    let bad = owner
        .put(
            "/api/v1/incident-cost-policy",
            &json!({"currency": "euro", "hourly_cost_minor": -5}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/currency", "/hourly_cost_minor"]);
    observer_client
        .put("/api/v1/incident-cost-policy", &json!({"currency": "EUR"}))
        .await
        .expect_status(403);
    let stored = owner
        .put(
            "/api/v1/incident-cost-policy",
            &json!({"currency": "EUR", "hourly_cost_minor": 20_000,
                    "role_weights_percent": {"incident_commander": 200},
                    "participant_weight_percent": 0}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(stored["version"], 1);
    let repriced = observer_client
        .get(&format!("{INCIDENTS}/{id}/cost"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(repriced["currency"], "EUR");
    assert_eq!(repriced["people_minor"], 60_000);
    assert_eq!(repriced["total_minor"], 2_460_000);
}
