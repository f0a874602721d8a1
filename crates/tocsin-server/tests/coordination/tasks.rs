//! Incident tasks over HTTP: the lifecycle (final statuses, reasons to reopen or cancel), the
//! owner becoming a participant, each change on the timeline, a person's open tasks across the
//! incidents the caller may see, and who may read and write them.
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

use crate::lifecycle::service_with_key;
use crate::{INCIDENTS, declare, pointers, timeline};

async fn patch(client: &Client, id: &str, task: &str, body: Value) -> (u16, Value) {
    let response = client
        .patch(&format!("{INCIDENTS}/{id}/tasks/{task}"), &body, None)
        .await;
    (response.status, response.json())
}

#[tokio::test]
async fn a_task_runs_its_lifecycle_its_owner_joins_and_the_timeline_lists_each_change() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "storage").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "Disk pressure").await;
    let ada = app.user(OrgRole::Responder).await;
    let ada_id = ada.user.id.to_string();
    let responder = app.with_token(&ada.token);

    let created = responder
        .post(
            &format!("{INCIDENTS}/{id}/tasks"),
            &json!({"title": "  expand the volume ", "owner_user_id": ada_id, "due_at": "2026-11-27T13:00:00Z"}),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(created["title"], "expand the volume");
    assert_eq!(created["status"], "open");
    assert_eq!(created["owner_user_id"], ada_id.as_str());
    let task = created["id"].as_str().expect("id").to_owned();
    let participants = owner
        .get(&format!("{INCIDENTS}/{id}/participants"))
        .await
        .expect_status(200)
        .json();
    assert!(
        participants["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["user_id"] == ada_id.as_str()),
        "the owner joins: {participants}"
    );

    let (status, started) = patch(
        &responder,
        &id,
        &task,
        json!({"status": "in_progress", "due_at": null}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["status"], "in_progress");
    assert!(started["due_at"].is_null());
    // Back to open needs a reason.
    let (status, problem) = patch(&responder, &id, &task, json!({"status": "open"})).await;
    assert_eq!(
        (status, pointers(&problem)),
        (422, vec!["/reason".to_owned()])
    );
    let (status, _) = patch(
        &responder,
        &id,
        &task,
        json!({"status": "open", "reason": "blocked on the vendor"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, done) = patch(&responder, &id, &task, json!({"status": "done"})).await;
    assert_eq!(status, 200);
    assert_eq!(done["done_at"], "2026-11-27T12:00:00Z", "{done}");
    // Done is final: neither its status nor its fields change again.
    let (status, problem) = patch(
        &responder,
        &id,
        &task,
        json!({"status": "open", "reason": "again", "title": "renamed"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(pointers(&problem), ["/title", "/status"]);

    let events = timeline(&owner, &id).await;
    let created_events: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "incident.task_created")
        .collect();
    assert_eq!(created_events.len(), 1);
    assert_eq!(created_events[0]["payload"]["task_id"], task.as_str());
    let updates: Vec<Value> = events
        .iter()
        .filter(|e| e["kind"] == "incident.task_updated")
        .map(|e| e["payload"].clone())
        .collect();
    assert_eq!(updates.len(), 3, "{updates:?}");
    let fields = |u: &Value| -> Vec<String> {
        u["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(fields(&updates[0]), ["due_at", "status"]);
    assert_eq!(updates[0]["changes"][1]["from"], "open");
    assert_eq!(updates[0]["changes"][1]["to"], "in_progress");
    assert_eq!(updates[1]["reason"], "blocked on the vendor");
    assert_eq!(updates[2]["changes"][0]["to"], "done");
    let actor = format!("user:{ada_id}");
    assert!(
        events
            .iter()
            .filter(|e| e["kind"] == "incident.task_updated")
            .all(|e| e["actor"] == actor.as_str())
    );
}

#[tokio::test]
async fn bad_tasks_are_refused_by_field_and_canceling_needs_a_reason() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "queue").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "Queue backlog").await;
    let missing_owner = uuid::Uuid::now_v7();
    for (body, pointer) in [
        (json!({"title": " "}), "/title"),
        (
            json!({"title": "drain", "owner_user_id": missing_owner}),
            "/owner_user_id",
        ),
    ] {
        let problem = owner
            .post(&format!("{INCIDENTS}/{id}/tasks"), &body)
            .await
            .expect_status(422)
            .json();
        assert_eq!(pointers(&problem), [pointer]);
    }
    let task = owner
        .post(
            &format!("{INCIDENTS}/{id}/tasks"),
            &json!({"title": "drain"}),
        )
        .await
        .expect_status(201)
        .json();
    let task = task["id"].as_str().expect("id");
    let (status, problem) = patch(&owner, &id, task, json!({"status": "finished"})).await;
    assert_eq!(
        (status, pointers(&problem)),
        (422, vec!["/status".to_owned()])
    );
    let (status, problem) = patch(&owner, &id, task, json!({"status": "canceled"})).await;
    assert_eq!(
        (status, pointers(&problem)),
        (422, vec!["/reason".to_owned()])
    );
    let (status, canceled) = patch(
        &owner,
        &id,
        task,
        json!({"status": "canceled", "reason": "drained itself"}),
    )
    .await;
    assert_eq!(
        (status, canceled["status"].clone()),
        (200, json!("canceled"))
    );
    // A task of another incident is not found through this one.
    let other = declare(&owner, &service, "Other").await;
    let (status, _) = patch(&owner, &other, task, json!({"title": "x"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_persons_open_tasks_span_incidents_but_not_those_hidden_from_the_caller() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "identity").await;
    let owner = app.owner();
    let bea = app.user(OrgRole::Responder).await;
    let bea_id = bea.user.id.to_string();
    let first = declare(&owner, &service, "Login failures").await;
    let second = declare(&owner, &service, "Token refresh slow").await;
    let hr_case = owner
        .post(
            INCIDENTS,
            &json!({"title": "Misconduct", "service_id": service, "incident_type": "hr", "page": false}),
        )
        .await
        .expect_status(201)
        .json();
    let hr_case = hr_case["id"].as_str().expect("id").to_owned();
    let mut ids = Vec::new();
    for (incident, title, due) in [
        (&second, "rotate keys", "2026-11-27T15:00:00Z"),
        (&first, "roll back release", "2026-11-27T13:00:00Z"),
        (&hr_case, "interview", "2026-11-27T14:00:00Z"),
        (&first, "write summary", "2026-11-27T16:00:00Z"),
    ] {
        let task = owner
            .post(
                &format!("{INCIDENTS}/{incident}/tasks"),
                &json!({"title": title, "owner_user_id": bea_id, "due_at": due}),
            )
            .await
            .expect_status(201)
            .json();
        ids.push(task["id"].as_str().expect("id").to_owned());
    }
    let (status, _) = patch(&owner, &first, &ids[3], json!({"status": "done"})).await;
    assert_eq!(status, 200);
    let titles = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t["title"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let path = format!("/api/v1/users/{bea_id}/tasks?status=open");
    // Bea owns a task of the HR case, so she is a participant and sees it; soonest due first.
    let own = app
        .with_token(&bea.token)
        .get(&path)
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        titles(&own),
        ["roll back release", "interview", "rotate keys"]
    );
    // An observer outside the HR case does not see its task.
    let observer = app.user(OrgRole::Observer).await;
    let seen = app
        .with_token(&observer.token)
        .get(&path)
        .await
        .expect_status(200)
        .json();
    assert_eq!(titles(&seen), ["roll back release", "rotate keys"]);
    let done = app
        .with_token(&observer.token)
        .get(&format!("/api/v1/users/{bea_id}/tasks?status=done"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(titles(&done), ["write summary"]);
    let problem = owner
        .get(&format!("/api/v1/users/{bea_id}/tasks?status=later"))
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/status"]);
}

#[tokio::test]
async fn observers_read_tasks_responders_change_them_and_strangers_are_turned_away() {
    let app = spawn_app().await;
    let (service, _) = service_with_key(&app, "dns").await;
    let owner = app.owner();
    let id = declare(&owner, &service, "DNS flapping").await;
    let observer = app.user(OrgRole::Observer).await;
    let observer_client = app.with_token(&observer.token);
    let tasks = format!("{INCIDENTS}/{id}/tasks");
    let task = owner
        .post(&tasks, &json!({"title": "lower TTL"}))
        .await
        .expect_status(201)
        .json();
    let task = task["id"].as_str().expect("id");
    observer_client.get(&tasks).await.expect_status(200);
    observer_client
        .post(&tasks, &json!({"title": "x"}))
        .await
        .expect_status(403);
    let (status, _) = patch(&observer_client, &id, task, json!({"status": "done"})).await;
    assert_eq!(status, 403);
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    app.with_token(&stakeholder.token)
        .get(&tasks)
        .await
        .expect_status(403);
    let anonymous = app.anonymous();
    anonymous.get(&tasks).await.expect_status(401);
    anonymous
        .post(&tasks, &json!({"title": "x"}))
        .await
        .expect_status(401);
    anonymous
        .get(&format!("/api/v1/users/{}/tasks", observer.user.id))
        .await
        .expect_status(401);
    let list = observer_client.get(&tasks).await.json();
    assert_eq!(list["items"][0]["status"], "open", "unchanged: {list}");
}
