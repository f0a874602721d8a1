//! Incident roles over HTTP: create, read, list, replace (If-Match) and delete with problem JSON
//! naming the field; who staffs a role on both sides of a weekly handoff, a person on call without
//! the required skill passed over for the backup, a deactivated backup leaving the role unstaffed;
//! the roles in the on-call answer; a role as an escalation target (reference checks, preview);
//! who may read and change roles.
mod schedules;

use schedules::{assert_problem, create, id, person, weekly};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

const ROLES: &str = "/api/v1/incident-roles";

async fn set_skills(owner: &Client, user: &str, skills: &[&str]) {
    owner
        .put(
            &format!("/api/v1/users/{user}/skills"),
            &json!({ "skills": skills }),
        )
        .await
        .expect_status(200);
}

async fn staffing(client: &Client, role: &str, at: &str) -> Value {
    client
        .get(&format!("{ROLES}/{role}/staffing?at={at}"))
        .await
        .expect_status(200)
        .json()
}

#[tokio::test]
async fn roles_are_created_read_replaced_and_deleted_with_problems_naming_the_field() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let body = json!({"slug": "incident_commander", "name": "Incident commander",
        "instructions": "# Lead\nOwn the incident.", "required_skills": ["IC", "ic", "k8s"],
        "backup_user_id": ada});
    let created = owner.post(ROLES, &body).await.expect_status(201);
    let role = id(&created);
    let path = format!("{ROLES}/{role}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    let read = owner.get(&path).await.expect_status(200).json();
    assert_eq!(read["slug"], "incident_commander");
    assert_eq!(read["required_skills"], json!(["ic", "k8s"]));
    assert_eq!(read["backup_user_id"], ada.as_str());
    assert_eq!(read["schedule_id"], Value::Null);
    let listed = owner.get(ROLES).await.expect_status(200).json();
    assert_eq!(listed["items"][0]["id"], role.as_str());

    // What was read can be sent back, changed; a stale version is refused.
    let mut change = read.clone();
    change["name"] = json!("Commander");
    let replaced = owner
        .json(
            reqwest::Method::PUT,
            &path,
            &change,
            &[("if-match", "\"1\"")],
        )
        .await
        .expect_status(200);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    assert_eq!(replaced.json()["name"], "Commander");
    let stale = owner
        .json(
            reqwest::Method::PUT,
            &path,
            &change,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);

    // Bad input: each problem names its field.
    let duplicate = owner
        .post(
            ROLES,
            &json!({"slug": "incident_commander", "name": "Again"}),
        )
        .await;
    assert_problem(&duplicate, 409, "/slug");
    let bad_slug = owner
        .post(ROLES, &json!({"slug": "Incident Commander", "name": "IC"}))
        .await;
    assert_problem(&bad_slug, 422, "/slug");
    let long = owner
        .post(
            ROLES,
            &json!({"slug": "scribe", "name": "Scribe", "instructions": "x".repeat(10 * 1024 + 1)}),
        )
        .await;
    assert_problem(&long, 422, "/instructions");
    let nowhere = uuid::Uuid::now_v7().to_string();
    let unknown_schedule = owner
        .post(
            ROLES,
            &json!({"slug": "scribe", "name": "Scribe", "schedule_id": nowhere}),
        )
        .await;
    assert_problem(&unknown_schedule, 422, "/schedule_id");
    let unknown_user = owner
        .post(
            ROLES,
            &json!({"slug": "scribe", "name": "Scribe", "backup_user_id": nowhere}),
        )
        .await;
    assert_problem(&unknown_user, 422, "/backup_user_id");
    let bad_skill = owner
        .post(
            ROLES,
            &json!({"slug": "scribe", "name": "Scribe", "required_skills": ["two words"]}),
        )
        .await;
    assert_problem(&bad_skill, 422, "/required_skills/0");
    let bad_at = owner.get(&format!("{path}/staffing?at=tomorrow")).await;
    assert_problem(&bad_at, 400, "/at");

    owner.delete(&path).await.expect_status(204);
    owner.get(&path).await.expect_status(404);
    let events = owner
        .get(&format!("{path}/events"))
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "incident_role.created",
            "incident_role.updated",
            "incident_role.deleted"
        ]
    );
    owner
        .get(&format!("{path}/staffing"))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn the_first_qualified_person_on_call_staffs_the_role_else_the_backup() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let cy = person(&owner, "Cy").await;
    set_skills(&owner, &ada, &["ic"]).await;
    // Weekly from Monday 2026-11-02 09:00 UTC: Bob has the week of the 23rd (turn 3), Ada the
    // week from Monday the 30th (turn 4).
    let schedule = create(&owner, &weekly("IC rotation", &[&ada, &bob])).await;
    let role = id(&owner
        .post(
            ROLES,
            &json!({"slug": "incident_commander", "name": "Incident commander",
                "schedule_id": schedule, "required_skills": ["ic"], "backup_user_id": cy}),
        )
        .await
        .expect_status(201));

    // Bob is on call but lacks the skill: the backup steps in, and the answer says why.
    let before = staffing(&owner, &role, "2026-11-30T08:59:59Z").await;
    assert_eq!(before["user"]["id"], cy.as_str());
    assert_eq!(before["user"]["name"], "Cy");
    assert_eq!(
        before["reason"],
        json!({"kind": "backup", "because": {"kind": "not_qualified", "skipped": [
            {"user": bob, "because": {"kind": "missing_skills", "missing": ["ic"]}}]}})
    );
    assert_eq!(
        before["explanation"],
        "the role's backup, because nobody on call is qualified (Bob lacks ic)"
    );

    // After the handoff Ada is on call and qualified: she staffs it, with the rotation turn.
    let after = staffing(&owner, &role, "2026-11-30T09:00:00Z").await;
    assert_eq!(after["user"]["id"], ada.as_str());
    assert_eq!(after["reason"]["kind"], "on_call");
    assert_eq!(after["reason"]["skipped"], json!([]));
    let on_call = &after["reason"]["on_call"];
    assert_eq!(on_call["schedule_id"], schedule.as_str());
    assert_eq!(on_call["schedule_name"], "IC rotation");
    assert_eq!(on_call["reason"]["kind"], "layer");
    assert_eq!(on_call["reason"]["turn"]["number"], 4);
    assert_eq!(on_call["reason"]["turn"]["start"], "2026-11-30T09:00:00Z");

    // The on-call answer lists the role with the same staffing.
    let answer = owner
        .get("/api/v1/oncall?at=2026-11-30T09:00:00Z")
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["roles"], json!([after]));

    // A deactivated backup cannot step in: the role is unstaffed, and says why.
    owner
        .patch(
            &format!("/api/v1/users/{cy}"),
            &json!({"active": false}),
            None,
        )
        .await
        .expect_status(200);
    let unstaffed = staffing(&owner, &role, "2026-11-30T08:59:59Z").await;
    assert_eq!(unstaffed["user"], Value::Null);
    assert_eq!(unstaffed["reason"]["kind"], "unstaffed");
    assert_eq!(
        unstaffed["reason"]["backup"],
        json!({"kind": "deactivated", "user": cy})
    );
    assert_eq!(
        unstaffed["explanation"],
        "unstaffed: nobody on call is qualified (Bob lacks ic), and its backup Cy is deactivated"
    );

    // The schedule staffs a role: it cannot be deleted from under it.
    let refused = owner.delete(&format!("/api/v1/schedules/{schedule}")).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(
        refused.text.contains("Incident commander"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn a_policy_step_can_target_a_role_which_then_cannot_be_deleted() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let schedule = create(&owner, &weekly("Comms rotation", &[&ada])).await;
    let role = id(&owner
        .post(
            ROLES,
            &json!({"slug": "communications_lead", "name": "Communications lead",
                "schedule_id": schedule}),
        )
        .await
        .expect_status(201));
    let target = |role_id: &str| {
        json!({"name": "Major incident", "steps": [{"delay_minutes": 5,
            "targets": [{"kind": "role", "role_id": role_id}]}]})
    };
    let unknown = owner
        .post(
            "/api/v1/escalation-policies",
            &target(&uuid::Uuid::now_v7().to_string()),
        )
        .await;
    assert_problem(&unknown, 422, "/steps/0/targets/0");
    let policy = id(&owner
        .post("/api/v1/escalation-policies", &target(&role))
        .await
        .expect_status(201));
    let preview = owner
        .get(&format!(
            "/api/v1/escalation-policies/{policy}/preview?at=2026-11-28T00:00:00Z"
        ))
        .await
        .expect_status(200)
        .json();
    let paged = &preview["steps"][0]["users"][0];
    assert_eq!(paged["user_id"], ada.as_str());
    assert_eq!(
        paged["reason"],
        "staffs the role Communications lead: on call in schedule \"Comms rotation\" \
         (layer \"Primary\", rotation turn 3)"
    );

    let refused = owner.delete(&format!("{ROLES}/{role}")).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.json()["type"], "/problems/conflict");
    assert!(refused.text.contains("Major incident"), "{}", refused.text);
    owner
        .delete(&format!("/api/v1/escalation-policies/{policy}"))
        .await
        .expect_status(204);
    owner
        .delete(&format!("{ROLES}/{role}"))
        .await
        .expect_status(204);
}

#[tokio::test]
async fn observers_read_roles_and_only_managers_change_them() {
    let app = spawn_app().await;
    let body = json!({"slug": "scribe", "name": "Scribe"});
    let responder = app.user(OrgRole::Responder).await;
    let responder = app.with_token(&responder.token);
    responder.post(ROLES, &body).await.expect_status(403);
    let manager = app.user(OrgRole::Manager).await;
    let manager = app.with_token(&manager.token);
    let role = id(&manager.post(ROLES, &body).await.expect_status(201));
    let observer = app.user(OrgRole::Observer).await;
    let observer = app.with_token(&observer.token);
    observer.get(ROLES).await.expect_status(200);
    let unstaffed = staffing(&observer, &role, "2026-11-28T00:00:00Z").await;
    assert_eq!(unstaffed["user"], Value::Null);
    assert_eq!(
        unstaffed["reason"],
        json!({"kind": "unstaffed", "because": {"kind": "no_schedule"},
               "backup": {"kind": "no_backup"}})
    );
    observer
        .delete(&format!("{ROLES}/{role}"))
        .await
        .expect_status(403);
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    app.with_token(&stakeholder.token)
        .get(ROLES)
        .await
        .expect_status(403);
    app.anonymous().get(ROLES).await.expect_status(401);
}
