//! Incident ownership over HTTP: the owner decided by the organisation's ownership rules (the most
//! upstream affected service, the most critical tier), re-decided when the affected services
//! change, disputes only the commander settles, handoffs with their note in the history and on
//! the timeline, the owner kept after a settlement or handoff, and bad input named by field.
mod lifecycle;

use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, TestApp, spawn_app};

const INCIDENTS: &str = "/api/v1/incidents";
const POLICY: &str = "/api/v1/incident-ownership-policy";

/// The shop: checkout (web team, tier 2) and payments (pay team, tier 1) both depend on
/// checkout-db (db team, tier 3); the security operations team owns nothing.
struct Shop {
    web: String,
    pay: String,
    db: String,
    secops: String,
    checkout: String,
    payments: String,
    checkout_db: String,
}

fn id(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {value}"))
        .to_owned()
}

async fn created(client: &Client, path: &str, body: Value) -> String {
    id(&client.post(path, &body).await.expect_status(201).json())
}

async fn shop(app: &TestApp) -> Shop {
    let owner = app.owner();
    let mut teams = Vec::new();
    for name in ["web", "pay", "db", "secops"] {
        teams.push(created(&owner, "/api/v1/teams", json!({"name": name})).await);
    }
    let service = |name: &str, team: &str, tier: i64, depends_on: Vec<String>| json!({"name": name, "team_id": team, "tier": tier, "depends_on": depends_on});
    let checkout_db = created(
        &owner,
        "/api/v1/services",
        service("checkout-db", &teams[2], 3, vec![]),
    )
    .await;
    let checkout = created(
        &owner,
        "/api/v1/services",
        service("checkout", &teams[0], 2, vec![checkout_db.clone()]),
    )
    .await;
    let payments = created(
        &owner,
        "/api/v1/services",
        service("payments", &teams[1], 1, vec![checkout_db.clone()]),
    )
    .await;
    Shop {
        web: teams[0].clone(),
        pay: teams[1].clone(),
        db: teams[2].clone(),
        secops: teams[3].clone(),
        checkout,
        payments,
        checkout_db,
    }
}

async fn put_policy(app: &TestApp, rules: Value) {
    app.owner()
        .put(POLICY, &json!({ "rules": rules }))
        .await
        .expect_status(200);
}

async fn declare(client: &Client, service: &str, affected: &[&str]) -> String {
    let body = json!({"title": "Checkout failing", "service_id": service, "page": false,
                      "affected_service_ids": affected});
    created(client, INCIDENTS, body).await
}

async fn ownership(client: &Client, id: &str) -> Value {
    client
        .get(&format!("{INCIDENTS}/{id}/ownership"))
        .await
        .expect_status(200)
        .json()
}

async fn set_affected(client: &Client, id: &str, affected: &[&str]) {
    client
        .patch(
            &format!("{INCIDENTS}/{id}"),
            &json!({ "affected_service_ids": affected }),
            None,
        )
        .await
        .expect_status(200);
}

/// The timeline events of `kind`, oldest first.
async fn events(client: &Client, id: &str, kind: &str) -> Vec<Value> {
    let page = client
        .get(&format!("{INCIDENTS}/{id}/events?limit=200"))
        .await
        .expect_status(200)
        .json();
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == kind)
        .cloned()
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
async fn the_rules_choose_the_owner_and_re_decide_it_when_the_affected_services_change() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let client = app.owner();
    let policy = client.get(POLICY).await.expect_status(200).json();
    assert_eq!(policy["version"], 0);
    assert_eq!(
        policy["policy"]["rules"],
        json!([{"rule": "primary_service"}])
    );
    put_policy(
        &app,
        json!([{"rule": "most_upstream_service"}, {"rule": "primary_service"}]),
    )
    .await;

    let incident = declare(
        &client,
        &shop.checkout,
        &[&shop.checkout_db, &shop.payments],
    )
    .await;
    let owned = ownership(&client, &incident).await;
    assert_eq!(owned["owner"]["id"], shop.db.as_str(), "{owned}");
    assert_eq!(owned["owner"]["name"], "db");
    assert_eq!(owned["decided_by"], "rule");
    assert_eq!(owned["rule"], "most_upstream_service");
    let reason =
        "checkout-db is the most upstream affected service: checkout and payments depend on it";
    assert_eq!(owned["reason"], reason);
    let mut candidates: Vec<&str> = owned["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    candidates.sort_unstable();
    let mut expected = vec![shop.web.as_str(), shop.pay.as_str(), shop.db.as_str()];
    expected.sort_unstable();
    assert_eq!(candidates, expected);
    let set = events(&client, &incident, "incident.owner_set").await;
    assert_eq!(set.len(), 1);
    assert_eq!(set[0]["payload"]["team_id"], shop.db.as_str());
    assert_eq!(set[0]["payload"]["reason"], reason);

    // The policy changes; the next decision (the affected services change) follows it.
    put_policy(&app, json!([{"rule": "most_critical_tier"}])).await;
    assert_eq!(
        ownership(&client, &incident).await["owner"]["id"],
        shop.db.as_str(),
        "a policy change alone re-decides nothing"
    );
    set_affected(&client, &incident, &[&shop.payments]).await;
    let owned = ownership(&client, &incident).await;
    assert_eq!(owned["owner"]["id"], shop.pay.as_str(), "{owned}");
    assert_eq!(owned["rule"], "most_critical_tier");
    assert_eq!(
        owned["reason"],
        "payments is the most critical affected service (tier 1)"
    );
    let set = events(&client, &incident, "incident.owner_set").await;
    assert_eq!(set.len(), 2);
    assert_eq!(set[1]["payload"]["from_team_id"], shop.db.as_str());
    assert_eq!(set[1]["payload"]["team_id"], shop.pay.as_str());
    // The same owner again: no new entry.
    set_affected(&client, &incident, &[&shop.payments, &shop.checkout_db]).await;
    assert_eq!(
        events(&client, &incident, "incident.owner_set").await.len(),
        2
    );

    // An incident opened from an alert is its service's team's until re-decided.
    let key = client
        .post(
            &format!("/api/v1/services/{}/integration-keys", shop.checkout),
            &json!({"name": "pd", "kind": "pagerduty"}),
        )
        .await
        .expect_status(201)
        .json();
    let secret = key["secret"].as_str().expect("secret");
    lifecycle::send(&app, secret, "trigger", "checkout-5xx").await;
    let opened = id(&lifecycle::incident_of(&app, &shop.checkout, "checkout-5xx").await);
    let owned = ownership(&client, &opened).await;
    assert_eq!(owned["owner"]["id"], shop.web.as_str(), "{owned}");
    assert_eq!(owned["reason"], "checkout is the incident's own service");
    assert_eq!(owned["set_by"], Value::Null);
    app.shutdown().await;
}

#[tokio::test]
async fn the_commander_settles_a_dispute_and_the_settled_owner_is_kept() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let owner = app.owner();
    let responder = app.user(OrgRole::Responder).await;
    let commander = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let incident = declare(&owner, &shop.checkout, &[&shop.checkout_db]).await;
    assert_eq!(
        ownership(&client, &incident).await["owner"]["id"],
        shop.web.as_str()
    );
    let disputes = format!("{INCIDENTS}/{incident}/ownership-disputes");

    let raised = client
        .post(
            &disputes,
            &json!({"claimed_owner_team_id": shop.db, "reason": "  the database is the cause  "}),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(raised["status"], "open");
    assert_eq!(raised["reason"], "the database is the cause");
    assert_eq!(raised["claimed_owner"]["name"], "db");
    let disputed = events(&client, &incident, "incident.ownership_disputed").await;
    assert_eq!(disputed.len(), 1);
    assert_eq!(
        disputed[0]["payload"]["claimed_owner_team_id"],
        shop.db.as_str()
    );
    assert_eq!(disputed[0]["actor"], format!("user:{}", responder.user.id));

    // With nobody commanding, an admin may settle; once someone commands, only they may.
    owner
        .put(
            &format!("{INCIDENTS}/{incident}/roles/incident_commander"),
            &json!({"user_id": commander.user.id}),
        )
        .await
        .expect_status(200);
    let settlement = format!("{disputes}/{}/settlement", id(&raised));
    let body = json!({"owner_team_id": shop.db, "note": "db team leads, web assists"});
    for refused in [&client, &owner] {
        let problem = refused
            .post(&settlement, &body)
            .await
            .expect_status(403)
            .json();
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("only the incident commander")),
            "{problem}"
        );
    }
    assert_eq!(
        ownership(&client, &incident).await["owner"]["id"],
        shop.web.as_str(),
        "a refused settlement changes nothing"
    );
    let commanding = app.with_token(&commander.token);
    let owned = commanding
        .post(&settlement, &body)
        .await
        .expect_status(200)
        .json();
    assert_eq!(owned["owner"]["id"], shop.db.as_str(), "{owned}");
    assert_eq!(owned["decided_by"], "settlement");
    assert_eq!(owned["disputes"][0]["status"], "settled");
    assert_eq!(
        owned["disputes"][0]["settlement_note"],
        "db team leads, web assists"
    );
    let settled = events(&client, &incident, "incident.ownership_settled").await;
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0]["payload"]["owner_team_id"], shop.db.as_str());
    assert_eq!(
        events(&client, &incident, "incident.owner_set").await.len(),
        2,
        "declared (web), then settled (db)"
    );
    let again = commanding
        .post(&settlement, &body)
        .await
        .expect_status(409)
        .json();
    assert!(
        again["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already settled"))
    );

    // The rules would now pick checkout's team; the settlement stands.
    set_affected(&owner, &incident, &[]).await;
    let owned = ownership(&client, &incident).await;
    assert_eq!(owned["owner"]["id"], shop.db.as_str());
    assert_eq!(owned["decided_by"], "settlement");

    // Bad input: every field named.
    let problem = client
        .post(
            &disputes,
            &json!({"claimed_owner_team_id": uuid::Uuid::now_v7(), "reason": " "}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/reason"]);
    let problem = client
        .post(
            &disputes,
            &json!({"claimed_owner_team_id": uuid::Uuid::now_v7(), "reason": "ours"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/claimed_owner_team_id"]);
    let unknown = format!("{disputes}/{}/settlement", uuid::Uuid::now_v7());
    commanding.post(&unknown, &body).await.expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn a_handoff_keeps_its_note_in_the_history_and_the_owner_through_later_changes() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let owner = app.owner();
    let responder = app.user(OrgRole::Responder).await;
    let client = app.with_token(&responder.token);
    let incident = declare(&owner, &shop.checkout, &[]).await;
    let handoffs = format!("{INCIDENTS}/{incident}/handoffs");
    let note = "malware on the checkout hosts: SecOps takes over; web keeps the hosts isolated";

    let owned = client
        .post(&handoffs, &json!({"to_team_id": shop.secops, "note": note}))
        .await
        .expect_status(201)
        .json();
    assert_eq!(owned["owner"]["id"], shop.secops.as_str(), "{owned}");
    assert_eq!(owned["owner"]["name"], "secops");
    assert_eq!(owned["decided_by"], "handoff");
    assert_eq!(owned["handoffs"][0]["from"]["id"], shop.web.as_str());
    assert_eq!(owned["handoffs"][0]["to"]["id"], shop.secops.as_str());
    assert_eq!(owned["handoffs"][0]["note"], note);
    assert_eq!(
        owned["handoffs"][0]["handed_by"],
        format!("user:{}", responder.user.id)
    );
    let handed = events(&client, &incident, "incident.handed_off").await;
    assert_eq!(handed.len(), 1);
    assert_eq!(handed[0]["payload"]["note"], note);
    assert_eq!(handed[0]["payload"]["from_team_id"], shop.web.as_str());
    assert_eq!(handed[0]["payload"]["to_team_id"], shop.secops.as_str());

    // Handed on again: the history keeps both, oldest first.
    client
        .post(
            &handoffs,
            &json!({"to_team_id": shop.db, "note": "hosts clean; the data needs checking"}),
        )
        .await
        .expect_status(201);

    // The rules would pick payments' team; the handoff stands.
    put_policy(&app, json!([{"rule": "most_critical_tier"}])).await;
    set_affected(&owner, &incident, &[&shop.payments]).await;
    let owned = ownership(&client, &incident).await;
    assert_eq!(owned["owner"]["id"], shop.db.as_str(), "{owned}");
    assert_eq!(owned["decided_by"], "handoff");
    let history: Vec<(&str, &str)> = owned["handoffs"]
        .as_array()
        .expect("handoffs")
        .iter()
        .map(|h| {
            (
                h["from"]["name"].as_str().unwrap_or_default(),
                h["to"]["name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(history, [("web", "secops"), ("secops", "db")]);

    // To the current owner: 409 naming the field; unknown team and missing note: 422, both named.
    let problem = client
        .post(&handoffs, &json!({"to_team_id": shop.db, "note": "again"}))
        .await
        .expect_status(409)
        .json();
    assert_eq!(pointers(&problem), ["/to_team_id"]);
    let problem = client
        .post(
            &handoffs,
            &json!({"to_team_id": uuid::Uuid::now_v7(), "note": ""}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/to_team_id", "/note"]);
    assert_eq!(
        ownership(&client, &incident).await["handoffs"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_policy_naming_unknown_teams_or_a_rule_twice_is_refused_by_field() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let owner = app.owner();
    let problem = owner
        .put(
            POLICY,
            &json!({"rules": [
                {"rule": "team_priority", "team_ids": [shop.secops, uuid::Uuid::now_v7()]},
            ]}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/rules/0/team_ids/1"]);
    let problem = owner
        .put(
            POLICY,
            &json!({"rules": [{"rule": "primary_service"}, {"rule": "primary_service"}]}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(pointers(&problem), ["/rules/1"]);
    owner
        .put(POLICY, &json!({"rules": [{"rule": "biggest_team"}]}))
        .await
        .expect_status(422);

    // A team priority decides among the affected teams.
    put_policy(
        &app,
        json!([{"rule": "team_priority", "team_ids": [shop.secops, shop.pay]}]),
    )
    .await;
    let incident = declare(&owner, &shop.checkout, &[&shop.payments]).await;
    let owned = ownership(&owner, &incident).await;
    assert_eq!(owned["owner"]["id"], shop.pay.as_str(), "{owned}");
    assert_eq!(
        owned["reason"],
        "pay comes first in the team priority among the affected teams"
    );
    let stale = owner
        .json(
            reqwest::Method::PUT,
            POLICY,
            &json!({"rules": []}),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(stale.status, 412);
    app.shutdown().await;
}
