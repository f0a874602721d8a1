//! Handoff notices end to end on the scenario harness: a schedule of two people rotating daily at
//! 13:00 UTC, the clock moved across handoffs by hand, and every notice asserted at the webhook
//! sink (any notification not expected fails the test): the person going off call and the one
//! coming on each hear once, with the schedule, the shift's end and who is next; a preference
//! turned off silences that notice; boundaries found after the grace are skipped, not sent late.
use std::sync::Arc;

use serde_json::{Value, json};
use tocsin_domain::SharedClock;
use tocsin_engine::delivery::Sender;
use tocsin_engine::handoff::HandoffWorker;
use tocsin_engine::outbox::{OutboxConfig, OutboxWorker};
use tocsin_testkit::scenario::{Person, Scenario};
use tocsin_testkit::test_config;

/// Another node's handoff worker on the same database and clock.
fn node(scenario: &Scenario, name: &str) -> HandoffWorker {
    let clock: SharedClock = Arc::new(scenario.app.clock.clone());
    let sender = Sender::new(&test_config().delivery, clock.clone()).expect("the sender");
    let config = OutboxConfig::new(name, scenario.app.base_url.clone());
    HandoffWorker::new(OutboxWorker::new(
        scenario.app.store.clone(),
        sender,
        clock,
        config,
    ))
}

/// `person` renamed to `name` (notices name people).
async fn named(scenario: &Scenario, person: &Person, name: &str) {
    scenario
        .app
        .owner()
        .patch(
            &format!("/api/v1/users/{}", person.id()),
            &json!({ "name": name }),
            None,
        )
        .await
        .expect_status(200);
}

/// Ada and Bob, and a schedule "Checkout primary" rotating them daily at 13:00 UTC (Bob is on
/// call when the test starts at 12:00, Ada from 13:00).
async fn rotation() -> (Scenario, Person, Person) {
    let (scenario, ada, bob, _) = rotation_with_id().await;
    (scenario, ada, bob)
}

/// The same, with the schedule's id.
async fn rotation_with_id() -> (Scenario, Person, Person, uuid::Uuid) {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let bob = scenario.person("bob").await;
    named(&scenario, &ada, "Ada").await;
    named(&scenario, &bob, "Bob").await;
    scenario.settle().await;
    let body = json!({
        "name": "Checkout primary",
        "time_zone": "UTC",
        "layers": [{
            "name": "Daily",
            "starts_at": "2026-01-01T00:00:00Z",
            "rotation": {"participants": [ada.id(), bob.id()], "shift": {"days": 1},
                "first_handoff": "2026-11-27T13:00", "time_zone": "UTC"}
        }]
    });
    let created = scenario
        .app
        .owner()
        .post("/api/v1/schedules", &body)
        .await
        .expect_status(201)
        .json();
    let id = created["id"].as_str().and_then(|id| id.parse().ok());
    (scenario, ada, bob, id.expect("a schedule id"))
}

/// How many events of `kind` the schedule's stream holds.
async fn events_of(scenario: &Scenario, schedule: uuid::Uuid, kind: &str) -> usize {
    let events = tocsin_store::events::read_stream(scenario.app.store.reader(), schedule, 0, 500)
        .await
        .expect("the schedule's events");
    events.iter().filter(|event| event.kind == kind).count()
}

fn text(notice: &Value) -> &str {
    notice["data"]["text"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_people_going_off_and_coming_on_call_each_hear_once_at_the_handoff() {
    let (scenario, ada, bob) = rotation().await;
    scenario.advance(59).await;
    scenario.expect_nothing_more();

    scenario.advance(1).await;
    let off = scenario.expect(&bob, "notification.handoff_end");
    assert_eq!(
        text(&off),
        "You are no longer on call for Checkout primary; Ada is on call"
    );
    assert_eq!(off["data"]["handoff"]["next"], json!(["Ada"]));
    let on = scenario.expect(&ada, "notification.handoff_start");
    assert_eq!(
        text(&on),
        "You are now on call for Checkout primary until 2026-11-28T13:00:00Z"
    );
    assert_eq!(on["data"]["handoff"]["previous"], json!(["Bob"]));
    assert_eq!(on["data"]["handoff"]["at"], "2026-11-27T13:00:00Z");
    scenario.settle().await;
    scenario.advance(60).await;
    scenario.expect_nothing_more();

    // the next day, the other way round
    scenario.advance(23 * 60).await;
    let off = scenario.expect(&ada, "notification.handoff_end");
    assert_eq!(
        text(&off),
        "You are no longer on call for Checkout primary; Bob is on call"
    );
    let on = scenario.expect(&bob, "notification.handoff_start");
    assert_eq!(
        text(&on),
        "You are now on call for Checkout primary until 2026-11-29T13:00:00Z"
    );
    scenario.finish();
}

#[tokio::test]
async fn two_nodes_at_the_same_boundary_send_each_notice_once() {
    let (scenario, ada, bob) = rotation().await;
    scenario.advance(59).await;
    let (east, west) = (node(&scenario, "east"), node(&scenario, "west"));
    scenario
        .app
        .clock
        .advance(jiff::SignedDuration::from_mins(1));
    let (a, b) = futures::join!(east.run_once(), west.run_once());
    let (a, b) = (a.expect("east's round"), b.expect("west's round"));
    assert_eq!(
        a.queued.pending + b.queued.pending,
        2,
        "two notices queued once"
    );
    scenario.settle().await;
    scenario.expect(&bob, "notification.handoff_end");
    scenario.expect(&ada, "notification.handoff_start");
    scenario.finish();
}

#[tokio::test]
async fn a_notice_turned_off_is_not_sent_and_bad_preferences_are_refused() {
    let (scenario, ada, bob) = rotation().await;
    let path = format!("/api/v1/users/{}/handoff-notices", bob.id());
    let me = scenario.app.with_token(&bob.user.token);
    let default = me.get(&path).await.expect_status(200).json();
    assert_eq!(default, json!({"on_call_start": true, "on_call_end": true}));
    let refused = me
        .put(&path, &json!({"on_call_start": "yes", "on_call_end": true}))
        .await
        .expect_status(422)
        .json();
    assert_eq!(refused["errors"][0]["pointer"], "/on_call_start");
    let chosen = json!({"on_call_start": true, "on_call_end": false});
    me.put(&path, &chosen).await.expect_status(200);
    assert_eq!(me.get(&path).await.expect_status(200).json(), chosen);
    // Ada may not choose for Bob
    scenario
        .app
        .with_token(&ada.user.token)
        .put(
            &path,
            &json!({"on_call_start": false, "on_call_end": false}),
        )
        .await
        .expect_status(403);

    scenario.advance(60).await;
    scenario.expect(&ada, "notification.handoff_start");
    scenario.expect_nothing_more();

    scenario.advance(24 * 60).await;
    scenario.expect(&ada, "notification.handoff_end");
    scenario.expect(&bob, "notification.handoff_start");
    scenario.finish();
}

#[tokio::test]
async fn handoffs_found_after_the_grace_are_skipped_not_sent_late() {
    let (scenario, ada, bob, schedule) = rotation_with_id().await;
    // every node was down from 12:00 until 14:00 the next day: two handoffs missed, each with
    // a notice to the person coming on and one to the person going off, recorded as skipped
    scenario.advance(26 * 60).await;
    scenario.expect_nothing_more();
    let skipped = "schedule.handoff_notice_skipped";
    assert_eq!(events_of(&scenario, schedule, skipped).await, 4);

    // the next handoff is on time again
    scenario.advance(23 * 60).await;
    scenario.expect(&bob, "notification.handoff_end");
    scenario.expect(&ada, "notification.handoff_start");
    scenario.finish();
}

#[tokio::test]
async fn handoff_templates_are_edited_and_previewed_like_the_others() {
    let scenario = Scenario::start().await;
    let owner = scenario.app.owner();
    let preview = owner
        .post(
            "/api/v1/notification-templates/preview",
            &json!({"kind": "handoff_end", "channel": "voice"}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        preview["text"],
        "This is Tocsin. You are no longer on call for Checkout primary; Grace Hopper is on call."
    );
    let path = "/api/v1/notification-templates/handoff_start/webhook";
    let edited = json!({"text": "On call: {{ handoff.schedule }}"});
    owner.put(path, &edited).await.expect_status(200);
    let read = owner.get(path).await.expect_status(200).json();
    assert_eq!(read["custom"], true);
    assert_eq!(read["text"], "On call: {{ handoff.schedule }}");
    scenario.finish();
}

#[tokio::test]
async fn an_override_that_extends_a_shift_moves_the_handoff_and_merges_the_stretch() {
    let (scenario, ada, bob, schedule) = rotation_with_id().await;
    // Bob stays on for Ada's first hour: no handoff at 13:00, one at 14:00
    scenario
        .app
        .owner()
        .post(
            &format!("/api/v1/schedules/{schedule}/overrides"),
            &json!({"user_id": bob.id(), "start": "2026-11-27T13:00:00Z",
                    "end": "2026-11-27T14:00:00Z"}),
        )
        .await
        .expect_status(201);
    scenario.advance(60).await;
    scenario.expect_nothing_more();
    scenario.advance(60).await;
    let off = scenario.expect(&bob, "notification.handoff_end");
    assert_eq!(off["data"]["handoff"]["at"], "2026-11-27T14:00:00Z");
    let on = scenario.expect(&ada, "notification.handoff_start");
    assert_eq!(
        text(&on),
        "You are now on call for Checkout primary until 2026-11-28T13:00:00Z"
    );
    scenario.finish();
}
