//! Who may and who may not use each classification and priority route: 401 anonymous, 403 below
//! the role (observers read, responders change an incident's impact, priority and
//! classification, admins the policy and the taxonomy, managers and the service's team
//! managers raise a temporary P1).
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;

use super::*;

#[tokio::test]
async fn every_route_says_who_may_and_who_may_not() {
    let app = spawn_app().await;
    let (service, key) = service(&app, "api", 3, None).await;
    let id = trigger(&app, &service, &key, "api errors", "error").await;
    let anonymous = app.anonymous();
    let stakeholder = app.with_token(&app.user(OrgRole::Stakeholder).await.token);
    let observer = app.with_token(&app.user(OrgRole::Observer).await.token);
    let responder = app.with_token(&app.user(OrgRole::Responder).await.token);
    let manager = app.with_token(&app.user(OrgRole::Manager).await.token);
    let reads = [
        "/api/v1/priority-policy".to_owned(),
        "/api/v1/taxonomy".to_owned(),
        "/api/v1/incidents/triage-queue".to_owned(),
        "/api/v1/reports/classification-accuracy".to_owned(),
    ];
    for path in &reads {
        anonymous.get(path).await.expect_status(401);
        stakeholder.get(path).await.expect_status(403);
        observer.get(path).await.expect_status(200);
    }
    let preview = json!({ "severity": "info" });
    anonymous
        .post("/api/v1/priority-policy/preview", &preview)
        .await
        .expect_status(401);
    stakeholder
        .post("/api/v1/priority-policy/preview", &preview)
        .await
        .expect_status(403);
    observer
        .post("/api/v1/priority-policy/preview", &preview)
        .await
        .expect_status(200);

    let responds = [
        (
            format!("/api/v1/incidents/{id}/impact"),
            json!({ "customers_affected": 1 }),
        ),
        (
            format!("/api/v1/incidents/{id}/priority"),
            json!({ "priority": "P3", "reason": "r" }),
        ),
        (
            format!("/api/v1/incidents/{id}/classification"),
            json!({ "category": "capacity" }),
        ),
    ];
    for (path, body) in &responds {
        anonymous.put(path, body).await.expect_status(401);
        observer.put(path, body).await.expect_status(403);
        responder.put(path, body).await.expect_status(200);
    }
    anonymous
        .put("/api/v1/priority-policy", &json!({}))
        .await
        .expect_status(401);
    manager
        .put("/api/v1/priority-policy", &json!({}))
        .await
        .expect_status(403);
    let proposal = json!({ "taxonomy": { "categories": [{ "slug": "a", "name": "A" }],
                                         "attributions": [{ "slug": "b", "name": "B" }] } });
    anonymous
        .post("/api/v1/taxonomy/proposals", &proposal)
        .await
        .expect_status(401);
    manager
        .post("/api/v1/taxonomy/proposals", &proposal)
        .await
        .expect_status(403);
    anonymous
        .post("/api/v1/taxonomy/proposals/1/approve", &json!({}))
        .await
        .expect_status(401);
    manager
        .post("/api/v1/taxonomy/proposals/1/approve", &json!({}))
        .await
        .expect_status(403);
    let temporary = format!("/api/v1/incidents/{id}/temporary-p1");
    let body = json!({ "minutes": 10, "reason": "unsure" });
    anonymous.post(&temporary, &body).await.expect_status(401);
    responder.post(&temporary, &body).await.expect_status(403);
    responder
        .post(&format!("{temporary}/confirm"), &json!({ "reason": "r" }))
        .await
        .expect_status(403);
    manager.post(&temporary, &body).await.expect_status(200);
    manager
        .post(&format!("{temporary}/confirm"), &json!({ "reason": "r" }))
        .await
        .expect_status(200);
    app.shutdown().await;
}
