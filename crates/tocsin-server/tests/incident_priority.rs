//! Incident priority over HTTP on the real server: the ITIL default matrix with its rule trail,
//! impact thresholds recomputing the automatic priority, a business-event window raising it,
//! major incident criteria, a manual priority that impact changes keep, temporary P1s reverting
//! at expiry (moved clock) or staying when confirmed. Taxonomy, triage and accuracy are in
//! `priority::classification`, who may and may not use each route in `priority::access`.
mod priority;

use jiff::SignedDuration;
use priority::*;
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;

#[tokio::test]
async fn the_default_matrix_sets_the_priority_with_its_trail() {
    let app = spawn_app().await;
    let policy = app
        .owner()
        .get("/api/v1/priority-policy")
        .await
        .expect_status(200);
    assert_eq!(policy.header("etag"), Some("\"0\""));
    let policy = policy.json();
    assert_eq!(policy["version"], 0);
    assert_eq!(
        policy["policy"]["matrix"]["cells"],
        json!([["P1", "P2", "P3"], ["P2", "P3", "P4"], ["P3", "P4", "P5"]])
    );
    let (service, key) = service(&app, "checkout", 3, None).await;
    let id = trigger(&app, &service, &key, "checkout down", "critical").await;
    let incident = incident(&app, &id).await;
    assert_eq!(incident["priority"], "P3", "{incident}");
    assert_eq!(incident["priority_source"], "auto");
    assert_eq!(incident["initial_priority"], "P3");
    assert_eq!(
        incident["priority_reason"],
        json!([
            "impact low: no impact threshold met",
            "urgency high from severity critical",
            "matrix: impact low x urgency high = P3"
        ])
    );
    assert_eq!(incident["is_major"], false);
    assert_eq!(incident["triage_state"], "none");
    assert!(
        has_event(
            &app,
            &id,
            "incident.priority_set",
            "matrix: impact low x urgency high = P3"
        )
        .await
    );

    // A tier 1 service reaches medium impact by the default thresholds.
    let (critical, key) = priority::service(&app, "payments", 1, None).await;
    let id = trigger(&app, &critical, &key, "payments down", "critical").await;
    let incident = priority::incident(&app, &id).await;
    assert_eq!(incident["priority"], "P2");
    assert_eq!(
        incident["priority_reason"][0],
        "impact medium: service tier 1 (tier 1 or more critical)"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn impact_inputs_recompute_the_priority_and_major_criteria_mark_it_major() {
    let app = spawn_app().await;
    let (service, key) = service(&app, "search", 3, None).await;
    let id = trigger(&app, &service, &key, "search slow", "error").await;
    assert_eq!(incident(&app, &id).await["priority"], "P4");
    let owner = app.owner();
    let path = format!("/api/v1/incidents/{id}/impact");
    let answer = owner
        .put(
            &path,
            &json!({ "customers_affected": 1500, "reason": "support tickets" }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["priority"], "P2", "{answer}");
    assert_eq!(answer["customers_affected"], 1500);
    assert_eq!(
        answer["priority_reason"][0],
        "impact high: 1500 customers affected (at least 1000)"
    );
    assert_eq!(answer["initial_priority"], "P4");
    assert_eq!(answer["is_major"], false);
    assert!(has_event(&app, &id, "incident.impact_set", "support tickets").await);
    assert!(
        has_event(
            &app,
            &id,
            "incident.priority_set",
            "after an impact change: P2"
        )
        .await
    );

    let answer = owner
        .put(
            &path,
            &json!({ "customers_affected": 20000, "revenue_per_hour_minor": 5 }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["is_major"], true);
    assert_eq!(
        answer["major_reason"],
        "20000 customers affected (major at 10000)"
    );
    assert!(
        has_event(
            &app,
            &id,
            "incident.marked_major",
            "20000 customers affected"
        )
        .await
    );

    // The urgency by hand replaces the severity's: high impact x high urgency.
    let urgent = owner
        .put(&path, &json!({ "customers_affected": 1500, "urgency": 1 }))
        .await
        .expect_status(200)
        .json();
    assert_eq!(urgent["priority"], "P1", "{urgent}");
    assert_eq!(urgent["urgency"], 1);
    assert_eq!(urgent["priority_reason"][1], "urgency high (set by hand)");
    owner
        .put(&path, &json!({ "urgency": 4 }))
        .await
        .expect_status(422);

    // A priority set by hand stays when the impact changes.
    let manual = owner
        .put(
            &format!("/api/v1/incidents/{id}/priority"),
            &json!({ "priority": "P4", "reason": "contained" }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        (
            manual["priority"].as_str(),
            manual["priority_source"].as_str()
        ),
        (Some("P4"), Some("manual"))
    );
    let kept = owner
        .put(&path, &json!({ "customers_affected": 3000 }))
        .await
        .expect_status(200)
        .json();
    assert_eq!(kept["priority"], "P4");
    assert!(has_event(&app, &id, "incident.impact_set", "set by hand is kept").await);
    assert!(has_event(&app, &id, "incident.priority_set", "contained").await);

    for (path, body, pointer) in [
        (
            format!("/api/v1/incidents/{id}/priority"),
            json!({ "priority": "P9", "reason": "x" }),
            "/priority",
        ),
        (
            format!("/api/v1/incidents/{id}/priority"),
            json!({ "priority": "P1", "reason": " " }),
            "/reason",
        ),
        (
            path.clone(),
            json!({ "customers_affected": -1 }),
            "/customers_affected",
        ),
    ] {
        let refused = owner.put(&path, &body).await.expect_status(422);
        assert!(refused.text.contains(pointer), "{body}: {}", refused.text);
    }
    let unknown = uuid::Uuid::now_v7();
    owner
        .put(&format!("/api/v1/incidents/{unknown}/impact"), &json!({}))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn a_business_event_window_raises_the_priority_and_says_so() {
    let app = spawn_app().await;
    set_policy(
        &app,
        json!({
            "calendar": [{ "name": "Black Friday sale", "starts_at": "2026-11-27T00:00:00Z",
                           "ends_at": "2026-11-30T00:00:00Z" }],
            "rules": [{ "name": "sales peak", "when": { "business_event": "Black Friday sale" },
                        "effect": { "raise": 1 } }],
            "major": { "regulatory_exposure": true },
        }),
    )
    .await;
    let (service, key) = service(&app, "shop", 3, None).await;
    let id = trigger(&app, &service, &key, "cart errors", "error").await;
    let incident = incident(&app, &id).await;
    assert_eq!(incident["priority"], "P3", "{incident}");
    assert_eq!(
        incident["priority_reason"][3],
        "rule \"sales peak\" (during the business event \"Black Friday sale\"): raised P4 by 1 to P3"
    );
    // Regulatory exposure alone is a major criterion in this policy.
    let answer = app
        .owner()
        .put(
            &format!("/api/v1/incidents/{id}/impact"),
            &json!({ "regulatory_exposure": true }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["major_reason"], "regulatory exposure");

    // The preview writes nothing and follows the window.
    let inside = app
        .owner()
        .post(
            "/api/v1/priority-policy/preview",
            &json!({ "severity": "error" }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(inside["priority"], "P3");
    let after = app
        .owner()
        .post(
            "/api/v1/priority-policy/preview",
            &json!({ "severity": "error", "at": "2026-12-01T09:00:00Z" }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        (
            after["priority"].as_str(),
            after["trail"].as_array().map(Vec::len)
        ),
        (Some("P4"), Some(3))
    );
    app.owner()
        .post(
            "/api/v1/priority-policy/preview",
            &json!({ "severity": "loud" }),
        )
        .await
        .expect_status(422);

    // Validation names the field; If-Match refuses a lost update.
    let refused = app
        .owner()
        .put("/api/v1/priority-policy", &json!({ "rules": [{ "name": "x", "when": { "business_event": "Cyber Monday" }, "effect": { "raise": 1 } }] }))
        .await
        .expect_status(422);
    assert!(
        refused.text.contains("/rules/0/when/business_event"),
        "{}",
        refused.text
    );
    let unknown = json!({ "symptom_rules": [{ "name": "x", "category": "aliens", "title_contains": ["ufo"] }] });
    let refused = app
        .owner()
        .put("/api/v1/priority-policy", &unknown)
        .await
        .expect_status(422);
    assert!(
        refused.text.contains("/symptom_rules/0/category"),
        "{}",
        refused.text
    );
    app.owner()
        .with_header("if-match", "\"0\"")
        .put("/api/v1/priority-policy", &json!({}))
        .await
        .expect_status(412);
    app.shutdown().await;
}

#[tokio::test]
async fn a_temporary_p1_reverts_at_expiry_unless_confirmed() {
    let app = spawn_app().await;
    let owner = app.owner();
    let team = owner
        .post("/api/v1/teams", &json!({ "name": "Shop" }))
        .await
        .expect_status(201)
        .json();
    let team = team["id"].as_str().expect("team id").to_owned();
    let lead = app.user(OrgRole::Responder).await;
    owner
        .put(
            &format!("/api/v1/teams/{team}/members/{}", lead.user.id),
            &json!({ "role": "manager" }),
        )
        .await
        .expect_status(200);
    let (service, key) = service(&app, "shop", 3, Some(&team)).await;
    let id = trigger(&app, &service, &key, "odd latency", "warning").await;
    assert_eq!(incident(&app, &id).await["priority"], "P5");
    let path = format!("/api/v1/incidents/{id}/temporary-p1");
    let body = json!({ "minutes": 30, "reason": "might be a breach" });

    // Responders without the authority are refused; the team's manager has it.
    let responder = app.user(OrgRole::Responder).await;
    let refused = app
        .with_token(&responder.token)
        .post(&path, &body)
        .await
        .expect_status(403);
    assert!(refused.text.contains("temporary P1"), "{}", refused.text);
    let lead = app.with_token(&lead.token);
    let raised = lead.post(&path, &body).await.expect_status(200).json();
    assert_eq!(raised["priority"], "P1");
    assert_eq!(raised["priority_source"], "temporary");
    assert_eq!(raised["temporary_p1_until"], "2026-11-27T12:30:00Z");
    assert_eq!(
        raised["is_major"], false,
        "an uncertain P1 is not major yet"
    );
    lead.post(&path, &body).await.expect_status(409);
    lead.post(&path, &json!({ "minutes": 0, "reason": "x" }))
        .await
        .expect_status(422);

    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(revert_due(&app).await, 0, "not yet expired");
    app.clock.advance(SignedDuration::from_mins(1));
    assert_eq!(revert_due(&app).await, 1);
    let reverted = incident(&app, &id).await;
    assert_eq!(reverted["priority"], "P5", "{reverted}");
    assert_eq!(reverted["priority_source"], "auto");
    assert_eq!(reverted["temporary_p1_until"], serde_json::Value::Null);
    assert!(has_event(&app, &id, "incident.temporary_p1_reverted", "back to P5").await);
    lead.post(&format!("{path}/confirm"), &json!({ "reason": "late" }))
        .await
        .expect_status(409);

    // Confirmed before expiry, it stays.
    lead.post(&path, &body).await.expect_status(200);
    let confirmed = lead
        .post(
            &format!("{path}/confirm"),
            &json!({ "reason": "breach confirmed" }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        (
            confirmed["priority"].as_str(),
            confirmed["priority_source"].as_str()
        ),
        (Some("P1"), Some("manual"))
    );
    assert_eq!(
        confirmed["major_reason"],
        "priority P1 (major at P1 or more urgent)"
    );
    app.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(revert_due(&app).await, 0);
    assert_eq!(incident(&app, &id).await["priority"], "P1");
    assert!(
        has_event(
            &app,
            &id,
            "incident.temporary_p1_confirmed",
            "breach confirmed"
        )
        .await
    );
    app.shutdown().await;
}
