//! The resolution record, the recovery checklist and the gate they put on resolving (by hand: 409
//! naming what is missing; automatically: held open, the timeline saying why), and the bridge
//! with its meeting cadence, over HTTP.
mod lifecycle;
mod resolution;

use jiff::SignedDuration;
use lifecycle::{get_incident, incident_of, send, service_with_key, timeline};
use resolution::{INCIDENTS, declare, events_of, pointers, set_priority};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

async fn add_check(client: &Client, id: &str, kind: &str, description: &str) -> String {
    let check = client
        .post(
            &format!("{INCIDENTS}/{id}/recovery-checks"),
            &json!({"kind": kind, "description": description}),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(check["confirmed"], false, "{check}");
    check["id"].as_str().expect("check id").to_owned()
}

fn confirmation(id: &str, check: &str) -> String {
    format!("{INCIDENTS}/{id}/recovery-checks/{check}/confirmation")
}

#[tokio::test]
async fn the_resolution_record_is_validated_replaced_and_kept_on_the_timeline() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let id = declare(&client, &service).await;
    let path = format!("{INCIDENTS}/{id}/resolution");

    let empty = client.get(&path).await.expect_status(200).json();
    assert_eq!(empty["record"], Value::Null);
    assert_eq!(empty["blocked_by"], Value::Null);

    let bad = client
        .put(&path, &json!({"strategy": "pray", "reasoning": "x"}))
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/strategy"]);
    for reasoning in [" ".to_owned(), "r".repeat(5001)] {
        let bad = client
            .put(
                &path,
                &json!({"strategy": "rollback", "reasoning": reasoning}),
            )
            .await
            .expect_status(422)
            .json();
        assert_eq!(pointers(&bad), ["/reasoning"]);
    }

    let first = client
        .put(
            &path,
            &json!({"strategy": "rollback", "reasoning": "  release 42 broke payments "}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(first["record"]["strategy"], "rollback");
    assert_eq!(first["record"]["reasoning"], "release 42 broke payments");
    assert_eq!(
        first["record"]["recorded_by"],
        format!("user:{}", responder.user.id)
    );
    client
        .put(
            &path,
            &json!({"strategy": "hotfix", "reasoning": "rollback impossible: migration ran"}),
        )
        .await
        .expect_status(200);

    let recorded = events_of(&app, &id, "incident.resolution_recorded").await;
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0]["payload"]["previous"], Value::Null);
    assert_eq!(recorded[1]["payload"]["strategy"], "hotfix");
    assert_eq!(recorded[1]["payload"]["previous"]["strategy"], "rollback");
    assert_eq!(
        recorded[1]["payload"]["previous"]["reasoning"],
        "release 42 broke payments"
    );
    let now = client.get(&path).await.expect_status(200).json();
    assert_eq!(now["record"]["strategy"], "hotfix");
}

#[tokio::test]
async fn checks_are_confirmed_by_someone_and_withdrawn_only_with_a_reason() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let id = declare(&client, &service).await;
    let bad = client
        .post(
            &format!("{INCIDENTS}/{id}/recovery-checks"),
            &json!({"kind": "spiritual", "description": "x"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/kind"]);
    let check = add_check(&client, &id, "business", "orders flowing again").await;

    let confirmed = client
        .post(
            &confirmation(&id, &check),
            &json!({"note": "120 orders/min"}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(confirmed["confirmed"], true);
    assert_eq!(
        confirmed["confirmed_by"],
        format!("user:{}", responder.user.id)
    );
    assert_eq!(confirmed["confirmation_note"], "120 orders/min");
    assert!(confirmed["confirmed_at"].is_string());
    // Confirming twice is refused; the first confirmation stands.
    client
        .post(&confirmation(&id, &check), &json!({}))
        .await
        .expect_status(409);

    let missing_reason = client
        .json(
            reqwest::Method::DELETE,
            &confirmation(&id, &check),
            &json!({"reason": " "}),
            &[],
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&missing_reason), ["/reason"]);
    let withdrawn = client
        .json(
            reqwest::Method::DELETE,
            &confirmation(&id, &check),
            &json!({"reason": "orders dropped again"}),
            &[],
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(withdrawn["confirmed"], false);
    assert_eq!(withdrawn["confirmed_by"], Value::Null);
    client
        .json(
            reqwest::Method::DELETE,
            &confirmation(&id, &check),
            &json!({"reason": "again"}),
            &[],
        )
        .await
        .expect_status(409);

    let kinds: Vec<String> = timeline(&app, &id)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for kind in [
        "incident.recovery_check_added",
        "incident.recovery_check_confirmed",
        "incident.recovery_check_withdrawn",
    ] {
        assert_eq!(
            kinds.iter().filter(|k| *k == kind).count(),
            1,
            "{kind}: {kinds:?}"
        );
    }
    let withdrawal = &events_of(&app, &id, "incident.recovery_check_withdrawn").await[0];
    assert_eq!(withdrawal["payload"]["reason"], "orders dropped again");
    // Another incident's check is not found under this one.
    let other = declare(&client, &service).await;
    client
        .post(&confirmation(&other, &check), &json!({}))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn resolving_by_hand_waits_for_every_check_and_for_the_record_of_an_urgent_incident() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);
    let id = declare(&client, &service).await;
    let technical = add_check(&client, &id, "technical", "error rate at baseline").await;
    let business = add_check(&client, &id, "business", "support queue drained").await;
    set_priority(&client, &id, "P2").await;

    // Both ways of resolving by hand are refused, naming the unconfirmed checks.
    for refused in [
        client
            .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
            .await,
        client
            .post(
                &format!("{INCIDENTS}/{id}/status"),
                &json!({"status": "resolved"}),
            )
            .await,
    ] {
        let problem = refused.expect_status(409).json();
        assert_eq!(pointers(&problem), ["/recovery_checks"], "{problem}");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains("error rate at baseline"), "{detail}");
        assert!(detail.contains("support queue drained"), "{detail}");
    }
    client
        .post(&confirmation(&id, &technical), &json!({}))
        .await
        .expect_status(200);
    let problem = client
        .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
        .await
        .expect_status(409)
        .json();
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("support queue drained"), "{detail}");
    assert!(!detail.contains("error rate"), "{detail}");
    client
        .post(&confirmation(&id, &business), &json!({}))
        .await
        .expect_status(200);

    // A P2 incident also needs its resolution record.
    let gate = client
        .get(&format!("{INCIDENTS}/{id}/resolution"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(gate["record_required"], true);
    assert_eq!(gate["blocked_by"]["pointer"], "/resolution");
    let problem = client
        .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
        .await
        .expect_status(409)
        .json();
    assert_eq!(pointers(&problem), ["/resolution"]);
    assert!(get_incident(&app, &id).await["status"] != "resolved");
    client
        .put(
            &format!("{INCIDENTS}/{id}/resolution"),
            &json!({"strategy": "failover", "reasoning": "moved traffic to eu-west"}),
        )
        .await
        .expect_status(200);
    let resolved = client
        .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(resolved["status"], "resolved");
}

#[tokio::test]
async fn an_incident_without_checks_or_urgency_resolves_as_before() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "search").await;
    send(&app, &key, "trigger", "plain").await;
    send(&app, &key, "resolve", "plain").await;
    let incident = incident_of(&app, &service, "plain").await;
    assert_eq!(incident["status"], "resolved", "{incident}");
    let id = incident["id"].as_str().expect("id");
    assert!(
        events_of(&app, id, "incident.resolve_held")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn alerts_resolving_do_not_resolve_a_held_incident_which_then_resolves_by_hand() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "payments").await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);
    send(&app, &key, "trigger", "card-auth").await;
    let incident = incident_of(&app, &service, "card-auth").await;
    let id = incident["id"].as_str().expect("id").to_owned();
    assert_eq!(incident["status"], "triggered");
    let check = add_check(&client, &id, "technical", "card auth success above 99%").await;

    send(&app, &key, "resolve", "card-auth").await;
    let held = get_incident(&app, &id).await;
    assert_ne!(held["status"], "resolved", "{held}");
    // Nobody is paged for it: it is engaged (monitoring), no longer triggered.
    assert_eq!(held["status"], "monitoring", "{held}");
    assert_eq!(held["open_alert_count"], 0);
    let holds = events_of(&app, &id, "incident.resolve_held").await;
    assert_eq!(holds.len(), 1);
    let reason = holds[0]["payload"]["reason"].as_str().expect("reason");
    assert!(reason.contains("card auth success above 99%"), "{reason}");
    assert_eq!(holds[0]["payload"]["pointer"], "/recovery_checks");
    assert!(events_of(&app, &id, "incident.resolved").await.is_empty());
    // The move to monitoring is a status change on the timeline like any other.
    let moved = events_of(&app, &id, "incident.status_changed").await;
    let last = moved.last().expect("a status change");
    assert_eq!(last["payload"]["to"], "monitoring", "{last}");

    client
        .post(&confirmation(&id, &check), &json!({"note": "99.7%"}))
        .await
        .expect_status(200);
    client
        .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
        .await
        .expect_status(200);
    assert_eq!(get_incident(&app, &id).await["status"], "resolved");
}

#[tokio::test]
async fn a_stability_window_ending_on_a_held_incident_holds_it_too() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "ledger").await;
    lifecycle::settings(&app, &service, json!({"stability_window_seconds": 300})).await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);
    send(&app, &key, "trigger", "drift").await;
    let id = incident_of(&app, &service, "drift").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A P1 without a resolution record still resolves with its alerts (the record is asked of a
    // responder resolving by hand); an unconfirmed recovery check holds it.
    set_priority(&client, &id, "P1").await;
    add_check(&client, &id, "business", "ledger totals reconciled").await;
    send(&app, &key, "resolve", "drift").await;
    assert!(get_incident(&app, &id).await["resolve_due_at"].is_string());
    app.clock.advance(SignedDuration::from_secs(301));
    assert_eq!(lifecycle::resolve_due(&app).await, 0);
    let held = get_incident(&app, &id).await;
    assert_ne!(held["status"], "resolved");
    assert_eq!(held["resolve_due_at"], Value::Null);
    let holds = events_of(&app, &id, "incident.resolve_held").await;
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0]["payload"]["pointer"], "/recovery_checks");
}

#[tokio::test]
async fn the_bridge_shows_its_next_checkpoint_and_ends_on_the_timeline() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);
    let id = declare(&client, &service).await;
    let path = format!("{INCIDENTS}/{id}/bridge");
    let none = client.get(&path).await.expect_status(200).json();
    assert_eq!(none["active"], false);

    let bad = client
        .put(
            &path,
            &json!({"url": "ftp://meet.example.com/x", "meeting_cadence_minutes": 2}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/url", "/meeting_cadence_minutes"]);

    let start = {
        use tocsin_domain::Clock;
        app.clock.now()
    };
    let set = client
        .put(
            &path,
            &json!({"url": "https://meet.example.com/war-room", "meeting_cadence_minutes": 30}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(set["active"], true);
    let first: jiff::Timestamp = set["first_checkpoint_at"]
        .as_str()
        .expect("first")
        .parse()
        .expect("timestamp");
    assert_eq!(first, start + SignedDuration::from_mins(30));
    assert_eq!(set["next_checkpoint_at"], set["first_checkpoint_at"]);

    // 45 minutes in: the first checkpoint passed, the next is an hour after the start.
    app.clock.advance(SignedDuration::from_mins(45));
    let later = client.get(&path).await.expect_status(200).json();
    let next: jiff::Timestamp = later["next_checkpoint_at"]
        .as_str()
        .expect("next")
        .parse()
        .expect("timestamp");
    assert_eq!(next, start + SignedDuration::from_mins(60));

    client
        .put(&path, &json!({"url": "https://meet.example.com/room-2"}))
        .await
        .expect_status(200);
    let ended = client.delete(&path).await.expect_status(200).json();
    assert_eq!(ended["active"], false);
    let set_events = events_of(&app, &id, "incident.bridge_set").await;
    assert_eq!(set_events.len(), 2);
    assert_eq!(
        set_events[1]["payload"]["previous"]["url"],
        "https://meet.example.com/war-room"
    );
    let ended_events = events_of(&app, &id, "incident.bridge_ended").await;
    assert_eq!(ended_events.len(), 1);
    assert_eq!(
        ended_events[0]["payload"]["url"],
        "https://meet.example.com/room-2"
    );
    // Ending no bridge changes nothing.
    client.delete(&path).await.expect_status(200);
    assert_eq!(events_of(&app, &id, "incident.bridge_ended").await.len(), 1);
}
