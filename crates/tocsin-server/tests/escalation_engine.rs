//! The escalation engine end to end on the scenario harness: alerts through real intake, policies
//! and verified contact methods through the API, the clock moved by hand, and every page
//! asserted at a webhook sink (any notification not expected fails the test).
use serde_json::{Value, json};
use tocsin_testkit::scenario::{Person, Scenario};

fn step(delay_minutes: u16, people: &[&Person]) -> Value {
    let targets: Vec<Value> = people
        .iter()
        .map(|person| json!({ "kind": "user", "user_id": person.id() }))
        .collect();
    json!({ "delay_minutes": delay_minutes, "targets": targets })
}

async fn status(scenario: &Scenario, incident: &str) -> String {
    let read = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}"))
        .await
        .expect_status(200)
        .json();
    read["status"].as_str().expect("a status").to_owned()
}

/// `person` acknowledges or resolves (`action`) the incident through the API.
async fn respond(scenario: &Scenario, person: &Person, incident: &str, action: &str) {
    scenario
        .app
        .with_token(&person.user.token)
        .post(
            &format!("/api/v1/incidents/{incident}/{action}"),
            &json!({}),
        )
        .await
        .expect_status(200);
    scenario.settle().await;
}

/// Fails unless the incident's timeline holds an event of `kind`.
async fn assert_on_timeline(scenario: &Scenario, incident: &str, kind: &str) {
    let kinds = timeline_kinds(scenario, incident).await;
    assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
}

async fn timeline_kinds(scenario: &Scenario, incident: &str) -> Vec<String> {
    let page = scenario
        .app
        .owner()
        .get(&format!("/api/v1/incidents/{incident}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|event| event["kind"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_step_pages_in_turn_until_acknowledged_and_everyone_paged_hears_the_resolution() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    let policy = scenario
        .policy(
            "primary then secondary",
            json!([step(5, &[&ada]), step(5, &[&bob])]),
            json!({ "repeat": 1 }),
        )
        .await;
    let service = scenario.service("checkout", Some(&policy)).await;
    let incident = scenario.trigger(&service, "checkout is down").await;
    let incident = incident.0.to_string();

    scenario.settle().await;
    let page = scenario.expect(&ada, "notification.page");
    assert_eq!(page["data"]["incident"]["title"], "checkout is down");
    assert!(
        page["data"]["links"]["acknowledge"].is_string(),
        "a page carries a signed acknowledge link: {page}"
    );
    scenario.expect_nothing_more();

    scenario.advance(4).await;
    scenario.expect_nothing_more();
    scenario.advance(1).await;
    scenario.expect(&bob, "notification.page");
    scenario.expect_nothing_more();

    respond(&scenario, &bob, &incident, "acknowledge").await;
    // The policy would repeat (round two) five minutes after Bob's page: acknowledged, it stops.
    scenario.advance(30).await;
    scenario.expect_nothing_more();

    respond(&scenario, &bob, &incident, "resolve").await;
    scenario.expect(&ada, "notification.resolved");
    scenario.expect(&bob, "notification.resolved");
    let kinds = timeline_kinds(&scenario, &incident).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "incident.escalated").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"incident.escalation_stopped".to_owned()),
        "{kinds:?}"
    );
    scenario.finish();
}

#[tokio::test]
async fn an_unacknowledged_policy_repeats_then_stops() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let policy = scenario
        .policy(
            "ada twice",
            json!([step(10, &[&ada])]),
            json!({ "repeat": 1 }),
        )
        .await;
    let service = scenario.service("search", Some(&policy)).await;
    let incident = scenario.trigger(&service, "search is slow").await;
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");
    scenario.advance(10).await;
    scenario.expect(&ada, "notification.page");
    scenario.advance(60).await;
    scenario.expect_nothing_more();
    assert_on_timeline(
        &scenario,
        &incident.0.to_string(),
        "incident.escalation_exhausted",
    )
    .await;
    scenario.finish();
}

#[tokio::test]
async fn an_acknowledgement_that_times_out_pages_again_from_the_first_step() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let policy = scenario
        .policy(
            "ada with an ack timeout",
            json!([step(5, &[&ada])]),
            json!({ "ack_timeout_minutes": 15 }),
        )
        .await;
    let service = scenario.service("payments", Some(&policy)).await;
    let incident = scenario.trigger(&service, "payments failing").await;
    let incident = incident.0.to_string();
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");

    respond(&scenario, &ada, &incident, "acknowledge").await;
    scenario.advance(14).await;
    scenario.expect_nothing_more();
    assert_eq!(status(&scenario, &incident).await, "acknowledged");

    scenario.advance(1).await;
    scenario.expect(&ada, "notification.page");
    assert_eq!(status(&scenario, &incident).await, "triggered");
    assert_on_timeline(&scenario, &incident, "incident.reescalated").await;
    scenario.finish();
}

#[tokio::test]
async fn a_responder_escalates_or_reassigns_by_hand() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    let cyd = scenario.person("cyd").await;
    let policy = scenario
        .policy(
            "slow policy",
            json!([step(60, &[&ada]), step(60, &[&bob])]),
            json!({}),
        )
        .await;
    let service = scenario.service("ledger", Some(&policy)).await;
    let incident = scenario.trigger(&service, "ledger drift").await;
    let incident = incident.0.to_string();
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");

    let escalated = scenario
        .app
        .with_token(&ada.user.token)
        .post(
            &format!("/api/v1/incidents/{incident}/escalate"),
            &json!({}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(escalated["level"], 2);
    scenario.settle().await;
    scenario.expect(&bob, "notification.page");
    scenario.expect_nothing_more();

    let reassigned = scenario
        .app
        .with_token(&bob.user.token)
        .post(
            &format!("/api/v1/incidents/{incident}/reassign"),
            &json!({ "user_ids": [cyd.id()] }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(reassigned["notifications_queued"], 1);
    scenario.settle().await;
    scenario.expect(&cyd, "notification.page");

    let unknown = scenario
        .app
        .owner()
        .post(
            &format!("/api/v1/incidents/{incident}/reassign"),
            &json!({ "user_ids": ["00000000-0000-7000-8000-000000000000"] }),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(unknown["errors"][0]["pointer"], "/user_ids/0");
    scenario.finish();
}

#[tokio::test]
async fn a_service_without_a_policy_pages_nobody_and_says_why() {
    let scenario = Scenario::start().await;
    let service = scenario.service("orphan", None).await;
    let incident = scenario.trigger(&service, "orphan alert").await;
    scenario.settle().await;
    scenario.advance(60).await;
    assert_on_timeline(
        &scenario,
        &incident.0.to_string(),
        "incident.escalation_skipped",
    )
    .await;
    scenario.finish();
}

#[tokio::test]
async fn whoever_was_paged_for_a_merged_duplicate_hears_when_the_primary_resolves() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    let ada_policy = scenario
        .policy(
            "ada",
            json!([step(5, &[&ada]), step(5, &[&ada])]),
            json!({ "repeat": 0 }),
        )
        .await;
    let bob_policy = scenario
        .policy(
            "bob",
            json!([step(5, &[&bob]), step(5, &[&bob])]),
            json!({ "repeat": 0 }),
        )
        .await;
    let api = scenario.service("api", Some(&ada_policy)).await;
    let web = scenario.service("web", Some(&bob_policy)).await;
    let primary = scenario.trigger(&api, "api errors").await.0.to_string();
    let duplicate = scenario.trigger(&web, "web errors").await.0.to_string();
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");
    scenario.expect(&bob, "notification.page");
    scenario.expect_nothing_more();

    scenario
        .app
        .owner()
        .post(
            &format!("/api/v1/incidents/{duplicate}/merge"),
            &json!({ "into_incident_id": primary, "reason": "the web errors come from the api" }),
        )
        .await
        .expect_status(200);
    // The duplicate's escalation stopped: Bob's second step never comes; Ada's still does.
    scenario.advance(5).await;
    scenario.expect(&ada, "notification.page");
    scenario.expect_nothing_more();
    assert_eq!(status(&scenario, &duplicate).await, "merged");

    respond(&scenario, &ada, &primary, "resolve").await;
    scenario.expect(&ada, "notification.resolved");
    scenario.expect(&bob, "notification.resolved");
    scenario.expect_nothing_more();
    scenario.finish();
}

/// A scenario where a service's policy pages Ada once, in a single step.
async fn ada_paged_once() -> (Scenario, Person, tocsin_testkit::TestIntake) {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let policy = scenario
        .policy("ada", json!([step(5, &[&ada])]), json!({ "repeat": 0 }))
        .await;
    let service = scenario.service("checkout", Some(&policy)).await;
    (scenario, ada, service)
}

/// Rows of a read of the scenario's store.
async fn read<R: tocsin_store::sql::FromRow>(scenario: &Scenario, sql: &'static str) -> Vec<R> {
    scenario
        .app
        .store
        .reader()
        .fetch_all(sql, tocsin_store::args![])
        .await
        .expect("a read")
}

#[tokio::test]
async fn the_first_step_is_paged_and_claimed_in_the_commit_that_opens_the_incident() {
    let (scenario, ada, service) = ada_paged_once().await;
    let incident = scenario.trigger(&service, "checkout is down").await;

    // Neither the engine nor the delivery worker has run yet: the write that answered 202 holds
    // the page, queued already claimed for this node (handed to its worker in memory).
    let kinds = timeline_kinds(&scenario, &incident.0.to_string()).await;
    assert_eq!(
        kinds,
        [
            "incident.opened",
            // Its automatic priority, in the same commit.
            "incident.priority_set",
            "notification.queued",
            "incident.escalated",
            // A single step and no repeat: that was the last page the policy makes.
            "incident.escalation_exhausted"
        ],
        "{kinds:?}"
    );
    let rows: Vec<(String, Option<String>, i64)> = read(
        &scenario,
        "SELECT state, claimed_by, fence FROM notification_outbox",
    )
    .await;
    assert_eq!(
        rows,
        [("sending".to_owned(), Some("scenario-node".to_owned()), 1)]
    );

    scenario.settle().await;
    scenario.expect(&ada, "notification.page");
    // Sent from the hand-over, not claimed again: the fencing token is still the first one.
    let rows: Vec<(String, i64)> =
        read(&scenario, "SELECT state, fence FROM notification_outbox").await;
    assert_eq!(rows, [("delivered".to_owned(), 1)]);
    scenario.finish();
}

#[tokio::test]
async fn an_incident_opens_even_when_paging_its_first_step_fails_and_the_engine_retries() {
    let (scenario, ada, service) = ada_paged_once().await;
    let rewrite = |definition: String| {
        let store = scenario.app.store.clone();
        async move {
            store
                .write(move |tx| {
                    Box::pin(async move {
                        tx.execute(
                            "UPDATE escalation_policies SET definition = $1",
                            tocsin_store::args![definition],
                        )
                        .await
                    })
                })
                .await
                .expect("rewrite the policy")
        }
    };
    let sound: Vec<(String,)> = read(&scenario, "SELECT definition FROM escalation_policies").await;
    rewrite("not a policy".to_owned()).await;

    // Paging is deferred work of the opening write: it fails alone, the alert and its incident
    // are committed (202), nothing is paged, and the timer stays due for the engine.
    let incident = scenario.trigger(&service, "checkout is down").await;
    let kinds = timeline_kinds(&scenario, &incident.0.to_string()).await;
    assert_eq!(
        kinds,
        ["incident.opened", "incident.priority_set"],
        "{kinds:?}"
    );
    let armed: Vec<(i64,)> = read(
        &scenario,
        "SELECT COUNT(*) FROM escalation_timers WHERE due_at IS NOT NULL",
    )
    .await;
    assert_eq!(armed, [(1,)]);

    // Once the policy is readable again the engine pages the step from the stored timer.
    rewrite(sound[0].0.clone()).await;
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");
    assert_on_timeline(&scenario, &incident.0.to_string(), "incident.escalated").await;
    scenario.finish();
}

#[tokio::test]
async fn a_step_targeting_a_role_pages_whoever_staffs_it_then() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    let cy = scenario.person("cy").await;
    let owner = scenario.app.owner();
    let skills = |person: &Person, skills: Value| {
        let owner = owner.clone();
        let path = format!("/api/v1/users/{}/skills", person.id());
        async move {
            owner
                .put(&path, &json!({ "skills": skills }))
                .await
                .expect_status(200);
        }
    };
    skills(&bob, json!(["ic"])).await;
    // Weekly from Monday 2026-11-02 09:00 UTC: at the scenario's start (Friday 27th) it is Bob's
    // turn.
    let schedule = owner
        .post(
            "/api/v1/schedules",
            &json!({"name": "IC rotation", "time_zone": "UTC", "layers": [{
                "name": "Primary", "starts_at": "2026-11-01T00:00:00Z",
                "rotation": {"participants": [ada.id(), bob.id()], "shift": {"weeks": 1},
                    "first_handoff": "2026-11-02T09:00", "time_zone": "UTC"}}]}),
        )
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("a schedule id")
        .to_owned();
    let role = owner
        .post(
            "/api/v1/incident-roles",
            &json!({"slug": "incident_commander", "name": "Incident commander",
                "schedule_id": schedule, "required_skills": ["ic"], "backup_user_id": cy.id()}),
        )
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("a role id")
        .to_owned();
    let steps = json!([{ "delay_minutes": 30,
        "targets": [{ "kind": "role", "role_id": role }] }]);
    let policy = scenario.policy("page the IC", steps, json!({})).await;

    // Bob is on call and qualified: only he is paged, and the timeline says why.
    let service = scenario.service("payments", Some(&policy)).await;
    let incident = scenario.trigger(&service, "payments are failing").await;
    scenario.settle().await;
    scenario.expect(&bob, "notification.page");
    scenario.expect_nothing_more();
    let events = owner
        .get(&format!(
            "/api/v1/incidents/{}/events?limit=200",
            incident.0
        ))
        .await
        .expect_status(200)
        .text;
    assert!(
        events.contains("staffs the role Incident commander: on call in schedule"),
        "{events}"
    );

    // Without the skill Bob is passed over: the role's backup is paged instead.
    skills(&bob, json!([])).await;
    let other = scenario.service("ledger", Some(&policy)).await;
    scenario.trigger(&other, "the ledger is stuck").await;
    scenario.settle().await;
    scenario.expect(&cy, "notification.page");
    scenario.expect_nothing_more();
    scenario.finish();
}
