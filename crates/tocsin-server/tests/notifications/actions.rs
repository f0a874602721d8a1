//! Action links: a GET only shows a form, the POST acts once as the person paged, a second use is
//! 410, a tampered token 404, one sent to a person deactivated since 403 (and not used up).
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::spawn_app;

use super::support::*;

#[tokio::test]
async fn an_action_link_acknowledges_once_and_a_get_never_acts() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    let (responder, incident, body) = page_a_responder(&app, &sink, "payments").await;
    let acknowledge = link_path(&body, "acknowledge");
    let html = [("accept", "text/html")];

    let anonymous = app.anonymous();
    let shown = anonymous
        .send(reqwest::Method::GET, &acknowledge, None, &html)
        .await
        .expect_status(200);
    assert!(
        shown.text.contains("<form method=\"post\""),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("payments is down"));
    let status = |app: &tocsin_testkit::TestApp| {
        let client = app.owner();
        let path = format!("/api/v1/incidents/{}", incident.0);
        async move { client.get(&path).await.json()["status"].clone() }
    };
    assert_eq!(status(&app).await, "triggered", "a GET never acts");

    let done = anonymous
        .post(&acknowledge, &serde_json::json!({}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(done["action"], "acknowledge");
    assert_eq!(done["incident"]["status"], "acknowledged");
    let events = timeline(&app, incident).await;
    let acked = events
        .iter()
        .find(|e| e["kind"] == "incident.acknowledged")
        .expect("acknowledged");
    assert_eq!(acked["actor"], format!("user:{}", responder.user.id));

    let again = anonymous
        .post(&acknowledge, &serde_json::json!({}))
        .await
        .expect_status(410);
    assert_eq!(again.json()["type"], "/problems/gone");
    let page = anonymous
        .send(reqwest::Method::POST, &acknowledge, None, &html)
        .await
        .expect_status(410);
    assert!(page.text.contains("already used"), "{}", page.text);

    // One character changed in the signature: not found, and nothing happens.
    let resolve = link_path(&body, "resolve");
    let mut tampered = resolve.clone();
    let last = tampered.pop().expect("a token");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    anonymous
        .post(&tampered, &serde_json::json!({}))
        .await
        .expect_status(404);
    anonymous
        .get("/api/v1/actions/not-a-token")
        .await
        .expect_status(404);
    assert_eq!(status(&app).await, "acknowledged");

    // An expired link is gone.
    advance(&app, 25 * 3600);
    anonymous
        .post(&resolve, &serde_json::json!({}))
        .await
        .expect_status(410);
    assert_eq!(status(&app).await, "acknowledged");
    app.shutdown().await;
}

#[tokio::test]
async fn a_link_sent_to_a_person_deactivated_since_is_refused_and_stays_unused() {
    let app = spawn_app().await;
    let sink = WebhookSink::start().await;
    let (responder, incident, body) = page_a_responder(&app, &sink, "ledger").await;
    let acknowledge = link_path(&body, "acknowledge");
    let user_path = format!("/api/v1/users/{}", responder.user.id.0);
    let owner = app.owner();
    let deactivate = |active: bool| {
        let owner = owner.clone();
        let path = user_path.clone();
        async move {
            owner
                .patch(&path, &serde_json::json!({ "active": active }), None)
                .await
                .expect_status(200);
        }
    };
    deactivate(false).await;

    let anonymous = app.anonymous();
    let refused = anonymous
        .post(&acknowledge, &serde_json::json!({}))
        .await
        .expect_status(403);
    assert_eq!(refused.json()["type"], "/problems/forbidden");
    let incident_path = format!("/api/v1/incidents/{}", incident.0);
    let status = owner.get(&incident_path).await.json()["status"].clone();
    assert_eq!(status, "triggered", "a refused link does nothing");

    // The link was not consumed: once the person is active again, it works.
    deactivate(true).await;
    let done = anonymous
        .post(&acknowledge, &serde_json::json!({}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(done["incident"]["status"], "acknowledged");
    app.shutdown().await;
}
