//! Evidence on an incident over HTTP: what an item must carry, the timeline without its content,
//! the chain of custody after viewing and exporting, and the preservation hold (deleting refused
//! while it is in force, allowed once its days have passed on a moved clock).
mod lifecycle;
mod resolution;

use base64::Engine;
use jiff::SignedDuration;
use lifecycle::service_with_key;
use resolution::{INCIDENTS, declare, events_of, pointers, set_priority};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

fn excerpt() -> Value {
    json!({"kind": "log_excerpt", "title": "payment errors", "source": "loki prod-eu",
           "content": "ERROR card declined for jane@example.com", "media_type": "text/plain",
           "data_classification": "confidential", "personal_data_note": "one customer email"})
}

async fn add(client: &Client, id: &str, body: &Value) -> Value {
    client
        .post(&format!("{INCIDENTS}/{id}/evidence"), body)
        .await
        .expect_status(201)
        .json()
}

#[tokio::test]
async fn items_name_every_bad_field_and_oversized_content_answers_413() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);
    let id = declare(&client, &service).await;
    let path = format!("{INCIDENTS}/{id}/evidence");

    let mut unnoted = excerpt();
    unnoted["personal_data_note"] = Value::Null;
    let problem = client.post(&path, &unnoted).await.expect_status(422).json();
    assert_eq!(pointers(&problem), ["/personal_data_note"]);

    let replay = json!({"kind": "session_replay", "title": "checkout session",
        "source": "FullStory", "url": "http://app.fullstory.com/s/1", "data_classification": "internal"});
    let problem = client.post(&path, &replay).await.expect_status(422).json();
    assert_eq!(pointers(&problem), ["/url"]);

    let problem = client
        .post(
            &path,
            &json!({"kind": "photo", "title": "x", "source": "y", "data_classification": "secret"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/kind", "/data_classification"]);

    let problem = client
        .post(
            &path,
            &json!({"kind": "file", "title": "dump", "source": "s3", "content": "%%%",
                    "content_encoding": "base64", "data_classification": "internal"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/content"]);

    let mut large = excerpt();
    large["content"] = json!("x".repeat(1024 * 1024 + 1));
    let problem = client.post(&path, &large).await.expect_status(413).json();
    assert_eq!(pointers(&problem), ["/content"]);
    let listed = client.get(&path).await.expect_status(200).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn viewing_and_exporting_are_kept_on_the_chain_of_custody() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let observer = app.user(OrgRole::Observer).await;
    let watcher = app.with_token(&observer.token);
    let id = declare(&client, &service).await;

    let text = add(&client, &id, &excerpt()).await;
    assert_eq!(text["data_classification"], "confidential");
    assert_eq!(text["size_bytes"], 40);
    let bytes: Vec<u8> = (0u8..=255).collect();
    let file = add(
        &client,
        &id,
        &json!({"kind": "file", "title": "HAR capture", "source": "support ticket 123",
                "content": base64::engine::general_purpose::STANDARD.encode(&bytes),
                "content_encoding": "base64", "media_type": "application/octet-stream",
                "data_classification": "restricted", "personal_data_note": "session cookies"}),
    )
    .await;
    let file_id = file["id"].as_str().expect("id");
    assert_eq!(file["size_bytes"], 256);

    // The list and the timeline carry metadata, never the content.
    let listed = client
        .get(&format!("{INCIDENTS}/{id}/evidence"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert!(!listed.to_string().contains("card declined"));
    let added = events_of(&app, &id, "incident.evidence_added").await;
    assert_eq!(added.len(), 2);
    assert_eq!(added[0]["payload"]["source"], "loki prod-eu");
    assert!(!added[0].to_string().contains("card declined"));

    let item = format!("{INCIDENTS}/{id}/evidence/{file_id}");
    let seen = watcher.get(&item).await.expect_status(200).json();
    assert_eq!(seen["title"], "HAR capture");
    let exported = client
        .get(&format!("{item}/content"))
        .await
        .expect_status(200);
    assert_eq!(
        exported.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(exported.header("content-disposition"), Some("attachment"));
    let text_export = watcher
        .get(&format!(
            "{INCIDENTS}/{id}/evidence/{}/content",
            text["id"].as_str().expect("id")
        ))
        .await
        .expect_status(200);
    assert_eq!(text_export.text, "ERROR card declined for jane@example.com");
    assert_eq!(text_export.header("content-type"), Some("text/plain"));

    let chain = client
        .get(&format!("{item}/custody"))
        .await
        .expect_status(200)
        .json();
    let links: Vec<(String, String)> = chain["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["action"].as_str().unwrap_or_default().to_owned(),
                c["actor"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let (me, them) = (
        format!("user:{}", responder.user.id),
        format!("user:{}", observer.user.id),
    );
    assert_eq!(
        links,
        [
            ("added".to_owned(), me.clone()),
            ("viewed".to_owned(), them),
            ("exported".to_owned(), me)
        ]
    );
    // An item of another incident is not found under this one.
    let other = declare(&client, &service).await;
    client
        .get(&format!("{INCIDENTS}/{other}/evidence/{file_id}"))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn an_urgent_incident_holds_its_evidence_until_its_hold_days_have_passed() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let id = declare(&client, &service).await;
    set_priority(&client, &id, "P2").await;
    let item = add(&client, &id, &excerpt()).await;
    let item_path = format!(
        "{INCIDENTS}/{id}/evidence/{}",
        item["id"].as_str().expect("id")
    );
    let placed = events_of(&app, &id, "incident.evidence_hold_placed").await;
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0]["payload"]["priority"], "P2");

    let refused = client.delete(&item_path).await.expect_status(409).json();
    assert!(refused["held_until"].is_string(), "{refused}");
    add(&client, &id, &excerpt()).await;
    assert_eq!(
        events_of(&app, &id, "incident.evidence_hold_placed")
            .await
            .len(),
        1,
        "the hold is recorded once"
    );

    // Resolve it: the hold runs 365 days from then.
    client
        .put(
            &format!("{INCIDENTS}/{id}/resolution"),
            &json!({"strategy": "rollback", "reasoning": "release 42"}),
        )
        .await
        .expect_status(200);
    client
        .post(&format!("{INCIDENTS}/{id}/resolve"), &json!({}))
        .await
        .expect_status(200);
    app.clock.advance(SignedDuration::from_hours(24 * 364));
    client.delete(&item_path).await.expect_status(409);
    let list = client
        .get(&format!("{INCIDENTS}/{id}/evidence"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(list["hold"]["in_force"], true);

    app.clock.advance(SignedDuration::from_hours(24 * 2));
    let deleted = client.delete(&item_path).await.expect_status(200).json();
    assert!(deleted["deleted_at"].is_string());
    assert_eq!(deleted["title"], "payment errors");
    // The content is gone; the metadata and the chain stay, ending with the deletion.
    client
        .get(&format!("{item_path}/content"))
        .await
        .expect_status(404);
    let chain = client
        .get(&format!("{item_path}/custody"))
        .await
        .expect_status(200)
        .json();
    let actions: Vec<&str> = chain["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["action"].as_str())
        .collect();
    assert_eq!(actions, ["added", "deleted"]);
    assert_eq!(
        events_of(&app, &id, "incident.evidence_deleted")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_priority_held_at_any_time_while_evidence_exists_keeps_the_hold() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let client = app.with_token(&app.user(OrgRole::Responder).await.token);

    // Never urgent: deleting is allowed at once.
    let calm = declare(&client, &service).await;
    set_priority(&client, &calm, "P4").await;
    let item = add(&client, &calm, &excerpt()).await;
    client
        .delete(&format!(
            "{INCIDENTS}/{calm}/evidence/{}",
            item["id"].as_str().expect("id")
        ))
        .await
        .expect_status(200);
    assert!(
        events_of(&app, &calm, "incident.evidence_hold_placed")
            .await
            .is_empty()
    );

    // P1 for a while after the evidence was added, then lowered: still held.
    let id = declare(&client, &service).await;
    set_priority(&client, &id, "P4").await;
    let item = add(&client, &id, &excerpt()).await;
    set_priority(&client, &id, "P1").await;
    set_priority(&client, &id, "P3").await;
    let path = format!(
        "{INCIDENTS}/{id}/evidence/{}",
        item["id"].as_str().expect("id")
    );
    client.delete(&path).await.expect_status(409);
    let placed = events_of(&app, &id, "incident.evidence_hold_placed").await;
    assert_eq!(placed.len(), 1, "recorded by the refused deletion");
    assert_eq!(placed[0]["payload"]["priority"], "P1");
}

#[tokio::test]
async fn admins_set_the_hold_policy() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "checkout").await;
    let policy = app
        .owner()
        .get("/api/v1/evidence-hold-policy")
        .await
        .expect_status(200)
        .json();
    assert_eq!(policy["hold_days"], 365);
    assert_eq!(policy["hold_priorities"], json!(["P1", "P2"]));
    let responder = app.with_token(&app.user(OrgRole::Responder).await.token);
    responder
        .put("/api/v1/evidence-hold-policy", &json!({"hold_days": 1}))
        .await
        .expect_status(403);
    let bad = app
        .owner()
        .put(
            "/api/v1/evidence-hold-policy",
            &json!({"hold_days": 100_000}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&bad), ["/hold_days"]);
    app.owner()
        .put(
            "/api/v1/evidence-hold-policy",
            &json!({"hold_days": 30, "hold_priorities": ["P3"]}),
        )
        .await
        .expect_status(200);

    // A P3 incident now holds its evidence for 30 days from now while it is open.
    let id = declare(&responder, &service).await;
    set_priority(&responder, &id, "P3").await;
    let item = add(&responder, &id, &excerpt()).await;
    let path = format!(
        "{INCIDENTS}/{id}/evidence/{}",
        item["id"].as_str().expect("id")
    );
    let refused = responder.delete(&path).await.expect_status(409).json();
    let until: jiff::Timestamp = refused["held_until"]
        .as_str()
        .expect("held_until")
        .parse()
        .expect("timestamp");
    let now = {
        use tocsin_domain::Clock;
        app.clock.now()
    };
    assert_eq!(until, now + SignedDuration::from_hours(24 * 30));
}
