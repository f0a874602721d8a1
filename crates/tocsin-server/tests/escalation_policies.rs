//! Escalation policies over HTTP: create, read, replace and delete with validation errors naming
//! the field; users, schedules and teams a policy pages cannot be removed from under it; the
//! preview resolves a schedule target through its layers and overrides; round-robin advances per
//! page in the store's `resolve_step` but not in a preview; skills; routing rules by severity and
//! by time of week; the on-call answer lists every policy with reasons.
mod schedules;

use schedules::{assert_problem, create, id, person, team, weekly};
use serde_json::{Value, json};
use tocsin_domain::Timestamp;
use tocsin_domain::alerting::{FieldMap, Severity};
use tocsin_domain::escalation::EscalationPosition;
use tocsin_domain::id::{EscalationPolicyId, ServiceId};
use tocsin_store::escalation;
use tocsin_testkit::{Client, TestApp, spawn_app};

const POLICIES: &str = "/api/v1/escalation-policies";

fn user_target(user: &str) -> Value {
    json!({"kind": "user", "user_id": user})
}

fn policy(name: &str, targets: Vec<Value>) -> Value {
    json!({"name": name, "steps": [{"delay_minutes": 10, "targets": targets}]})
}

async fn create_policy(owner: &Client, body: &Value) -> String {
    id(&owner.post(POLICIES, body).await.expect_status(201))
}

/// The preview of `policy` at `at`: each step's (user names, reasons, warnings).
async fn preview(
    client: &Client,
    policy: &str,
    at: &str,
) -> Vec<(Vec<String>, Vec<String>, Value)> {
    let answer = client
        .get(&format!("{POLICIES}/{policy}/preview?at={at}"))
        .await
        .expect_status(200)
        .json();
    steps_of(&answer)
}

fn steps_of(answer: &Value) -> Vec<(Vec<String>, Vec<String>, Value)> {
    let text = |users: &Value, field: &str| -> Vec<String> {
        users
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| u[field].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    answer["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                text(&s["users"], "name"),
                text(&s["users"], "reason"),
                s["warnings"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn policies_are_created_read_replaced_and_deleted_with_errors_naming_the_field() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let body = policy("Payments", vec![user_target(&ada)]);
    let created = owner.post(POLICIES, &body).await.expect_status(201);
    let policy_id = id(&created);
    assert_eq!(
        created.header("location"),
        Some(format!("{POLICIES}/{policy_id}").as_str())
    );
    let read = owner
        .get(&format!("{POLICIES}/{policy_id}"))
        .await
        .expect_status(200);
    let etag = read.header("etag").expect("etag").to_owned();
    let mut view = read.json();
    assert_eq!(view["steps"][0]["targets"][0]["user_id"], ada.as_str());
    assert_eq!(view["repeat"], 0);

    view["repeat"] = json!(2);
    view["ack_timeout_minutes"] = json!(30);
    let path = format!("{POLICIES}/{policy_id}");
    let put = reqwest::Method::PUT;
    let replaced = owner
        .json(put.clone(), &path, &view, &[("if-match", etag.as_str())])
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        (replaced["repeat"].clone(), replaced["version"].clone()),
        (json!(2), json!(2))
    );
    let stale = owner
        .json(put, &path, &view, &[("if-match", etag.as_str())])
        .await;
    assert_eq!(stale.status, 412, "the old ETag is stale: {}", stale.text);

    let mut bad = policy("Broken", vec![user_target(&ada)]);
    bad["steps"][0]["delay_minutes"] = json!(0);
    assert_problem(
        &owner.post(POLICIES, &bad).await,
        422,
        "/steps/0/delay_minutes",
    );
    let second_step = json!({"name": "Broken", "steps": [
        {"delay_minutes": 5, "targets": [user_target(&ada)]},
        {"delay_minutes": 5, "targets": [{"kind": "skill", "skill": "no spaces"}]}]});
    assert_problem(
        &owner.post(POLICIES, &second_step).await,
        422,
        "/steps/1/targets/0/skill",
    );
    let unknown = policy(
        "Broken",
        vec![user_target("0192f0c4-0000-7000-8000-00000000abcd")],
    );
    assert_problem(
        &owner.post(POLICIES, &unknown).await,
        422,
        "/steps/0/targets/0",
    );
    let taken = policy("payments", vec![user_target(&ada)]);
    assert_problem(&owner.post(POLICIES, &taken).await, 409, "/name");

    let events = owner
        .get(&format!("{path}/events"))
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["escalation_policy.created", "escalation_policy.updated"]
    );
    let listed = owner.get(POLICIES).await.expect_status(200).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    owner
        .delete(&format!("{POLICIES}/{policy_id}"))
        .await
        .expect_status(204);
    owner
        .get(&format!("{POLICIES}/{policy_id}"))
        .await
        .expect_status(404);
}

/// The answer's text names `name` (a refusal naming what is in the way).
#[track_caller]
fn assert_names(response: &tocsin_testkit::TestResponse, name: &str) {
    assert!(response.text.contains(name), "{}", response.text);
}

#[tokio::test]
async fn what_a_policy_pages_cannot_be_removed_from_under_it() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let schedule = create(&owner, &weekly("Primary", &[&bob])).await;
    let team = team(&owner, "Payments").await;
    let policy_id = create_policy(
        &owner,
        &policy(
            "Payments escalation",
            vec![
                user_target(&ada),
                json!({"kind": "schedule", "schedule_id": schedule}),
                json!({"kind": "team", "team_id": team}),
            ],
        ),
    )
    .await;

    let deactivate = owner
        .patch(
            &format!("/api/v1/users/{ada}"),
            &json!({"active": false}),
            None,
        )
        .await;
    assert_problem(&deactivate, 409, "/active");
    assert_names(&deactivate, "Payments escalation");
    let deleted = owner.delete(&format!("/api/v1/schedules/{schedule}")).await;
    assert_eq!(deleted.status, 409, "{}", deleted.text);
    assert_names(&deleted, "Payments escalation");
    let deleted = owner.delete(&format!("/api/v1/teams/{team}")).await;
    assert_eq!(deleted.status, 409, "{}", deleted.text);
    assert_names(&deleted, "Payments escalation");

    let service = id(&owner
        .post("/api/v1/services", &json!({"name": "Checkout"}))
        .await
        .expect_status(201));
    let set = owner
        .put(
            &format!("/api/v1/services/{service}/escalation-policy"),
            &json!({"policy_id": policy_id}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(set["escalation_policy_id"], policy_id.as_str());
    let read = owner
        .get(&format!("/api/v1/services/{service}"))
        .await
        .json();
    assert_eq!(read["escalation_policy_id"], policy_id.as_str());
    let deleted = owner.delete(&format!("{POLICIES}/{policy_id}")).await;
    assert_eq!(deleted.status, 409, "{}", deleted.text);
    assert!(deleted.text.contains("Checkout"), "{}", deleted.text);
    let unknown = owner
        .put(
            &format!("/api/v1/services/{service}/escalation-policy"),
            &json!({"policy_id": "0192f0c4-0000-7000-8000-00000000abcd"}),
        )
        .await;
    assert_problem(&unknown, 422, "/policy_id");

    // Once nothing uses them, the policy goes, then the schedule can.
    owner
        .put(
            &format!("/api/v1/services/{service}/escalation-policy"),
            &json!({"policy_id": null}),
        )
        .await
        .expect_status(200);
    owner
        .delete(&format!("{POLICIES}/{policy_id}"))
        .await
        .expect_status(204);
    owner
        .delete(&format!("/api/v1/schedules/{schedule}"))
        .await
        .expect_status(204);
}

#[tokio::test]
async fn the_preview_resolves_a_schedule_through_its_layers_and_overrides() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let cy = person(&owner, "Cy").await;
    let schedule = create(&owner, &weekly("Primary", &[&ada, &bob])).await;
    owner
        .post(
            &format!("/api/v1/schedules/{schedule}/overrides"),
            &json!({"user_id": cy, "start": "2026-11-10T10:00:00Z", "end": "2026-11-10T12:00:00Z"}),
        )
        .await
        .expect_status(201);
    let policy_id = create_policy(
        &owner,
        &json!({"name": "Primary escalation", "steps": [
            {"delay_minutes": 5, "targets": [{"kind": "schedule", "schedule_id": schedule}]},
            {"delay_minutes": 5, "targets": [user_target(&ada)]}]}),
    )
    .await;

    let first_week = preview(&owner, &policy_id, "2026-11-03T12:00:00Z").await;
    assert_eq!(first_week[0].0, ["Ada"]);
    assert!(
        first_week[0].1[0].contains("layer \"Primary\""),
        "{:?}",
        first_week[0].1
    );
    assert_eq!(first_week[1].0, ["Ada"]);
    let second_week = preview(&owner, &policy_id, "2026-11-10T09:30:00Z").await;
    assert_eq!(second_week[0].0, ["Bob"]);
    let overridden = preview(&owner, &policy_id, "2026-11-10T11:00:00Z").await;
    assert_eq!(overridden[0].0, ["Cy"]);
    assert!(
        overridden[0].1[0].contains("override"),
        "{:?}",
        overridden[0].1
    );
    owner
        .get(&format!("{POLICIES}/{policy_id}/preview?at=yesterday"))
        .await
        .expect_status(400);
}

async fn resolve_in_store(app: &TestApp, policy_id: &str) -> Vec<String> {
    let id: EscalationPolicyId = policy_id.parse().expect("policy id");
    let at: Timestamp = "2026-11-03T12:00:00Z".parse().expect("instant");
    let resolved = app
        .store
        .write(move |tx| {
            Box::pin(async move {
                let stored = escalation::load_policy(tx, id).await?;
                escalation::resolve_step(tx, id, &stored.policy, EscalationPosition::START, at)
                    .await
            })
        })
        .await
        .expect("resolved");
    resolved
        .users
        .iter()
        .map(|paged| paged.user_id.to_string())
        .collect()
}

#[tokio::test]
async fn round_robin_advances_per_page_but_not_per_preview() {
    let app = spawn_app().await;
    let owner = app.owner();
    let team = team(&owner, "Platform").await;
    let mut members = Vec::new();
    for name in ["Ada", "Bob", "Cy"] {
        let user = person(&owner, name).await;
        owner
            .put(
                &format!("/api/v1/teams/{team}/members/{user}"),
                &json!({"role": "responder"}),
            )
            .await
            .expect_status(200);
        members.push(user);
    }
    members.sort();
    let policy_id = create_policy(
        &owner,
        &policy(
            "Round robin",
            vec![json!({"kind": "team", "team_id": team, "round_robin": true})],
        ),
    )
    .await;
    let at = "2026-11-03T12:00:00Z";
    let before = preview(&owner, &policy_id, at).await;
    assert_eq!(
        before,
        preview(&owner, &policy_id, at).await,
        "a preview uses no turn"
    );
    assert_eq!(before[0].0.len(), 1);

    let mut paged = Vec::new();
    for _ in 0..4 {
        paged.extend(resolve_in_store(&app, &policy_id).await);
    }
    let expected = [&members[0], &members[1], &members[2], &members[0]];
    assert_eq!(paged.iter().collect::<Vec<_>>(), expected);
    let after = owner
        .get(&format!("{POLICIES}/{policy_id}/preview?at={at}"))
        .await
        .json();
    assert_eq!(
        after["steps"][0]["users"][0]["user_id"],
        members[1].as_str()
    );
}

#[tokio::test]
async fn a_skill_target_pages_everyone_with_the_skill() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let cy = person(&owner, "Cy").await;
    for user in [&ada, &bob] {
        let skills = owner
            .put(
                &format!("/api/v1/users/{user}/skills"),
                &json!({"skills": ["Postgres", "k8s"]}),
            )
            .await
            .expect_status(200)
            .json();
        assert_eq!(skills["skills"], json!(["k8s", "postgres"]));
    }
    owner
        .put(
            &format!("/api/v1/users/{cy}/skills"),
            &json!({"skills": ["k8s"]}),
        )
        .await
        .expect_status(200);
    let bad = owner
        .put(
            &format!("/api/v1/users/{cy}/skills"),
            &json!({"skills": ["ok", "not ok"]}),
        )
        .await;
    assert_problem(&bad, 422, "/skills/1");
    let read = owner
        .get(&format!("/api/v1/users/{cy}/skills"))
        .await
        .json();
    assert_eq!(read["skills"], json!(["k8s"]));

    // The directory answers who has a skill, the same people a skill target pages.
    let with_postgres = owner.get("/api/v1/users?skill=PostGres").await.json();
    let mut found: Vec<&str> = with_postgres["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["name"].as_str().expect("name"))
        .collect();
    found.sort_unstable();
    assert_eq!(found, ["Ada", "Bob"]);
    let paged = owner.get("/api/v1/users?skill=k8s&limit=2").await.json();
    assert_eq!(paged["items"].as_array().expect("items").len(), 2);
    let cursor = paged["next_cursor"].as_str().expect("a second page");
    let rest = owner
        .get(&format!("/api/v1/users?skill=k8s&limit=2&cursor={cursor}"))
        .await
        .json();
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);
    assert!(rest["next_cursor"].is_null());
    let nobody = owner.get("/api/v1/users?skill=cobol").await.json();
    assert_eq!(nobody["items"], json!([]));
    let bad = owner.get("/api/v1/users?skill=not%20ok").await;
    assert_problem(&bad, 422, "/skill");

    let policy_id = create_policy(
        &owner,
        &policy(
            "Databases",
            vec![json!({"kind": "skill", "skill": "POSTGRES"})],
        ),
    )
    .await;
    let steps = preview(&owner, &policy_id, "2026-11-03T12:00:00Z").await;
    let mut names = steps[0].0.clone();
    names.sort();
    assert_eq!(names, ["Ada", "Bob"]);
    assert!(steps[0].1.iter().all(|why| why == "has the skill postgres"));
    let nobody = create_policy(
        &owner,
        &policy("Nobody", vec![json!({"kind": "skill", "skill": "cobol"})]),
    )
    .await;
    let steps = preview(&owner, &nobody, "2026-11-03T12:00:00Z").await;
    assert!(steps[0].0.is_empty());
    assert_eq!(steps[0].2, json!(["nobody has the skill cobol"]));
}

#[tokio::test]
async fn routing_rules_pick_another_policy_by_severity_and_by_time_of_day() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let default = create_policy(&owner, &policy("Default", vec![user_target(&ada)])).await;
    let critical = create_policy(&owner, &policy("Critical", vec![user_target(&ada)])).await;
    let nights = create_policy(&owner, &policy("Nights", vec![user_target(&ada)])).await;
    let service = id(&owner
        .post("/api/v1/services", &json!({"name": "Checkout"}))
        .await
        .expect_status(201));
    owner
        .put(
            &format!("/api/v1/services/{service}/escalation-policy"),
            &json!({"policy_id": default}),
        )
        .await
        .expect_status(200);
    let routes = json!({"rules": [
        {"name": "Critical", "severity_at_least": "critical", "policy_id": critical},
        {"name": "Nights", "conditions": "{component=~\"db|cache\"}",
         "active": {"days": ["monday", "tuesday"], "start": "22:00", "end": "06:00",
                    "time_zone": "Europe/Berlin"}, "policy_id": nights}]});
    let path = format!("/api/v1/services/{service}/escalation-routes");
    let unwritten = owner.get(&path).await.expect_status(200);
    assert_eq!(unwritten.header("etag"), Some("\"0\""));
    let put = reqwest::Method::PUT;
    let stored = owner
        .json(put.clone(), &path, &routes, &[("if-match", "\"0\"")])
        .await
        .expect_status(200);
    assert_eq!(stored.header("etag"), Some("\"1\""));
    let stale = owner
        .json(put, &path, &json!({"rules": []}), &[("if-match", "\"0\"")])
        .await;
    assert_eq!(stale.status, 412, "the old ETag is stale: {}", stale.text);
    let read = owner.get(&path).await.expect_status(200);
    assert_eq!(
        read.header("etag"),
        Some("\"1\""),
        "a stale write changed nothing"
    );
    let read = read.json();
    assert_eq!(read["rules"][1]["name"], "Nights");
    assert_eq!(read["rules"][0]["policy_id"], critical.as_str());
    let unknown =
        json!({"rules": [{"name": "X", "policy_id": "0192f0c4-0000-7000-8000-00000000abcd"}]});
    assert_problem(&owner.put(&path, &unknown).await, 422, "/rules/0/policy_id");
    let bad =
        json!({"rules": [{"name": "X", "severity_at_least": "fatal", "policy_id": critical}]});
    assert_problem(
        &owner.put(&path, &bad).await,
        422,
        "/rules/0/severity_at_least",
    );

    let service_id: ServiceId = service.parse().expect("service id");
    let mut db = FieldMap::new();
    db.insert("component", "db");
    // Monday 23:30 in Berlin is 22:30 UTC; Monday 12:00 UTC is daytime.
    let cases = [
        (
            Severity::Critical,
            "2026-11-30T12:00:00Z",
            &critical,
            "routing rule \"Critical\"",
        ),
        (
            Severity::Warning,
            "2026-11-30T22:30:00Z",
            &nights,
            "routing rule \"Nights\"",
        ),
        (
            Severity::Warning,
            "2026-11-30T12:00:00Z",
            &default,
            "service default",
        ),
    ];
    for (severity, at, expected, reason) in cases {
        let at: Timestamp = at.parse().expect("instant");
        let fields = db.clone();
        let chosen = app
            .store
            .write(move |tx| {
                Box::pin(async move {
                    escalation::policy_for_alert(tx, service_id, &fields, severity, at).await
                })
            })
            .await
            .expect("chosen")
            .expect("a policy");
        assert_eq!(chosen.0.policy_id.to_string(), *expected);
        assert_eq!(chosen.0.reason, reason);
    }
    let by_default = app
        .store
        .write(move |tx| {
            Box::pin(async move { escalation::policy_for_service(tx, service_id).await })
        })
        .await
        .expect("read")
        .expect("a default");
    assert_eq!(by_default.1.name.as_str(), "Default");
}

#[tokio::test]
async fn the_on_call_answer_lists_every_policy_with_reasons() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let schedule = create(&owner, &weekly("Primary", &[&bob])).await;
    create_policy(
        &owner,
        &json!({"name": "Checkout escalation", "steps": [
            {"delay_minutes": 5, "targets": [{"kind": "schedule", "schedule_id": schedule}]},
            {"delay_minutes": 15, "targets": [user_target(&ada), {"kind": "skill", "skill": "none"}]}]}),
    )
    .await;
    let answer = owner
        .get("/api/v1/oncall?at=2026-11-03T12:00:00Z")
        .await
        .expect_status(200)
        .json();
    let policies = answer["escalation_policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0]["name"], "Checkout escalation");
    let steps = steps_of(&policies[0]);
    assert_eq!(steps[0].0, ["Bob"]);
    assert!(
        steps[0].1[0].starts_with("on call in schedule \"Primary\""),
        "{:?}",
        steps[0].1
    );
    assert_eq!(steps[1].0, ["Ada"]);
    assert_eq!(steps[1].1, ["named in the step"]);
    assert_eq!(steps[1].2, json!(["nobody has the skill none"]));
}
