//! Classification over HTTP: taxonomy versions approved by a second admin (the proposer
//! refused), incidents keeping the version they were classified with, auto-triage applying a
//! confident category and queueing the rest for review, and classification accuracy.
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;

use super::*;

#[tokio::test]
async fn a_taxonomy_version_applies_only_once_a_second_admin_approves_it() {
    let app = spawn_app().await;
    let owner = app.owner();
    let taxonomy = owner
        .get("/api/v1/taxonomy")
        .await
        .expect_status(200)
        .json();
    assert_eq!(taxonomy["current_version"], 0);
    assert_eq!(
        taxonomy["current"]["categories"].as_array().map(Vec::len),
        Some(8)
    );
    let (service, key) = service(&app, "db", 3, None).await;
    let old = trigger(&app, &service, &key, "db disk", "error").await;
    let classified = owner
        .put(&format!("/api/v1/incidents/{old}/classification"),
             &json!({ "category": "capacity", "attribution": "system_failure", "reason": "disk full" }))
        .await
        .expect_status(200)
        .json();
    assert_eq!(classified["taxonomy_version"], 0);
    assert_eq!(classified["initial_category"], "capacity");
    assert!(has_event(&app, &old, "incident.classified", "disk full").await);

    let mut proposed = taxonomy["current"].clone();
    if let Some(list) = proposed["categories"].as_array_mut() {
        list.push(json!({ "slug": "model_error", "name": "Model error" }));
    }
    let created = owner
        .post(
            "/api/v1/taxonomy/proposals",
            &json!({ "taxonomy": proposed, "note": "ML incidents" }),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(
        (created["version"].as_i64(), created["state"].as_str()),
        (Some(1), Some("proposed"))
    );
    let refused = owner
        .post("/api/v1/taxonomy/proposals/1/approve", &json!({}))
        .await
        .expect_status(409);
    assert!(
        refused.text.contains("a second admin must approve"),
        "{}",
        refused.text
    );

    let (ml, ml_key) = super::service(&app, "ml", 3, None).await;
    let new = trigger(&app, &ml, &ml_key, "model drift", "error").await;
    assert_ne!(new, old);
    let path = format!("/api/v1/incidents/{new}/classification");
    let early = owner
        .put(&path, &json!({ "category": "model_error" }))
        .await
        .expect_status(422);
    assert!(early.text.contains("/category"), "{}", early.text);

    let second = app.with_token(&app.user(OrgRole::Admin).await.token);
    let approved = second
        .post("/api/v1/taxonomy/proposals/1/approve", &json!({}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(approved["state"], "approved");
    second
        .post("/api/v1/taxonomy/proposals/1/approve", &json!({}))
        .await
        .expect_status(409);
    second
        .post("/api/v1/taxonomy/proposals/9/approve", &json!({}))
        .await
        .expect_status(404);
    assert_eq!(
        owner.get("/api/v1/taxonomy").await.json()["current_version"],
        1
    );
    let now = owner
        .put(&path, &json!({ "category": "model_error" }))
        .await
        .expect_status(200)
        .json();
    assert_eq!(now["taxonomy_version"], 1);
    assert_eq!(
        incident(&app, &old).await["taxonomy_version"],
        0,
        "the old incident keeps its version"
    );
    owner
        .put(
            &path,
            &json!({ "category": "capacity", "attribution": "aliens" }),
        )
        .await
        .expect_status(422);

    let bad = owner
        .post("/api/v1/taxonomy/proposals",
              &json!({ "taxonomy": { "categories": [{ "slug": "Bad Slug", "name": "x" }], "attributions": [] } }))
        .await
        .expect_status(422);
    assert!(
        bad.text.contains("/taxonomy/categories/0/slug"),
        "{}",
        bad.text
    );
    app.shutdown().await;
}

#[tokio::test]
async fn auto_triage_applies_a_confident_category_and_queues_the_rest() {
    let app = spawn_app().await;
    set_policy(
        &app,
        json!({
            "auto_triage": true,
            "auto_apply_confidence": 0.6,
            "symptom_rules": [{ "name": "disk", "category": "capacity", "title_contains": ["disk full"] }],
        }),
    )
    .await;
    let (a, key_a) = service(&app, "storage", 3, None).await;
    let by_rule = trigger(&app, &a, &key_a, "db-1 Disk Full", "error").await;
    let incident_a = incident(&app, &by_rule).await;
    assert_eq!(incident_a["category"], "capacity", "{incident_a}");
    assert_eq!(incident_a["triage_state"], "applied");
    assert!(
        has_event(
            &app,
            &by_rule,
            "incident.classified",
            "symptom rule \"disk\""
        )
        .await
    );

    // Nothing like it before: it waits for review, and leaves the queue once classified.
    let (b, key_b) = service(&app, "checkout", 3, None).await;
    let unknown = trigger(&app, &b, &key_b, "checkout latency high", "error").await;
    assert_eq!(
        incident(&app, &unknown).await["triage_state"],
        "needs_review"
    );
    assert!(
        has_event(
            &app,
            &unknown,
            "incident.triage_review_needed",
            "no similar past incident"
        )
        .await
    );
    let queue = app
        .owner()
        .get("/api/v1/incidents/triage-queue")
        .await
        .expect_status(200)
        .json();
    assert_eq!(queue["items"][0]["id"].as_str(), Some(unknown.as_str()));
    app.owner()
        .put(
            &format!("/api/v1/incidents/{unknown}/classification"),
            &json!({ "category": "degradation" }),
        )
        .await
        .expect_status(200);
    let queue = app
        .owner()
        .get("/api/v1/incidents/triage-queue")
        .await
        .json();
    assert_eq!(queue["items"], json!([]));
    assert_eq!(incident(&app, &unknown).await["triage_state"], "reviewed");

    // The same symptom again: the past incident makes a confident suggestion, applied.
    let (c, key_c) = service(&app, "checkout-eu", 3, None).await;
    let similar = trigger(&app, &c, &key_c, "checkout latency high", "error").await;
    let incident_c = incident(&app, &similar).await;
    assert_eq!(incident_c["category"], "degradation", "{incident_c}");
    assert_eq!(incident_c["triage_suggestion"]["confidence"], 1.0);
    assert!(
        has_event(
            &app,
            &similar,
            "incident.classified",
            "similar to 1 past incident"
        )
        .await
    );

    // A weak resemblance is only a suggestion below the confidence: queued with it.
    let (d, key_d) = service(&app, "search", 3, None).await;
    let weak = trigger(
        &app,
        &d,
        &key_d,
        "search latency degraded for users",
        "error",
    )
    .await;
    let incident_d = incident(&app, &weak).await;
    assert_eq!(incident_d["triage_state"], "needs_review");
    assert_eq!(incident_d["category"], serde_json::Value::Null);
    assert_eq!(incident_d["triage_suggestion"]["category"], "degradation");
    assert!(
        incident_d["triage_suggestion"]["confidence"]
            .as_f64()
            .is_some_and(|c| c < 0.6)
    );
    assert!(has_event(&app, &weak, "incident.triage_review_needed", "below 0.60").await);
    app.shutdown().await;
}

#[tokio::test]
async fn accuracy_counts_incidents_whose_final_classification_differs_from_the_first() {
    let app = spawn_app().await;
    let (service, key) = service(&app, "billing", 3, None).await;
    let changed = trigger(&app, &service, &key, "invoices late", "error").await;
    let steady = trigger(&app, &service, &key, "invoices wrong", "error").await;
    assert_ne!(changed, steady);
    let owner = app.owner();
    for (id, category) in [
        (&changed, "capacity"),
        (&changed, "data_corruption"),
        (&steady, "data_corruption"),
    ] {
        owner
            .put(
                &format!("/api/v1/incidents/{id}/classification"),
                &json!({ "category": category }),
            )
            .await
            .expect_status(200);
    }
    owner
        .put(
            &format!("/api/v1/incidents/{changed}/priority"),
            &json!({ "priority": "P2", "reason": "worse" }),
        )
        .await
        .expect_status(200);
    let after = incident(&app, &changed).await;
    assert_eq!(
        (
            after["initial_category"].as_str(),
            after["category"].as_str()
        ),
        (Some("capacity"), Some("data_corruption"))
    );
    assert_eq!(
        (
            after["initial_priority"].as_str(),
            after["priority"].as_str()
        ),
        (Some("P4"), Some("P2"))
    );
    let report = owner
        .get("/api/v1/reports/classification-accuracy")
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        report["by_category"],
        json!([{ "category": "data_corruption", "incidents": 2, "category_changed": 1, "priority_changed": 1 }])
    );
    app.shutdown().await;
}
