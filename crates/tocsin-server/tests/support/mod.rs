//! Helpers shared by the intake tests that decide about alerts (orchestration, noise control).
use serde_json::Value;
use tocsin_domain::Clock;
use tocsin_testkit::TestApp;

/// A new service with a PagerDuty integration key: (service id, routing key).
pub async fn service_with_key(app: &TestApp, name: &str) -> (String, String) {
    let intake = app.intake(name, "pagerduty").await;
    (intake.service_id.to_string(), intake.secret)
}

/// Whether a line of the alert's explanation contains `needle`.
pub fn explains(alert: &Value, needle: &str) -> bool {
    alert["explanation"].as_array().is_some_and(|lines| {
        lines
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains(needle)))
    })
}

/// Runs the held worker's re-evaluation at the test clock's now; how many alerts now page.
pub async fn reevaluate(app: &TestApp) -> usize {
    tocsin_engine::held::reevaluate(&app.store, app.clock.now())
        .await
        .expect("re-evaluated")
}
