//! Status-update cadence and management escalation windows end to end on the scenario harness
//! (the clock starts Friday 2026-11-27 12:00 UTC and is moved by hand): a P1 incident's
//! communications lead is reminded 5 minutes before each update is due, its commander told when
//! one is missed, late and on-time updates recorded with the compliance figures, nothing once it
//! resolves; management levels escalated to a window apart, held off by a delay justification
//! and resumed after it; bad policies and justifications named field by field.
use serde_json::{Value, json};
use tocsin_domain::id::IncidentId;
use tocsin_testkit::scenario::{Person, Scenario};

const POLICY: &str = "/api/v1/incident-cadence-policy";

fn at(minutes: i64) -> String {
    let start: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().expect("valid");
    (start + jiff::SignedDuration::from_mins(minutes)).to_string()
}

fn path(incident: IncidentId, rest: &str) -> String {
    format!("/api/v1/incidents/{incident}/{rest}")
}

/// A P1 incident on a service without an escalation policy (nobody is paged), opened now.
async fn p1_incident(scenario: &Scenario) -> IncidentId {
    let intake = scenario.service("checkout", None).await;
    let id = scenario.trigger(&intake, "Checkout down").await;
    scenario
        .app
        .owner()
        .put(
            &path(id, "priority"),
            &json!({ "priority": "P1", "reason": "all customers affected" }),
        )
        .await
        .expect_status(200);
    scenario.settle().await;
    id
}

/// A P1 incident with ada as its commander and cleo as its communications lead.
async fn p1_with_commander_and_comms_lead(scenario: &Scenario) -> (IncidentId, Person, Person) {
    let ada = scenario.person("ada").await;
    let cleo = scenario.person("cleo").await;
    let incident = p1_incident(scenario).await;
    assign(scenario, incident, "incident_commander", &ada).await;
    assign(scenario, incident, "communications_lead", &cleo).await;
    scenario.settle().await;
    (incident, ada, cleo)
}

async fn assign(scenario: &Scenario, incident: IncidentId, role: &str, person: &Person) {
    scenario
        .app
        .owner()
        .put(
            &path(incident, &format!("roles/{role}")),
            &json!({ "user_id": person.id() }),
        )
        .await
        .expect_status(200);
}

async fn status_update(scenario: &Scenario, incident: IncidentId, by: &Person) {
    scenario
        .app
        .with_token(&by.user.token)
        .post(
            &path(incident, "entries"),
            &json!({ "kind": "status_update", "body": "still failing over", "audience": "stakeholders" }),
        )
        .await
        .expect_status(201);
    scenario.settle().await;
}

/// Resolves the incident by hand (a P1 needs its resolution record first).
async fn resolve(scenario: &Scenario, incident: IncidentId) {
    let owner = scenario.app.owner();
    owner
        .put(
            &path(incident, "resolution"),
            &json!({ "strategy": "failover", "reasoning": "traffic moved to the standby region" }),
        )
        .await
        .expect_status(200);
    owner
        .post(&path(incident, "resolve"), &json!({}))
        .await
        .expect_status(200);
}

/// Reopens the resolved incident by hand (resolved -> investigating, with a reason).
async fn reopen(scenario: &Scenario, incident: IncidentId) {
    let change = json!({ "status": "investigating", "reason": "the errors are back" });
    scenario
        .app
        .owner()
        .post(&path(incident, "status"), &change)
        .await
        .expect_status(200);
    scenario.settle().await;
}

async fn cadence(scenario: &Scenario, incident: IncidentId) -> Value {
    scenario
        .app
        .owner()
        .get(&path(incident, "cadence"))
        .await
        .expect_status(200)
        .json()
}

async fn put_policy(scenario: &Scenario, policy: Value) {
    scenario
        .app
        .owner()
        .put(POLICY, &policy)
        .await
        .expect_status(200);
}

/// How many events of `kind` the incident's timeline holds.
async fn events_of(scenario: &Scenario, incident: IncidentId, kind: &str) -> Vec<Value> {
    let events = tocsin_store::events::read_stream(scenario.app.store.reader(), incident.0, 0, 500)
        .await
        .expect("the incident's events");
    events
        .iter()
        .filter(|event| event.kind == kind)
        .map(|event| event.payload.clone())
        .collect()
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_p1_incident_reminds_its_comms_lead_and_tells_its_commander_of_a_missed_update() {
    let scenario = Scenario::start().await;
    let (incident, ada, cleo) = p1_with_commander_and_comms_lead(&scenario).await;

    let now = cadence(&scenario, incident).await;
    assert_eq!(now["priority"], "P1");
    assert_eq!(now["interval_minutes"], 30);
    assert_eq!(now["next_due_at"], at(30));
    assert_eq!(now["reminder_at"], at(25));
    assert_eq!(now["compliance"]["on_time_percent"], Value::Null);

    // 25 minutes: the reminder, to the communications lead only
    scenario.advance(24).await;
    scenario.expect_nothing_more();
    scenario.advance(1).await;
    let reminder = scenario.expect(&cleo, "notification.status_update_reminder");
    let text = reminder["data"]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("Status update due soon for #"), "{text}");
    scenario.expect_nothing_more();
    let reminders = events_of(&scenario, incident, "incident.status_update_reminder").await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["due_at"], at(30));
    assert_eq!(reminders[0]["recipients"], json!([cleo.id()]));

    // 30 minutes, no update: the commander hears it was missed
    scenario.advance(5).await;
    let missed = scenario.expect(&ada, "notification.status_update_missed");
    assert!(
        missed["data"]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Status update missed for #")
    );
    scenario.expect_nothing_more();
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["overdue"], true);
    assert_eq!(now["next_due_at"], at(60));
    assert_eq!(now["compliance"]["missed_intervals"], 1);

    // an update at 40 minutes is late by 10 minutes; the next is due at 70
    scenario.advance(10).await;
    status_update(&scenario, incident, &cleo).await;
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["last_update_at"], at(40));
    assert_eq!(now["next_due_at"], at(70));
    assert_eq!(now["reminder_at"], at(65));
    assert_eq!(now["overdue"], false);
    assert_eq!(
        now["compliance"]["updates"],
        json!([{ "at": at(40), "due_at": at(30), "on_time": false, "late_by_seconds": 600 }])
    );
    scenario.expect_nothing_more();

    // the reminder for 70 at 65, then an update at 68: on time, nothing missed
    scenario.advance(25).await;
    scenario.expect(&cleo, "notification.status_update_reminder");
    scenario.advance(3).await;
    status_update(&scenario, incident, &cleo).await;
    scenario.expect_nothing_more();
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["compliance"]["updates"][1]["on_time"], true);
    assert_eq!(now["compliance"]["updates"][1]["due_at"], at(70));
    assert_eq!(now["compliance"]["missed_intervals"], 1);
    assert_eq!(now["compliance"]["on_time_percent"], 50);
    assert_eq!(now["next_due_at"], at(98));

    // resolved at 80: nothing more is due, nothing more is sent
    scenario.advance(12).await;
    resolve(&scenario, incident).await;
    scenario.advance(300).await;
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["next_due_at"], Value::Null);
    assert_eq!(now["compliance"]["missed_intervals"], 1);
    assert_eq!(
        events_of(&scenario, incident, "incident.status_update_missed")
            .await
            .len(),
        1
    );
    scenario.finish();
}

#[tokio::test]
async fn without_a_comms_lead_the_commander_is_reminded_and_without_a_commander_the_admins_hear_of_a_miss()
 {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let incident = p1_incident(&scenario).await;
    // nobody holds a role: the reminder goes on the timeline only
    scenario.advance(25).await;
    scenario.expect_nothing_more();
    let reminders = events_of(&scenario, incident, "incident.status_update_reminder").await;
    assert_eq!(reminders[0]["recipients"], json!([]));
    scenario.advance(5).await;
    let missed = events_of(&scenario, incident, "incident.status_update_missed").await;
    let me = scenario
        .app
        .owner()
        .get("/api/v1/me")
        .await
        .expect_status(200)
        .json();
    assert_eq!(missed[0]["recipients"], json!([me["id"]]), "{me}");
    // a commander now: the reminder for 60 goes to them
    assign(&scenario, incident, "incident_commander", &ada).await;
    scenario.advance(25).await;
    scenario.expect(&ada, "notification.status_update_reminder");
    scenario.finish();
}

#[tokio::test]
async fn management_levels_are_escalated_to_a_window_apart_unless_a_justification_holds() {
    let scenario = Scenario::start().await;
    let dir = scenario.person("dir").await;
    let vp = scenario.person("vp").await;
    let ada = scenario.person("ada").await;
    put_policy(
        &scenario,
        json!({
            "status_update_minutes": {},
            "escalation_window_minutes": { "P1": 120 },
            "management_levels": [
                { "name": "Directors", "user_ids": [dir.id()] },
                { "name": "VP Engineering", "user_ids": [vp.id()] },
            ],
        }),
    )
    .await;
    let incident = p1_incident(&scenario).await;
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["interval_minutes"], Value::Null);
    assert_eq!(now["escalation"]["threshold_minutes"], 120);
    assert_eq!(now["escalation"]["next_level"], 1);
    assert_eq!(now["escalation"]["next_level_name"], "Directors");
    assert_eq!(now["escalation"]["next_escalation_at"], at(120));

    // two hours unresolved: level 1
    scenario.advance(119).await;
    scenario.expect_nothing_more();
    scenario.advance(1).await;
    let notice = scenario.expect(&dir, "notification.management_escalation");
    assert!(
        notice["data"]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Management escalation: #")
    );
    scenario.expect_nothing_more();
    let escalated = events_of(&scenario, incident, "incident.management_escalated").await;
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0]["level"], 1);
    assert_eq!(escalated[0]["name"], "Directors");
    assert_eq!(escalated[0]["recipients"], json!([dir.id()]));
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["escalation"]["levels_escalated"], 1);
    assert_eq!(now["escalation"]["next_level"], 2);
    assert_eq!(now["escalation"]["next_escalation_at"], at(240));

    // at 150 a responder justifies the delay until 300: level 2 waits for it
    scenario.advance(30).await;
    let justified = scenario
        .app
        .with_token(&ada.user.token)
        .post(
            &path(incident, "delay-justifications"),
            &json!({ "reason": "vendor fix rolling out, ETA 17:00", "until": at(300) }),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(justified["until"], at(300));
    assert_eq!(justified["from"], at(150));
    let now = cadence(&scenario, incident).await;
    assert_eq!(
        now["escalation"]["active_justification"]["reason"],
        "vendor fix rolling out, ETA 17:00"
    );
    assert_eq!(now["escalation"]["next_escalation_at"], at(300));
    assert_eq!(
        now["escalation"]["justifications"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        events_of(&scenario, incident, "incident.escalation_delay_justified")
            .await
            .len(),
        1
    );
    scenario.advance(90).await; // 240: the window passed, but the justification holds
    scenario.advance(59).await;
    scenario.expect_nothing_more();

    // it ends at 300: level 2 now, then no level is left
    scenario.advance(1).await;
    scenario.expect(&vp, "notification.management_escalation");
    let escalated = events_of(&scenario, incident, "incident.management_escalated").await;
    assert_eq!(escalated.len(), 2);
    assert_eq!(escalated[1]["level"], 2);
    assert_eq!(escalated[1]["name"], "VP Engineering");
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["escalation"]["next_level"], Value::Null);
    assert_eq!(now["escalation"]["active_justification"], Value::Null);
    scenario.advance(600).await;
    scenario.finish();
}

#[tokio::test]
async fn an_incident_reopened_by_hand_picks_its_cadence_up_again() {
    let scenario = Scenario::start().await;
    let (incident, ada, cleo) = p1_with_commander_and_comms_lead(&scenario).await;

    // resolved at 10: the reminder at 25 and the update due at 30 pass in silence
    scenario.advance(10).await;
    resolve(&scenario, incident).await;
    scenario.advance(30).await;
    scenario.expect_nothing_more();

    // reopened by hand at 40: the commander hears at once of the update missed at 30, and the
    // communications lead is reminded of the next one
    reopen(&scenario, incident).await;
    scenario.expect(&ada, "notification.status_update_missed");
    scenario.expect_nothing_more();
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["next_due_at"], at(60));
    scenario.advance(15).await;
    scenario.expect(&cleo, "notification.status_update_reminder");
    scenario.finish();
}

#[tokio::test]
async fn a_resolved_incident_is_not_escalated_to_management() {
    let scenario = Scenario::start().await;
    let dir = scenario.person("dir").await;
    put_policy(
        &scenario,
        json!({
            "status_update_minutes": {},
            "management_levels": [{ "name": "Directors", "user_ids": [dir.id()] }],
        }),
    )
    .await;
    let incident = p1_incident(&scenario).await;
    scenario.advance(60).await;
    resolve(&scenario, incident).await;
    scenario.advance(600).await;
    let now = cadence(&scenario, incident).await;
    assert_eq!(now["escalation"]["next_escalation_at"], Value::Null);
    assert!(
        events_of(&scenario, incident, "incident.management_escalated")
            .await
            .is_empty()
    );
    // nor may its delay be justified any more
    scenario
        .app
        .owner()
        .post(
            &path(incident, "delay-justifications"),
            &json!({ "reason": "late", "until": at(700) }),
        )
        .await
        .expect_status(409);
    scenario.finish();
}

#[tokio::test]
async fn bad_policies_and_justifications_are_named_field_by_field() {
    let scenario = Scenario::start().await;
    let owner = scenario.app.owner();
    let problem = owner
        .put(
            POLICY,
            &json!({
                "status_update_minutes": { "P1": 0, "P7": 30 },
                "reminder_minutes_before": 0,
                "escalation_window_minutes": { "P2": -1 },
                "management_levels": [
                    { "name": "", "user_ids": [] },
                    { "name": "VP", "user_ids": [uuid::Uuid::nil()] },
                ],
            }),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(
        pointers(&problem),
        vec![
            "/status_update_minutes/P1",
            "/status_update_minutes/P7",
            "/escalation_window_minutes/P2",
            "/reminder_minutes_before",
            "/management_levels/0/name",
            "/management_levels/0/user_ids",
        ]
    );
    let problem = owner
        .put(
            POLICY,
            &json!({ "management_levels": [{ "name": "VP", "user_ids": [uuid::Uuid::nil()] }] }),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), vec!["/management_levels/0/user_ids/0"]);
    owner
        .put(POLICY, &json!({ "surprise": true }))
        .await
        .expect_status(422);
    let policy = owner.get(POLICY).await.expect_status(200).json();
    assert_eq!(policy["version"], 0);
    assert_eq!(policy["policy"]["status_update_minutes"]["P1"], 30);

    let incident = p1_incident(&scenario).await;
    let justify = |body: Value| {
        let owner = scenario.app.owner();
        let url = path(incident, "delay-justifications");
        async move { owner.post(&url, &body).await.expect_status(422).json() }
    };
    let problem = justify(json!({ "reason": " ", "until": at(-1) })).await;
    assert_eq!(pointers(&problem), vec!["/reason", "/until"]);
    let problem = justify(json!({ "reason": "waiting", "until": at(7 * 24 * 60 + 1) })).await;
    assert_eq!(pointers(&problem), vec!["/until"]);
    scenario.finish();
}
