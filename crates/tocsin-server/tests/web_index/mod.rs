//! Helpers shared by the home page and incident list tests: teams owning services, alerts that
//! open incidents, and reading what the JSON API reports.
// Each test file uses some of these.
#![allow(dead_code)]

use serde_json::{Value, json};
use tocsin_testkit::{Client, TestApp};

/// The `id` of a created object.
pub fn id(object: &Value) -> String {
    object["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {object}"))
        .to_owned()
}

/// A new team named `name` with `members` (user ids) as responders; its id.
pub async fn team(owner: &Client, name: &str, members: &[&str]) -> String {
    let team = id(&owner
        .post("/api/v1/teams", &json!({ "name": name }))
        .await
        .expect_status(201)
        .json());
    for member in members {
        owner
            .put(
                &format!("/api/v1/teams/{team}/members/{member}"),
                &json!({"role": "responder"}),
            )
            .await
            .expect_status(200);
    }
    team
}

/// A new service named `name` owned by `team` (if any) with a generic integration key:
/// (service id, key secret).
pub async fn service(owner: &Client, name: &str, team: Option<&str>) -> (String, String) {
    let service = id(&owner
        .post(
            "/api/v1/services",
            &json!({ "name": name, "team_id": team }),
        )
        .await
        .expect_status(201)
        .json());
    let key = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({ "name": "generic", "kind": "generic" }),
        )
        .await
        .expect_status(201)
        .json();
    let secret = key["secret"].as_str().expect("a key secret").to_owned();
    (service, secret)
}

/// Sends an alert through the generic intake a second after the last; the id of the incident it
/// opened or joined. (Ids are time-ordered by the test clock, so moving it keeps "newest" true.)
pub async fn alert(app: &TestApp, secret: &str, summary: &str, severity: &str) -> String {
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{secret}/generic"),
            &json!({"summary": summary, "severity": severity, "dedup_key": summary}),
        )
        .await
        .expect_status(202);
    let alerts = app
        .owner()
        .get("/api/v1/alerts?limit=1")
        .await
        .expect_status(200)
        .json();
    alerts["items"][0]["incident_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the alert opened no incident: {alerts}"))
        .to_owned()
}

/// The incident as the JSON API reports it.
pub async fn incident(app: &TestApp, id: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/incidents/{id}"))
        .await
        .expect_status(200)
        .json()
}

/// The link the pages show for an incident (`<a href="/incidents/{id}">#{number} {title}`),
/// with the title as the page escapes it.
pub fn link(incident: &Value, escaped_title: &str) -> String {
    format!(
        "<a href=\"/incidents/{}\">#{} {escaped_title}</a>",
        id(incident),
        incident["number"]
    )
}

/// `<script>alert(1)</script>` as the pages escape it (askama writes numeric references).
pub const ESCAPED_SCRIPT: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

/// Asserts the page shows `<script>alert(1)</script>` only escaped.
#[track_caller]
pub fn assert_escaped(html: &str) {
    assert!(
        html.contains(ESCAPED_SCRIPT) || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"), "{html}");
}

/// Declares an incident on `service` through the API without paging; the incident.
pub async fn declare(owner: &Client, service: &str, title: &str) -> Value {
    owner
        .post(
            "/api/v1/incidents",
            &json!({"title": title, "service_id": service, "severity": "warning", "page": false}),
        )
        .await
        .expect_status(201)
        .json()
}
