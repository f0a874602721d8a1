//! The resolve contract across a reopen: each resolution of an incident is told once to everyone
//! paged for it, the second one too, and running the contract again for the same resolution
//! queues nothing.
use serde_json::json;
use tocsin_domain::Clock;
use tocsin_domain::id::IncidentId;
use tocsin_store::outbox;
use tocsin_testkit::scenario::{Person, Scenario};

/// Runs the resolve contract again for the incident's current resolution; answers how many
/// notices it newly queued.
async fn resolve_contract_again(scenario: &Scenario, incident: IncidentId) -> usize {
    let at = scenario.app.clock.now();
    scenario
        .app
        .store
        .write(move |tx| {
            Box::pin(async move { outbox::enqueue_resolution_notices(tx, incident, at).await })
        })
        .await
        .expect("the resolve contract ran")
}

async fn resolve(scenario: &Scenario, person: &Person, incident: IncidentId) {
    scenario
        .app
        .with_token(&person.user.token)
        .post(
            &format!("/api/v1/incidents/{}/resolve", incident.0),
            &json!({}),
        )
        .await
        .expect_status(200);
    scenario.settle().await;
}

#[tokio::test]
async fn a_reopened_incident_s_second_resolution_reaches_everyone_paged_once() {
    let scenario = Scenario::start().await;
    let ada = scenario.person("ada").await;
    let step = json!({ "delay_minutes": 5, "targets": [{ "kind": "user", "user_id": ada.id() }] });
    let policy = scenario.policy("ada", json!([step]), json!({})).await;
    let service = scenario.service("ledger", Some(&policy)).await;
    scenario
        .app
        .owner()
        .put(
            &format!("/api/v1/services/{}/incident-lifecycle", service.service_id),
            &json!({ "reopen_window_seconds": 600 }),
        )
        .await
        .expect_status(200);

    let incident = scenario.trigger(&service, "ledger is down").await;
    scenario.settle().await;
    scenario.expect(&ada, "notification.page");
    resolve(&scenario, &ada, incident).await;
    scenario.expect(&ada, "notification.resolved");
    assert_eq!(resolve_contract_again(&scenario, incident).await, 0);

    // Re-triggered a minute later, within the reopen window: the same incident reopens.
    scenario.advance(1).await;
    let reopened = scenario.trigger(&service, "ledger is down").await;
    assert_eq!(reopened, incident, "the re-trigger reopened the incident");
    scenario.settle().await;
    // Triggered again, it pages again from the top of its policy (a new cycle: fresh keys).
    let again = scenario.expect(&ada, "notification.page");
    assert_eq!(again["data"]["incident"]["status"], "triggered");
    scenario.expect_nothing_more();

    resolve(&scenario, &ada, incident).await;
    let second = scenario.expect(&ada, "notification.resolved");
    assert_eq!(second["data"]["incident"]["status"], "resolved");
    let view = second["data"]["links"]["view"].as_str().unwrap_or_default();
    assert!(
        view.ends_with(&format!("/api/v1/incidents/{}", incident.0)),
        "{second}"
    );
    assert!(
        second["data"]["links"]["acknowledge"].is_null(),
        "a notice acts on nothing"
    );
    assert_eq!(
        resolve_contract_again(&scenario, incident).await,
        0,
        "the second resolution is told once"
    );
    scenario.finish();
}
