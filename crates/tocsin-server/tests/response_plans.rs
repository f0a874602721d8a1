//! Response plans end to end on the scenario harness: a plan for major incidents staffs the
//! commander, asks for a communications lead and creates a task the moment an impact change
//! makes the incident major, once only; a data-exposure plan pages the legal team (their
//! webhooks receive the page), restricts the incident and gives legal a task when the regulatory
//! profile records exposed personal data; every run is listed with its reasons and actions.
//! Plans naming missing users, teams or roles, or doing nothing, are refused field by field.
use serde_json::{Value, json};
use tocsin_domain::id::IncidentId;
use tocsin_testkit::scenario::{Person, Scenario};

async fn team_of(scenario: &Scenario, name: &str, members: &[&Person]) -> String {
    let owner = scenario.app.owner();
    let team = owner
        .post("/api/v1/teams", &json!({ "name": name }))
        .await
        .expect_status(201)
        .json();
    let id = team["id"].as_str().expect("a team id").to_owned();
    for member in members {
        owner
            .put(
                &format!("/api/v1/teams/{id}/members/{}", member.id()),
                &json!({ "role": "responder" }),
            )
            .await
            .expect_status(200);
    }
    id
}

async fn runs(scenario: &Scenario, incident: IncidentId) -> Vec<Value> {
    let answer = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}/response-plans"))
        .await
        .expect_status(200)
        .json();
    answer["items"].as_array().cloned().unwrap_or_default()
}

async fn task_titles(scenario: &Scenario, incident: IncidentId) -> Vec<String> {
    let answer = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}/tasks"))
        .await
        .expect_status(200)
        .json();
    answer["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn set_impact(scenario: &Scenario, incident: IncidentId, customers: i64) -> Value {
    scenario
        .app
        .owner()
        .put(
            &format!("/api/v1/incidents/{incident}/impact"),
            &json!({ "customers_affected": customers, "reason": "support tickets" }),
        )
        .await
        .expect_status(200)
        .json()
}

#[tokio::test]
async fn a_major_incident_runs_its_plan_once_and_exposure_calls_in_legal() {
    let scenario = Scenario::start().await;
    let commander = scenario.person("cora").await;
    let lawyer = scenario.person("lena").await;
    let counsel = scenario.person("carl").await;
    let bystander = scenario.person("bert").await;
    let legal = team_of(&scenario, "Legal", &[&lawyer, &counsel]).await;
    let plans = json!({ "plans": [
        { "key": "major", "name": "Major incident",
          "when": { "major": true },
          "actions": {
            "roles": [ { "role": "incident_commander", "user_id": commander.id() },
                       { "role": "communications_lead" } ],
            "tasks": [ { "title": "Open the bridge", "due_minutes": 15 } ] } },
        { "key": "personal-data", "name": "Personal data exposed",
          "when": { "data_exposure": ["personal_data", "health_data"] },
          "actions": {
            "page_team_ids": [legal],
            "restrict_to_roles": ["owner", "admin"],
            "tasks": [ { "title": "Assess the duty to notify", "owner_user_id": lawyer.id() } ] } }
    ]});
    let stored = scenario
        .app
        .owner()
        .put("/api/v1/response-plans", &plans)
        .await
        .expect_status(200);
    assert_eq!(stored.header("etag"), Some("\"1\""));
    assert_eq!(stored.json()["plans"][0]["enabled"], true);

    let intake = scenario.service("checkout", None).await;
    let incident = scenario.trigger(&intake, "checkout down").await;
    scenario.settle().await;
    assert!(runs(&scenario, incident).await.is_empty(), "not major yet");

    // 20,000 customers meets the default major criterion (10,000): the plan runs.
    let answer = set_impact(&scenario, incident, 20_000).await;
    assert_eq!(answer["is_major"], true);
    let ran = runs(&scenario, incident).await;
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_eq!(ran[0]["plan_key"], "major");
    assert_eq!(ran[0]["reasons"], json!(["the incident is major"]));
    assert_eq!(
        ran[0]["actions"],
        json!([
            format!("made user {} the Incident commander", commander.id()),
            "asked for a Communications lead (a task to staff the role)",
            "created the task \"Open the bridge\"",
        ])
    );
    let roles = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}/roles"))
        .await
        .expect_status(200)
        .json();
    assert!(
        roles.to_string().contains(&commander.id()),
        "the commander holds the role: {roles}"
    );
    let tasks = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}/tasks"))
        .await
        .expect_status(200)
        .json();
    let bridge = tasks["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["title"] == "Open the bridge"))
        .cloned()
        .expect("the bridge task");
    assert_eq!(bridge["due_at"], "2026-11-27T12:15:00Z");

    // A later priority change does not run the plan again.
    set_impact(&scenario, incident, 30_000).await;
    assert_eq!(runs(&scenario, incident).await.len(), 1);
    assert_eq!(
        task_titles(&scenario, incident).await,
        ["Staff the Communications lead role", "Open the bridge"]
    );
    scenario.settle().await;
    scenario.expect_nothing_more();

    // The bystander sees the incident until the exposure plan restricts it.
    let as_bystander = scenario.app.with_token(&bystander.user.token);
    let path = format!("/api/v1/incidents/{incident}");
    as_bystander.get(&path).await.expect_status(200);
    scenario
        .app
        .owner()
        .put(
            &format!("/api/v1/incidents/{incident}/regulatory"),
            &json!({ "exposure": { "personal_data": true }, "jurisdictions": ["de"],
                     "owner_user_id": lawyer.id() }),
        )
        .await
        .expect_status(200);
    scenario.settle().await;
    let lena_page = scenario.expect(&lawyer, "notification.page");
    assert_eq!(lena_page["data"]["incident"]["id"], incident.to_string());
    scenario.expect(&counsel, "notification.page");
    let ran = runs(&scenario, incident).await;
    assert_eq!(ran.len(), 2);
    assert_eq!(ran[1]["plan_key"], "personal-data");
    assert_eq!(ran[1]["reasons"], json!(["personal data exposed"]));
    assert_eq!(
        ran[1]["actions"],
        json!([
            "restricted the incident to its participants and the roles named",
            "paged 2 people (2 notifications)",
            "created the task \"Assess the duty to notify\"",
        ])
    );
    as_bystander.get(&path).await.expect_status(404);
    let incident_now = scenario
        .app
        .owner()
        .get(&path)
        .await
        .expect_status(200)
        .json();
    assert_eq!(incident_now["visibility"], "restricted");
    assert_eq!(incident_now["visible_to_roles"], json!(["owner", "admin"]));

    let timeline =
        tocsin_store::events::read_stream(scenario.app.store.reader(), incident.0, 0, 500)
            .await
            .expect("the timeline");
    let plan_events: Vec<&str> = timeline
        .iter()
        .filter(|e| e.kind == "incident.response_plan_ran")
        .filter_map(|e| e.payload["plan_key"].as_str())
        .collect();
    assert_eq!(plan_events, ["major", "personal-data"]);
    scenario.finish();
}

#[tokio::test]
async fn a_priority_plan_runs_when_the_incident_opens_and_disabled_plans_never_do() {
    let scenario = Scenario::start().await;
    let plans = json!({ "plans": [
        { "key": "off", "name": "Switched off", "enabled": false,
          "when": { "priority_at_most": "P5" },
          "actions": { "tasks": [ { "title": "never" } ] } },
        { "key": "any", "name": "Every incident", "when": { "priority_at_most": "P5" },
          "actions": { "tasks": [ { "title": "Write the first status update" } ] } }
    ]});
    scenario
        .app
        .owner()
        .put("/api/v1/response-plans", &plans)
        .await
        .expect_status(200);
    let intake = scenario.service("search", None).await;
    let incident = scenario.trigger(&intake, "search slow").await;
    let ran = runs(&scenario, incident).await;
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0]["plan_key"], "any");
    assert_eq!(
        task_titles(&scenario, incident).await,
        ["Write the first status update"]
    );
    scenario.finish();
}

/// The pointers of the fields a refused plan document names.
async fn refused(scenario: &Scenario, plans: Value) -> Vec<String> {
    let problem = scenario
        .app
        .owner()
        .put("/api/v1/response-plans", &plans)
        .await
        .expect_status(422)
        .json();
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn plans_naming_what_does_not_exist_or_doing_nothing_are_refused_field_by_field() {
    let scenario = Scenario::start().await;
    let missing = uuid::Uuid::now_v7();
    let naming_the_missing = json!({ "key": "x", "name": "X", "when": { "major": true },
        "actions": {
            "roles": [ { "role": "chief_vibes_officer" } ],
            "page_team_ids": [missing],
            "page_user_ids": [missing] } });
    let doing_nothing = json!({ "key": "x", "name": "", "when": {}, "actions": {} });
    let shape = json!({ "plans": [naming_the_missing.clone(), doing_nothing] });
    assert_eq!(
        refused(&scenario, shape).await,
        [
            "/plans/1/name",
            "/plans/1/when",
            "/plans/1/actions",
            "/plans/1/key"
        ]
    );
    let references = json!({ "plans": [naming_the_missing] });
    assert_eq!(
        refused(&scenario, references).await,
        [
            "/plans/0/actions/roles/0/role",
            "/plans/0/actions/page_team_ids/0",
            "/plans/0/actions/page_user_ids/0"
        ]
    );
    let unchanged = scenario
        .app
        .owner()
        .get("/api/v1/response-plans")
        .await
        .expect_status(200)
        .json();
    assert_eq!(unchanged["version"], 0);
    assert_eq!(unchanged["plans"], json!([]));
    scenario.finish();
}
