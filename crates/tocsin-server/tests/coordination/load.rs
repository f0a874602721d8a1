//! Responder load over HTTP: the people on an incident and the team owning its service, with
//! their other open incidents; restricted ones the caller may not see are counted, not named.
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, spawn_app};

use crate::{INCIDENTS, declare};

async fn create(client: &Client, path: &str, body: Value) -> String {
    let created = client.post(path, &body).await.expect_status(201).json();
    created["id"].as_str().expect("id").to_owned()
}

fn person<'a>(load: &'a Value, user: &str) -> &'a Value {
    load["people"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["user_id"] == user)
        .unwrap_or_else(|| panic!("{user} not in {load}"))
}

fn numbers(engagement: &Value) -> Vec<i64> {
    engagement["incidents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["number"].as_i64().unwrap_or_default())
        .collect()
}

async fn number_of(client: &Client, id: &str) -> i64 {
    let incident = client
        .get(&format!("{INCIDENTS}/{id}"))
        .await
        .expect_status(200)
        .json();
    incident["number"].as_i64().expect("number")
}

#[tokio::test]
async fn load_lists_other_open_incidents_of_people_and_team_and_counts_hidden_ones() {
    let app = spawn_app().await;
    let owner = app.owner();
    let team = create(&owner, "/api/v1/teams", json!({"name": "Core"})).await;
    let api = create(
        &owner,
        "/api/v1/services",
        json!({"name": "api", "team_id": team}),
    )
    .await;
    let db = create(
        &owner,
        "/api/v1/services",
        json!({"name": "db", "team_id": team}),
    )
    .await;
    let loose = create(&owner, "/api/v1/services", json!({"name": "loose"})).await;
    let ada = app.user(OrgRole::Responder).await;
    let bea = app.user(OrgRole::Responder).await;
    let (ada_id, bea_id) = (ada.user.id.to_string(), bea.user.id.to_string());

    let here = declare(&owner, &api, "API errors").await;
    let replica = declare(&owner, &db, "Replica lag").await;
    let hr_case = create(
        &owner,
        INCIDENTS,
        json!({"title": "Misconduct", "service_id": db, "incident_type": "hr", "page": false}),
    )
    .await;
    let elsewhere = declare(&owner, &loose, "Loose ends").await;
    let resolved = declare(&owner, &api, "Old outage").await;

    owner
        .put(
            &format!("{INCIDENTS}/{here}/roles/incident_commander"),
            &json!({"user_id": ada_id}),
        )
        .await
        .expect_status(200);
    owner
        .post(
            &format!("{INCIDENTS}/{here}/participants"),
            &json!({"user_id": bea_id}),
        )
        .await
        .expect_status(200);
    // Ada: a task on the replica incident, a role on the HR case, a task on a resolved one.
    create(
        &owner,
        &format!("{INCIDENTS}/{replica}/tasks"),
        json!({"title": "promote replica", "owner_user_id": ada_id}),
    )
    .await;
    owner
        .put(
            &format!("{INCIDENTS}/{hr_case}/roles/liaison"),
            &json!({"user_id": ada_id}),
        )
        .await
        .expect_status(200);
    create(
        &owner,
        &format!("{INCIDENTS}/{resolved}/tasks"),
        json!({"title": "postmortem", "owner_user_id": ada_id}),
    )
    .await;
    owner
        .post(&format!("{INCIDENTS}/{resolved}/resolve"), &json!({}))
        .await
        .expect_status(200);
    // Bea: a participant elsewhere.
    owner
        .post(
            &format!("{INCIDENTS}/{elsewhere}/participants"),
            &json!({"user_id": bea_id}),
        )
        .await
        .expect_status(200);

    let observer = app.user(OrgRole::Observer).await;
    let observer_client = app.with_token(&observer.token);
    let load = observer_client
        .get(&format!("{INCIDENTS}/{here}/load"))
        .await
        .expect_status(200)
        .json();
    let replica_number = number_of(&owner, &replica).await;
    let elsewhere_number = number_of(&owner, &elsewhere).await;

    let ada_load = person(&load, &ada_id);
    assert_eq!(ada_load["open_incidents"], 2, "{ada_load}");
    assert_eq!(numbers(ada_load), [replica_number]);
    assert_eq!(ada_load["hidden_incidents"], 1);
    assert!(!load.to_string().contains("Misconduct"), "{load}");
    let bea_load = person(&load, &bea_id);
    assert_eq!(bea_load["open_incidents"], 1);
    assert_eq!(numbers(bea_load), [elsewhere_number]);

    let teams = load["teams"].as_array().cloned().unwrap_or_default();
    assert_eq!(teams.len(), 1, "{load}");
    assert_eq!(teams[0]["team_id"], team.as_str());
    assert_eq!(
        teams[0]["open_incidents"], 2,
        "the resolved one is not counted"
    );
    assert_eq!(numbers(&teams[0]), [replica_number]);
    assert_eq!(teams[0]["hidden_incidents"], 1);

    // Ada sees the HR case she holds a role on: it is named for her.
    let own = app
        .with_token(&ada.token)
        .get(&format!("{INCIDENTS}/{here}/load"))
        .await
        .expect_status(200)
        .json();
    let hr_number = number_of(&owner, &hr_case).await;
    assert_eq!(numbers(person(&own, &ada_id)), [replica_number, hr_number]);
    assert_eq!(person(&own, &ada_id)["hidden_incidents"], 0);

    // Who may read it.
    app.anonymous()
        .get(&format!("{INCIDENTS}/{here}/load"))
        .await
        .expect_status(401);
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    app.with_token(&stakeholder.token)
        .get(&format!("{INCIDENTS}/{here}/load"))
        .await
        .expect_status(403);
}
