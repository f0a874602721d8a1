//! Coordinating a response over HTTP: entries written by hand on the timeline (each kind with its
//! validation, corrections pointing at earlier entries), pins of any timeline entry (alerts
//! included), tasks (in `coordination::tasks`), and who may read and write them.
mod coordination;
mod lifecycle;

use lifecycle::{incident_of, send, service_with_key};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

const INCIDENTS: &str = "/api/v1/incidents";

async fn declare(client: &Client, service: &str, title: &str) -> String {
    let incident = client
        .post(
            INCIDENTS,
            &json!({"title": title, "service_id": service, "page": false}),
        )
        .await
        .expect_status(201)
        .json();
    incident["id"].as_str().expect("id").to_owned()
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn write(client: &Client, id: &str, body: Value) -> Value {
    client
        .post(&format!("{INCIDENTS}/{id}/entries"), &body)
        .await
        .expect_status(201)
        .json()
}

async fn refused(client: &Client, id: &str, body: Value) -> Vec<String> {
    let problem = client
        .post(&format!("{INCIDENTS}/{id}/entries"), &body)
        .await
        .expect_status(422)
        .json();
    pointers(&problem)
}

async fn timeline(client: &Client, id: &str) -> Vec<Value> {
    let page = client
        .get(&format!("{INCIDENTS}/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn pinned_seqs(client: &Client, id: &str) -> Vec<i64> {
    let pins = client
        .get(&format!("{INCIDENTS}/{id}/pins"))
        .await
        .expect_status(200)
        .json();
    pins["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["seq"].as_i64().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn each_entry_kind_is_one_timeline_event_by_its_author_with_its_fields() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let id = declare(&app.owner(), &service, "Checkout errors").await;
    let author = format!("user:{}", responder.user.id);

    let cases = [
        (
            json!({"kind": "note", "body": "  error rate at 40%  "}),
            "incident.note",
        ),
        (
            json!({"kind": "decision", "body": "fail over to eu-west", "rationale": "primary region unrecoverable"}),
            "incident.decision",
        ),
        (
            json!({"kind": "command", "body": "systemctl restart api", "target": "api-3", "outcome": "restarted cleanly"}),
            "incident.command",
        ),
        (
            json!({"kind": "config_change", "body": "raised the pool", "system": "pgbouncer", "change": "pool_size 20 -> 50", "rollback": "set pool_size back to 20"}),
            "incident.config_change",
        ),
        (
            json!({"kind": "status_update", "body": "we are failing over", "audience": "stakeholders"}),
            "incident.status_update",
        ),
    ];
    for (body, kind) in &cases {
        let written = write(&client, &id, body.clone()).await;
        assert_eq!(written["kind"], *kind, "{written}");
        assert_eq!(written["actor"], author);
        assert_eq!(written["payload"]["entry_kind"], body["kind"]);
    }
    let events = timeline(&client, &id).await;
    let by_hand: Vec<&Value> = events
        .iter()
        .filter(|e| cases.iter().any(|(_, kind)| e["kind"] == *kind))
        .collect();
    assert_eq!(by_hand.len(), 5, "one event per entry: {events:?}");
    assert_eq!(by_hand[0]["payload"]["body"], "error rate at 40%");
    assert_eq!(
        by_hand[1]["payload"]["rationale"],
        "primary region unrecoverable"
    );
    assert_eq!(by_hand[2]["payload"]["target"], "api-3");
    assert_eq!(by_hand[2]["payload"]["outcome"], "restarted cleanly");
    assert_eq!(by_hand[3]["payload"]["system"], "pgbouncer");
    assert_eq!(
        by_hand[3]["payload"]["rollback"],
        "set pool_size back to 20"
    );
    assert_eq!(by_hand[4]["payload"]["audience"], "stakeholders");
    assert!(by_hand[0]["payload"].get("rationale").is_none());
}

#[tokio::test]
async fn bad_entries_name_every_field_at_fault_and_write_nothing() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "search").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "Search slow").await;
    let before = timeline(&owner, &id).await.len();

    assert_eq!(
        refused(
            &owner,
            &id,
            json!({"kind": "decision", "body": "roll back"})
        )
        .await,
        ["/rationale"]
    );
    assert_eq!(
        refused(
            &owner,
            &id,
            json!({"kind": "config_change", "body": "tuned"})
        )
        .await,
        ["/system", "/change"]
    );
    assert_eq!(
        refused(
            &owner,
            &id,
            json!({"kind": "status_update", "body": "update", "audience": "press"})
        )
        .await,
        ["/audience"]
    );
    assert_eq!(
        refused(
            &owner,
            &id,
            json!({"kind": "note", "body": " ", "target": "db-1", "corrects_seq": 0})
        )
        .await,
        ["/body", "/target", "/corrects_seq"]
    );
    assert_eq!(
        refused(&owner, &id, json!({"kind": "gossip", "body": "x"})).await,
        ["/kind"]
    );
    assert_eq!(
        refused(
            &owner,
            &id,
            json!({"kind": "note", "body": "x".repeat(10_001)})
        )
        .await,
        ["/body"]
    );
    assert_eq!(timeline(&owner, &id).await.len(), before, "nothing written");
}

#[tokio::test]
async fn a_correction_points_at_an_earlier_entry_by_hand_on_the_same_incident() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "billing").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "Invoices late").await;
    let other = declare(&owner, &service, "Unrelated").await;
    let note = write(
        &owner,
        &id,
        json!({"kind": "note", "body": "restarted db-2"}),
    )
    .await;
    let seq = note["seq"].as_i64().expect("seq");
    let correction = write(
        &owner,
        &id,
        json!({"kind": "note", "body": "it was db-3, not db-2", "corrects_seq": seq}),
    )
    .await;
    assert_eq!(correction["payload"]["corrects_seq"], seq);
    // A correction of the correction: a chain.
    let again = write(
        &owner,
        &id,
        json!({"kind": "note", "body": "db-3 and db-4", "corrects_seq": correction["seq"]}),
    )
    .await;
    assert_eq!(again["payload"]["corrects_seq"], correction["seq"]);
    // The original stays as written.
    let events = timeline(&owner, &id).await;
    let original = events
        .iter()
        .find(|e| e["seq"] == seq)
        .expect("the original");
    assert_eq!(original["payload"]["body"], "restarted db-2");

    // Seq 1 is the declaration (not an entry by hand); 999 does not exist.
    for corrects in [1, 999] {
        assert_eq!(
            refused(
                &owner,
                &id,
                json!({"kind": "note", "body": "fix", "corrects_seq": corrects})
            )
            .await,
            ["/corrects_seq"]
        );
    }
    // Seqs are per incident: the other incident's entries are not reachable from this one.
    let elsewhere = write(&owner, &other, json!({"kind": "note", "body": "other"})).await;
    assert_eq!(elsewhere["kind"], "incident.note");
}

#[tokio::test]
async fn any_timeline_entry_can_be_pinned_and_the_pins_answer_the_entries_themselves() {
    let app = spawn_app().await;
    let (service, key) = service_with_key(&app, "payments").await;
    app.owner()
        .put(
            &format!("/api/v1/services/{service}/grouping"),
            &json!({"type": "time_window", "window_seconds": 3600}),
        )
        .await
        .expect_status(200);
    send(&app, &key, "trigger", "disk-full").await;
    send(&app, &key, "trigger", "disk-full-2").await;
    let incident = incident_of(&app, &service, "disk-full").await;
    let id = incident["id"].as_str().expect("id").to_owned();
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let events = timeline(&client, &id).await;
    let attached = events
        .iter()
        .find(|e| e["kind"] == "incident.alert_attached")
        .unwrap_or_else(|| panic!("an alert attached: {events:?}"));
    let attached_seq = attached["seq"].as_i64().expect("seq");
    let decision = write(
        &client,
        &id,
        json!({"kind": "decision", "body": "drain node", "rationale": "disk cannot grow"}),
    )
    .await;
    let decision_seq = decision["seq"].as_i64().expect("seq");

    let pins = client
        .put(&format!("{INCIDENTS}/{id}/pins/{decision_seq}"), &json!({}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(pins["items"][0]["kind"], "incident.decision");
    assert_eq!(pins["items"][0]["payload"]["rationale"], "disk cannot grow");
    client
        .put(&format!("{INCIDENTS}/{id}/pins/{attached_seq}"), &json!({}))
        .await
        .expect_status(200);
    // Pinning again changes nothing and appends nothing.
    let before = timeline(&client, &id).await.len();
    client
        .put(&format!("{INCIDENTS}/{id}/pins/{attached_seq}"), &json!({}))
        .await
        .expect_status(200);
    assert_eq!(timeline(&client, &id).await.len(), before);
    assert_eq!(
        pinned_seqs(&client, &id).await,
        [attached_seq, decision_seq]
    );
    let pins = client.get(&format!("{INCIDENTS}/{id}/pins")).await.json();
    assert_eq!(pins["items"][0]["kind"], "incident.alert_attached");

    let unpinned = client
        .delete(&format!("{INCIDENTS}/{id}/pins/{decision_seq}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(unpinned["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(pinned_seqs(&client, &id).await, [attached_seq]);
    let kinds: Vec<Value> = timeline(&client, &id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "incident.pinned" || e["kind"] == "incident.unpinned")
        .map(|e| json!([e["kind"], e["payload"]["seq"], e["actor"]]))
        .collect();
    let actor = format!("user:{}", responder.user.id);
    assert_eq!(
        kinds,
        [
            json!(["incident.pinned", decision_seq, actor]),
            json!(["incident.pinned", attached_seq, actor]),
            json!(["incident.unpinned", decision_seq, actor]),
        ]
    );

    // The seq must exist; a pin event is not itself pinnable.
    client
        .put(&format!("{INCIDENTS}/{id}/pins/9999"), &json!({}))
        .await
        .expect_status(404);
    let pin_event = timeline(&client, &id)
        .await
        .into_iter()
        .find(|e| e["kind"] == "incident.pinned")
        .expect("a pin");
    let problem = client
        .put(
            &format!("{INCIDENTS}/{id}/pins/{}", pin_event["seq"]),
            &json!({}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/seq"]);
}

#[tokio::test]
async fn observers_read_responders_write_and_strangers_are_turned_away() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "mail").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "Mail queue stuck").await;
    let observer = app.user(OrgRole::Observer).await;
    let observer_client = app.with_token(&observer.token);
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    let stakeholder_client = app.with_token(&stakeholder.token);
    let note = json!({"kind": "note", "body": "looking"});

    observer_client
        .get(&format!("{INCIDENTS}/{id}/pins"))
        .await
        .expect_status(200);
    observer_client
        .post(&format!("{INCIDENTS}/{id}/entries"), &note)
        .await
        .expect_status(403);
    observer_client
        .put(&format!("{INCIDENTS}/{id}/pins/1"), &json!({}))
        .await
        .expect_status(403);
    stakeholder_client
        .get(&format!("{INCIDENTS}/{id}/pins"))
        .await
        .expect_status(403);
    let anonymous = app.anonymous();
    anonymous
        .get(&format!("{INCIDENTS}/{id}/pins"))
        .await
        .expect_status(401);
    anonymous
        .post(&format!("{INCIDENTS}/{id}/entries"), &note)
        .await
        .expect_status(401);
    anonymous
        .delete(&format!("{INCIDENTS}/{id}/pins/1"))
        .await
        .expect_status(401);
    write(&owner, &id, note).await;
    assert!(pinned_seqs(&observer_client, &id).await.is_empty());
}
