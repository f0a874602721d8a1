//! The alert pages: the list with filters, an alert's page with every decision explained and the
//! acknowledge / resolve forms, and silences created, previewed and expired through forms.
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{TestApp, TestIntake, spawn_app};

const HOSTILE: &str = "<script>alert(1)</script>";

/// Sends a firing alert through the generic intake; returns its id.
async fn fire(app: &TestApp, intake: &TestIntake, summary: &str, key: &str) -> String {
    let accepted = app
        .anonymous()
        .post(
            &format!("/api/v1/integrations/{}/generic", intake.secret),
            &json!({ "title": summary, "id": key, "status": "firing", "severity": "critical" }),
        )
        .await
        .expect_status(202)
        .json();
    accepted["alert_id"]
        .as_str()
        .expect("the alert has an id")
        .to_owned()
}

async fn api_alert(app: &TestApp, id: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/alerts/{id}"))
        .await
        .expect_status(200)
        .json()
}

async fn api_silences(app: &TestApp) -> Vec<Value> {
    app.owner()
        .get("/api/v1/silences")
        .await
        .expect_status(200)
        .json()["items"]
        .as_array()
        .expect("a list of silences")
        .clone()
}

/// The text as askama writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn assert_escaped(html: &str) {
    assert!(!html.contains(HOSTILE), "raw script tag in the page");
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
        "the hostile text is not shown escaped"
    );
}

#[tokio::test]
async fn the_list_shows_alerts_escaped_and_filters_them() {
    let app = spawn_app().await;
    let intake = app.intake("Payments", "generic").await;
    let id = fire(&app, &intake, &format!("{HOSTILE} disk full"), "disk-1").await;
    let browser = app.browser(OrgRole::Responder).await;

    let html = browser.page("/alerts").await;
    assert_escaped(&html);
    assert!(html.contains(&format!("/alerts/{id}")));
    assert!(html.contains("badge triggered"));
    assert!(html.contains("Payments"));
    let incident = api_alert(&app, &id).await["incident_id"]
        .as_str()
        .expect("the alert opened an incident")
        .to_owned();
    assert!(html.contains(&format!("/incidents/{incident}")));

    let resolved = browser.page("/alerts?state=resolved&service_id=").await;
    assert!(!resolved.contains(&format!("/alerts/{id}")));
    assert!(resolved.contains("class=\"empty\""));
    let by_service = browser
        .page(&format!("/alerts?service_id={}", intake.service_id))
        .await;
    assert!(by_service.contains(&format!("/alerts/{id}")));

    let bad = browser.client.get("/alerts?service_id=nope").await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("service_id"));
}

#[tokio::test]
async fn an_alert_page_explains_every_decision_and_shows_the_raw_payload() {
    let app = spawn_app().await;
    let intake = app.intake("Search", "generic").await;
    let id = fire(&app, &intake, &format!("{HOSTILE} slow queries"), "slow-1").await;
    let browser = app.browser(OrgRole::Responder).await;

    let html = browser.page(&format!("/alerts/{id}")).await;
    assert_escaped(&html);
    let explanation = api_alert(&app, &id).await["explanation"]
        .as_array()
        .expect("an explanation")
        .clone();
    assert!(!explanation.is_empty());
    for line in explanation {
        let line = line.as_str().expect("a line");
        assert!(html.contains(&escaped(line)), "missing decision: {line}");
    }
    assert!(html.contains("<details>"));
    assert!(html.contains("Raw payload"));
    assert!(html.contains("Acknowledge alert"));

    let missing = browser.client.get("/alerts/not-an-id").await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn responders_acknowledge_and_resolve_through_the_forms() {
    let app = spawn_app().await;
    let intake = app.intake("Checkout", "generic").await;
    let id = fire(&app, &intake, "queue backlog", "queue-1").await;
    let browser = app.browser(OrgRole::Responder).await;

    let acked = browser
        .submit(&format!("/alerts/{id}/acknowledge"), &[])
        .await;
    assert_eq!(acked.status, 303);
    assert_eq!(
        acked.header("location"),
        Some(format!("/alerts/{id}").as_str())
    );
    assert_eq!(api_alert(&app, &id).await["state"], "acknowledged");

    let resolved = browser.submit(&format!("/alerts/{id}/resolve"), &[]).await;
    assert_eq!(resolved.status, 303);
    assert_eq!(api_alert(&app, &id).await["state"], "resolved");
    let html = browser.page(&format!("/alerts/{id}")).await;
    assert!(
        !html.contains("Resolve alert"),
        "a resolved alert offers no actions"
    );
}

#[tokio::test]
async fn observers_get_no_forms_and_are_refused_on_post() {
    let app = spawn_app().await;
    let intake = app.intake("Ledger", "generic").await;
    let id = fire(&app, &intake, "ledger lag", "lag-1").await;
    let observer = app.browser(OrgRole::Observer).await;

    let html = observer.page(&format!("/alerts/{id}")).await;
    assert!(!html.contains("Acknowledge alert"));
    assert!(!html.contains("Resolve alert"));
    let refused = observer
        .submit(&format!("/alerts/{id}/acknowledge"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("Not allowed"));
    assert_eq!(api_alert(&app, &id).await["state"], "triggered");

    let silences = observer.page("/alerts/silences").await;
    assert!(!silences.contains("Create silence"));
    let refused = observer
        .submit(
            "/alerts/silences",
            &[
                ("matchers", "dedup_key=lag-1"),
                ("comment", "observer"),
                ("intent", "create"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(api_silences(&app).await.is_empty());
}

#[tokio::test]
async fn a_preview_lists_the_firing_alerts_a_silence_would_match_and_creates_nothing() {
    let app = spawn_app().await;
    let intake = app.intake("Storage", "generic").await;
    fire(&app, &intake, "disk almost full", "disk-7").await;
    fire(&app, &intake, "inode pressure", "inode-7").await;
    let browser = app.browser(OrgRole::Responder).await;

    let preview = browser
        .submit(
            "/alerts/silences",
            &[
                ("matchers", "dedup_key=disk-7\nseverity!=info"),
                ("starts_at", ""),
                ("ends_at", ""),
                ("comment", "disk swap"),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert!(preview.text.contains("disk almost full"));
    assert!(!preview.text.contains("inode pressure"));
    assert!(
        preview.text.contains("disk swap"),
        "the form keeps what was typed"
    );
    assert!(
        api_silences(&app).await.is_empty(),
        "a preview creates nothing"
    );

    let bad = browser
        .submit(
            "/alerts/silences",
            &[("matchers", "dedup_key=~("), ("intent", "preview")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("matchers"));
}

#[tokio::test]
async fn silences_are_created_and_expired_through_the_forms() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let comment = format!("{HOSTILE} database upgrade");

    let created = browser
        .submit(
            "/alerts/silences",
            &[
                ("matchers", "service=db"),
                ("starts_at", ""),
                ("ends_at", "2026-11-27T18:00"),
                ("comment", comment.as_str()),
                ("intent", "create"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert_eq!(created.header("location"), Some("/alerts/silences"));
    let silences = api_silences(&app).await;
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0]["status"]["state"], "active");
    assert_eq!(silences[0]["endsAt"], "2026-11-27T18:00:00Z");
    assert_eq!(silences[0]["comment"], comment);

    let html = browser.page("/alerts/silences").await;
    assert_escaped(&html);
    assert!(html.contains("service=db"));
    assert!(html.contains("Expire silence"));

    let id = silences[0]["id"].as_str().expect("an id");
    let expired = browser
        .submit(&format!("/alerts/silences/{id}/expire"), &[])
        .await;
    assert_eq!(expired.status, 303);
    assert_eq!(api_silences(&app).await[0]["status"]["state"], "expired");

    let bad = browser
        .submit(
            "/alerts/silences",
            &[
                ("matchers", "service=db"),
                ("ends_at", "next tuesday"),
                ("comment", "x"),
                ("intent", "create"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("ends_at"));
}
