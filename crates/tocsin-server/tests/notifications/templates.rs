//! Edited templates: reading shows the default until one is stored, a preview renders a sample or
//! names the field and line at fault, and the worker renders with the stored template.
use serde_json::json;
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::spawn_app;

use super::support::*;

const PATH: &str = "/api/v1/notification-templates/page/webhook";

#[tokio::test]
async fn a_stored_template_is_previewed_then_used_by_the_worker() {
    let app = spawn_app().await;
    let owner = app.owner();
    let default = owner.get(PATH).await.expect_status(200).json();
    assert_eq!(default["custom"], false);
    assert!(default["text"].as_str().is_some_and(|t| !t.is_empty()));
    owner
        .get("/api/v1/notification-templates/page/pigeon")
        .await
        .expect_status(404);

    let text = "PAGE #{{ incident.number }}: {{ incident.title }}";
    let preview = owner
        .post(
            "/api/v1/notification-templates/preview",
            &json!({"kind": "page", "channel": "webhook", "text": text}),
        )
        .await
        .expect_status(200)
        .json();
    assert!(
        preview["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("PAGE #")),
        "{preview}"
    );
    let broken = owner
        .post(
            "/api/v1/notification-templates/preview",
            &json!({"kind": "page", "channel": "webhook", "text": "fine\n{% if %}"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(broken["errors"][0]["pointer"], "/text", "{broken}");
    assert!(
        broken["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("line 2")),
        "{broken}"
    );
    owner
        .put(
            PATH,
            &json!({"text": text, "subject": "no subject on webhooks"}),
        )
        .await
        .expect_status(422);

    let stored = owner
        .put(PATH, &json!({"text": text}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(stored["custom"], true);
    assert_eq!(stored["version"], 1);

    let sink = WebhookSink::start().await;
    let incident = open_incident(&app, "catalog").await;
    assert!(enqueue(&app, webhook_page(incident, None, &sink.url("/hook"))).await);
    run(&worker(&app)).await;
    let body = sink.requests()[0].json();
    assert_eq!(body["data"]["text"], "PAGE #1: catalog is down");

    owner.delete(PATH).await.expect_status(204);
    assert_eq!(owner.get(PATH).await.json()["custom"], false);
    app.shutdown().await;
}
