//! Regulatory clocks end to end on the scenario harness (the clock starts Friday 2026-11-27
//! 12:00 UTC and is moved by hand): a GDPR Art. 33 notification's 72-hour countdown with its
//! reminders and escalation delivered to the owner's webhook; SEC Form 8-K's four business days
//! counted over Thanksgiving in US Eastern time, started only once the materiality determination
//! is known and never restarted; a holiday added to the calendar moving later deadlines; filing
//! stopping reminders. Any notification not expected fails the test.
use serde_json::{Value, json};
use tocsin_domain::id::IncidentId;
use tocsin_testkit::scenario::{Person, Scenario};

fn regulatory(incident: IncidentId) -> String {
    format!("/api/v1/incidents/{incident}/regulatory")
}

/// An incident on a service without an escalation policy (nobody is paged).
async fn incident(scenario: &Scenario) -> IncidentId {
    let intake = scenario.service("payments", None).await;
    let id = scenario.trigger(&intake, "Customer database copied").await;
    scenario.settle().await;
    id
}

async fn put(scenario: &Scenario, person: &Person, incident: IncidentId, body: Value) -> Value {
    scenario
        .app
        .with_token(&person.user.token)
        .put(&regulatory(incident), &body)
        .await
        .expect_status(200)
        .json()
}

async fn get(scenario: &Scenario, incident: IncidentId) -> Value {
    scenario
        .app
        .owner()
        .get(&regulatory(incident))
        .await
        .expect_status(200)
        .json()
}

/// The obligation `key` of `regime` in a regulatory answer.
fn obligation<'a>(answer: &'a Value, regime: &str, key: &str) -> &'a Value {
    answer["obligations"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|o| o["regime"] == regime && o["obligation"] == key)
        })
        .unwrap_or_else(|| panic!("no {regime} {key} in {answer}"))
}

/// How many events of `kind` the incident's timeline holds.
async fn events_of(scenario: &Scenario, incident: IncidentId, kind: &str) -> usize {
    let events = tocsin_store::events::read_stream(scenario.app.store.reader(), incident.0, 0, 500)
        .await
        .expect("the incident's events");
    events.iter().filter(|event| event.kind == kind).count()
}

#[tokio::test]
async fn a_gdpr_notification_counts_down_72_hours_and_reminds_then_escalates_to_its_owner() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    let incident = incident(&scenario).await;
    let answer = put(
        &scenario,
        &ada,
        incident,
        json!({ "exposure": { "personal_data": true }, "jurisdictions": ["de"],
                "owner_user_id": ada.id() }),
    )
    .await;
    assert_eq!(answer["obligations"].as_array().map(Vec::len), Some(1));
    let gdpr = obligation(&answer, "GDPR_ART33", "notification");
    assert_eq!(gdpr["started_at"], "2026-11-27T12:00:00Z");
    assert_eq!(gdpr["due_at"], "2026-11-30T12:00:00Z");
    assert_eq!(gdpr["seconds_remaining"], 72 * 3600);
    assert_eq!(gdpr["state"], "on_track");
    assert_eq!(gdpr["start_event"], "awareness");
    assert_eq!(gdpr["next_reminder_at"], "2026-11-29T00:00:00Z");
    assert_eq!(
        gdpr["why"],
        "GDPR Art. 33 applies: personal data was exposed, and the incident concerns DE."
    );
    assert_eq!(answer["profile"]["jurisdictions"], json!(["DE"]));
    let hipaa = &answer["regimes"][1];
    assert_eq!(hipaa["applies"], false);
    assert_eq!(
        hipaa["why"],
        "HIPAA breach notification does not apply: no health data was exposed."
    );
    assert_eq!(
        events_of(&scenario, incident, "regulatory.clock_started").await,
        1
    );

    // 36 hours in (50%): the first reminder, to the owner only
    scenario.advance(36 * 60 - 1).await;
    scenario.expect_nothing_more();
    scenario.advance(1).await;
    let reminder = scenario.expect(&ada, "notification.regulatory_reminder");
    assert_eq!(reminder["data"]["regulatory"]["stage"], "reminder_50");
    assert_eq!(
        reminder["data"]["regulatory"]["due_at"],
        "2026-11-30T12:00:00Z"
    );
    assert_eq!(reminder["data"]["regulatory"]["regime"], "GDPR_ART33");
    let text = reminder["data"]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Reminder: GDPR Art. 33 notify the supervisory authority for #")
            && text.ends_with("is due 2026-11-30T12:00:00Z"),
        "{text}"
    );
    let now = get(&scenario, incident).await;
    let gdpr = obligation(&now, "GDPR_ART33", "notification");
    assert_eq!(gdpr["state"], "reminder_sent");
    assert_eq!(gdpr["seconds_remaining"], 36 * 3600);

    // 54 hours (75%), then 64.8 hours (90%): a second reminder, then the escalation
    scenario.advance(18 * 60).await;
    let second = scenario.expect(&ada, "notification.regulatory_reminder");
    assert_eq!(second["data"]["regulatory"]["stage"], "reminder_75");
    scenario.advance(10 * 60 + 47).await;
    scenario.expect_nothing_more();
    scenario.advance(1).await;
    let escalation = scenario.expect(&ada, "notification.regulatory_escalation");
    assert_eq!(escalation["data"]["regulatory"]["stage"], "escalation");
    assert_eq!(escalation["data"]["urgency"], "high");
    let now = get(&scenario, incident).await;
    assert_eq!(
        obligation(&now, "GDPR_ART33", "notification")["state"],
        "escalated"
    );
    assert_eq!(
        events_of(&scenario, incident, "regulatory.reminder").await,
        2
    );
    assert_eq!(
        events_of(&scenario, incident, "regulatory.escalated").await,
        1
    );

    // filed before the deadline, approved by Bob: no overdue notice follows
    let id = obligation(&now, "GDPR_ART33", "notification")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let filed = scenario
        .app
        .with_token(&ada.user.token)
        .post(
            &format!("{}/obligations/{id}/filing", regulatory(incident)),
            &json!({ "reference": "BfDI-2026-0412", "approver_user_id": bob.id() }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(filed["state"], "filed");
    assert_eq!(filed["filed_at"], "2026-11-30T04:48:00Z");
    assert_eq!(filed["filed_by"], ada.id());
    assert_eq!(filed["approved_by"], bob.id());
    assert_eq!(filed["reference"], "BfDI-2026-0412");
    assert_eq!(filed["next_reminder_at"], Value::Null);
    scenario.advance(24 * 60).await;
    scenario.expect_nothing_more();
    let later = get(&scenario, incident).await;
    let gdpr = obligation(&later, "GDPR_ART33", "notification");
    assert_eq!(gdpr["state"], "filed");
    // the countdown stops at the filing: 7 h 12 min were left
    assert_eq!(gdpr["seconds_remaining"], 7 * 3600 + 12 * 60);
    assert_eq!(events_of(&scenario, incident, "regulatory.filed").await, 1);
    assert_eq!(
        events_of(&scenario, incident, "regulatory.overdue").await,
        0
    );
    scenario.finish();
}

#[tokio::test]
async fn sec_form_8k_is_due_at_the_end_of_the_fourth_business_day_over_thanksgiving() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let incident = incident(&scenario).await;
    let flags = json!({ "material_cybersecurity_incident": true });
    // Before the materiality determination the obligation waits for it.
    let answer = put(
        &scenario,
        &ada,
        incident,
        json!({ "exposure": flags, "jurisdictions": ["US"], "owner_user_id": ada.id() }),
    )
    .await;
    assert_eq!(answer["obligations"], json!([]));
    assert_eq!(answer["waiting"][0]["regime"], "SEC_8K_ITEM105");
    assert_eq!(
        answer["waiting"][0]["waiting_for"],
        "the materiality_determination instant is not known yet"
    );
    // Determined material on Wednesday 2026-11-25 at 10:00 Eastern: Thursday is Thanksgiving,
    // so the four business days are Fri 27, Mon 30, Tue Dec 1 and Wed Dec 2, ending at midnight
    // Eastern (EST, UTC-5).
    let answer = put(
        &scenario,
        &ada,
        incident,
        json!({ "exposure": flags, "jurisdictions": ["US"], "owner_user_id": ada.id(),
                "materiality_determined_at": "2026-11-25T15:00:00Z" }),
    )
    .await;
    assert_eq!(answer["waiting"], json!([]));
    let sec = obligation(&answer, "SEC_8K_ITEM105", "form_8k");
    assert_eq!(sec["start_event"], "materiality_determination");
    assert_eq!(sec["started_at"], "2026-11-25T15:00:00Z");
    assert_eq!(sec["due_at"], "2026-12-03T05:00:00Z");
    assert_eq!(sec["seconds_remaining"], (5 * 24 + 17) * 3600);

    // A later determination instant does not restart the clock.
    let answer = put(
        &scenario,
        &ada,
        incident,
        json!({ "exposure": flags, "jurisdictions": ["US"], "owner_user_id": ada.id(),
                "materiality_determined_at": "2026-11-26T15:00:00Z" }),
    )
    .await;
    assert_eq!(
        obligation(&answer, "SEC_8K_ITEM105", "form_8k")["due_at"],
        "2026-12-03T05:00:00Z"
    );
    assert_eq!(
        events_of(&scenario, incident, "regulatory.clock_started").await,
        1
    );
    assert_eq!(
        events_of(&scenario, incident, "regulatory.profile_set").await,
        3
    );

    // The window is 182 hours: the first reminder at 91 hours, Sunday 2026-11-29 10:00 UTC.
    assert_eq!(
        obligation(&answer, "SEC_8K_ITEM105", "form_8k")["next_reminder_at"],
        "2026-11-29T10:00:00Z"
    );
    scenario.advance(46 * 60).await;
    let reminder = scenario.expect(&ada, "notification.regulatory_reminder");
    assert_eq!(reminder["data"]["regulatory"]["regime"], "SEC_8K_ITEM105");
    assert_eq!(
        reminder["data"]["regulatory"]["due_at"],
        "2026-12-03T05:00:00Z"
    );
    scenario.finish();
}

#[tokio::test]
async fn a_holiday_added_to_the_calendar_moves_deadlines_started_afterwards_only() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let first = incident(&scenario).await;
    let body = json!({ "exposure": { "material_cybersecurity_incident": true },
        "jurisdictions": ["US"], "owner_user_id": ada.id(),
        "materiality_determined_at": "2026-11-27T11:00:00Z" });
    // Fri 27 06:00 Eastern: Mon 30, Tue 1, Wed 2, Thu 3 -> the end of Thursday Dec 3.
    let answer = put(&scenario, &ada, first, body.clone()).await;
    assert_eq!(
        obligation(&answer, "SEC_8K_ITEM105", "form_8k")["due_at"],
        "2026-12-04T05:00:00Z"
    );
    let owner = scenario.app.owner();
    let mut calendar = owner
        .get("/api/v1/holiday-calendars/us-federal")
        .await
        .expect_status(200)
        .json();
    assert_eq!(calendar["time_zone"], "America/New_York");
    let holidays = calendar["holidays"].as_array_mut().expect("holidays");
    assert!(holidays.iter().any(|h| h["date"] == "2026-11-26"));
    holidays.push(json!({ "date": "2026-12-01", "name": "Company closure" }));
    let changed = owner
        .put(
            "/api/v1/holiday-calendars/us-federal",
            &json!({ "time_zone": "America/New_York", "holidays": holidays }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(changed["version"], 2);

    let intake = scenario.service("ledger", None).await;
    let second = scenario.trigger(&intake, "Ledger exfiltration").await;
    let answer = put(&scenario, &ada, second, body).await;
    assert_eq!(
        obligation(&answer, "SEC_8K_ITEM105", "form_8k")["due_at"],
        "2026-12-05T05:00:00Z"
    );
    let unchanged = get(&scenario, first).await;
    assert_eq!(
        obligation(&unchanged, "SEC_8K_ITEM105", "form_8k")["due_at"],
        "2026-12-04T05:00:00Z"
    );
    scenario.finish();
}

#[tokio::test]
async fn dora_starts_when_classified_and_escalations_reach_the_escalation_user() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let cleo = scenario.person("cleo").await;
    let incident = incident(&scenario).await;
    let body = |classified: Option<&str>| {
        json!({ "exposure": { "major_ict_incident": true }, "jurisdictions": ["EU"],
            "owner_user_id": ada.id(), "escalation_user_id": cleo.id(),
            "awareness_at": "2026-11-27T02:00:00Z", "classified_at": classified })
    };
    let answer = put(&scenario, &ada, incident, body(None)).await;
    assert_eq!(answer["obligations"], json!([]));
    assert_eq!(answer["waiting"].as_array().map(Vec::len), Some(3));
    // classified at 11:00: 4 hours would be 15:00, but 24 hours after awareness is 02:00 next
    // day; the earlier is 15:00
    let answer = put(
        &scenario,
        &ada,
        incident,
        body(Some("2026-11-27T11:00:00Z")),
    )
    .await;
    let initial = obligation(&answer, "DORA", "initial_notification");
    assert_eq!(initial["due_at"], "2026-11-27T15:00:00Z");
    assert_eq!(
        obligation(&answer, "DORA", "intermediate_report")["due_at"],
        "2026-11-30T11:00:00Z"
    );
    assert_eq!(
        obligation(&answer, "DORA", "final_report")["due_at"],
        "2026-12-27T11:00:00Z"
    );
    // The initial notification's 4 hours from 11:00: reminders at 13:00 (50%) and 14:00 (75%),
    // the escalation at 14:36 (90%), overdue at 15:00.
    scenario.advance(60).await;
    scenario.expect(&ada, "notification.regulatory_reminder");
    scenario.advance(60).await;
    scenario.expect(&ada, "notification.regulatory_reminder");
    scenario.advance(36).await;
    let to_owner = scenario.expect(&ada, "notification.regulatory_escalation");
    let to_cleo = scenario.expect(&cleo, "notification.regulatory_escalation");
    assert_eq!(
        to_owner["data"]["regulatory"]["obligation"],
        "initial_notification"
    );
    assert_eq!(to_cleo["data"]["regulatory"]["stage"], "escalation");
    // overdue at 15:00, to both again
    scenario.advance(24).await;
    let overdue = scenario.expect(&cleo, "notification.regulatory_escalation");
    assert_eq!(overdue["data"]["regulatory"]["stage"], "overdue");
    assert!(
        overdue["data"]["text"]
            .as_str()
            .is_some_and(|text| text.starts_with("Overdue: DORA")),
        "{overdue}"
    );
    scenario.expect(&ada, "notification.regulatory_escalation");
    let now = get(&scenario, incident).await;
    let initial = obligation(&now, "DORA", "initial_notification");
    assert_eq!(initial["state"], "overdue");
    assert_eq!(initial["seconds_remaining"], 0);
    scenario.finish();
}

#[tokio::test]
async fn two_nodes_at_the_same_stage_record_and_send_it_once() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let incident = incident(&scenario).await;
    put(
        &scenario,
        &ada,
        incident,
        json!({ "exposure": { "personal_data": true }, "jurisdictions": ["EU"],
                "owner_user_id": ada.id() }),
    )
    .await;
    scenario
        .app
        .clock
        .advance(jiff::SignedDuration::from_hours(36));
    let now = tocsin_domain::Clock::now(&scenario.app.clock);
    let store = &scenario.app.store;
    let (east, west) = futures::join!(
        tocsin_engine::regulatory::process_due(store, now),
        tocsin_engine::regulatory::process_due(store, now),
    );
    let acted = east.expect("east's round").len() + west.expect("west's round").len();
    assert_eq!(acted, 1, "the 50% reminder is recorded once");
    scenario.settle().await;
    scenario.expect(&ada, "notification.regulatory_reminder");
    assert_eq!(
        events_of(&scenario, incident, "regulatory.reminder").await,
        1
    );
    scenario.finish();
}

#[tokio::test]
async fn an_escalation_margin_set_later_escalates_earlier() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let incident = incident(&scenario).await;
    let body = |margin: Option<i64>| {
        json!({ "exposure": { "personal_data": true }, "jurisdictions": ["EU"],
            "owner_user_id": ada.id(), "escalation_margin_minutes": margin })
    };
    put(&scenario, &ada, incident, body(None)).await;
    scenario.advance(60).await;
    // Escalate when a day is left: at 48 of 72 hours, before the 75% reminder (54 hours),
    // which is dropped.
    let answer = put(&scenario, &ada, incident, body(Some(24 * 60))).await;
    let gdpr = obligation(&answer, "GDPR_ART33", "notification");
    assert_eq!(gdpr["next_reminder_at"], "2026-11-29T00:00:00Z");
    assert_eq!(
        gdpr["due_at"], "2026-11-30T12:00:00Z",
        "the clock is not restarted"
    );
    scenario.advance(35 * 60).await;
    scenario.expect(&ada, "notification.regulatory_reminder");
    let now = get(&scenario, incident).await;
    assert_eq!(
        obligation(&now, "GDPR_ART33", "notification")["next_reminder_at"],
        "2026-11-29T12:00:00Z"
    );
    scenario.advance(12 * 60).await;
    let escalation = scenario.expect(&ada, "notification.regulatory_escalation");
    assert_eq!(escalation["data"]["regulatory"]["stage"], "escalation");
    scenario.advance(6 * 60).await;
    scenario.expect_nothing_more();
    scenario.finish();
}
