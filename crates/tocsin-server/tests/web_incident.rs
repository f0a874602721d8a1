//! The incident page: what it shows, escaping of hostile input, each form changing what the JSON
//! API then reports, who may act, hidden incidents, the live timeline and CSRF.
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Browser, TestApp, spawn_app};

/// Opens an incident through the generic intake with `summary`; answers (id, number).
async fn alert_incident(app: &TestApp, service: &str, summary: &str) -> (String, i64) {
    let intake = app.intake(service, "generic").await;
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{}/generic", intake.secret),
            &json!({"summary": summary, "severity": "critical", "dedup_key": "k1"}),
        )
        .await
        .expect_status(202);
    let id = app.latest_incident(intake.service_id).await.0.to_string();
    let incident = api_incident(app, &id).await;
    (id, incident["number"].as_i64().expect("a number"))
}

/// Declares an incident by hand (no paging) as the owner.
async fn declared(app: &TestApp, body: Value) -> String {
    let intake = app.intake("declared-on", "generic").await;
    let mut body = body;
    body["service_id"] = json!(intake.service_id.0);
    body["page"] = json!(false);
    let incident = app
        .owner()
        .post("/api/v1/incidents", &body)
        .await
        .expect_status(201)
        .json();
    incident["id"].as_str().expect("an id").to_owned()
}

async fn api_incident(app: &TestApp, id: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/incidents/{id}"))
        .await
        .expect_status(200)
        .json()
}

/// The incident's status as the API reports it.
async fn status(app: &TestApp, id: &str) -> String {
    let incident = api_incident(app, id).await;
    incident["status"].as_str().expect("a status").to_owned()
}

async fn api(app: &TestApp, id: &str, what: &str) -> Value {
    app.owner()
        .get(&format!("/api/v1/incidents/{id}/{what}"))
        .await
        .expect_status(200)
        .json()
}

/// The timeline entries of `kind`.
async fn entries_of(app: &TestApp, id: &str, kind: &str) -> Vec<Value> {
    let events = api(app, id, "events?limit=200").await;
    events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

/// Posts `fields` to the incident's `action` and expects the redirect back to the page.
async fn act(browser: &Browser, id: &str, action: &str, fields: &[(&str, &str)]) {
    let answer = browser
        .submit(&format!("/incidents/{id}/{action}"), fields)
        .await;
    assert_eq!(answer.status, 303, "{action}: {}", answer.text);
    assert_eq!(
        answer.header("location"),
        Some(format!("/incidents/{id}").as_str())
    );
}

#[tokio::test]
async fn the_page_shows_an_alert_triggered_incident() {
    let app = spawn_app().await;
    let (id, number) = alert_incident(&app, "checkout-api", "disk full on db-1").await;
    let browser = app.browser(OrgRole::Responder).await;
    let page = browser.page(&format!("/incidents/{id}")).await;
    assert!(
        page.contains(&format!("#{number} disk full on db-1")),
        "{page}"
    );
    assert!(page.contains("badge triggered"));
    assert!(page.contains("checkout-api (primary)"));
    assert!(page.contains(r#"id="timeline""#));
    assert!(page.contains(&format!(r#"sse-connect="/incidents/{id}/live?after="#)));
    assert!(page.contains("opened"), "the opening entry is in words");
    assert!(page.contains(r#"id="acknowledge""#));
    assert!(page.contains(r#"id="assign-role""#));
    assert!(page.contains(r#"id="status-update""#));
    assert!(page.contains(r#"id="resolve""#));
    // Panels with nothing in them say what to do next.
    assert!(page.contains("Nobody holds a role yet"));
}

#[tokio::test]
async fn hostile_titles_and_notes_are_escaped() {
    let app = spawn_app().await;
    let id = declared(&app, json!({"title": "<script>alert(1)</script>"})).await;
    let browser = app.browser(OrgRole::Responder).await;
    act(
        &browser,
        &id,
        "entries",
        &[("kind", "note"), ("body", "<script>alert(2)</script>")],
    )
    .await;
    let page = browser.page(&format!("/incidents/{id}")).await;
    // askama escapes with numeric entities: &#60; is `<`, &#62; is `>`.
    assert!(page.contains("&#60;script&#62;alert(1)"), "{page}");
    assert!(page.contains("&#60;script&#62;alert(2)"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
}

#[tokio::test]
async fn each_form_changes_what_the_api_reports() {
    let app = spawn_app().await;
    let (id, number) = alert_incident(&app, "payments", "latency high").await;
    let browser = app.browser(OrgRole::Responder).await;
    let me = browser.user.user.id.0.to_string();

    act(&browser, &id, "acknowledge", &[]).await;
    assert_eq!(status(&app, &id).await, "acknowledged");

    act(
        &browser,
        &id,
        "assign-role",
        &[
            ("role", "incident_commander"),
            ("user_id", &me),
            ("note", "db failover underway"),
        ],
    )
    .await;
    let roles = api(&app, &id, "roles").await;
    assert_eq!(roles["current"][0]["role"], "incident_commander");
    assert_eq!(roles["current"][0]["user_id"], me.as_str());
    assert_eq!(roles["current"][0]["briefing"], "db failover underway");

    act(
        &browser,
        &id,
        "entries",
        &[
            ("kind", "decision"),
            ("body", "fail over"),
            ("rationale", "primary is gone"),
        ],
    )
    .await;
    let decisions = entries_of(&app, &id, "incident.decision").await;
    assert_eq!(decisions[0]["payload"]["rationale"], "primary is gone");

    act(
        &browser,
        &id,
        "status-update",
        &[("message", "Failing over now")],
    )
    .await;
    let updates = entries_of(&app, &id, "incident.status_update").await;
    assert_eq!(updates[0]["payload"]["body"], "Failing over now");
    assert_eq!(updates[0]["payload"]["audience"], "internal");

    act(
        &browser,
        &id,
        "priority",
        &[("priority", "P2"), ("reason", "one region only")],
    )
    .await;
    let incident = api_incident(&app, &id).await;
    assert_eq!(incident["priority"], "P2");

    // A P2 needs its resolution recorded: the resolve form asks for it.
    let page = browser.page(&format!("/incidents/{id}")).await;
    assert!(page.contains(r#"name="strategy""#), "{page}");
    assert!(
        page.contains("one region only"),
        "the priority's reason shows"
    );
    assert!(page.contains("Incident Commander") || page.contains("incident commander"));
    act(
        &browser,
        &id,
        "resolve",
        &[("strategy", "failover"), ("reasoning", "replica promoted")],
    )
    .await;
    assert_eq!(status(&app, &id).await, "resolved");
    assert_eq!(
        api(&app, &id, "resolution").await["record"]["strategy"],
        "failover"
    );

    // Closing without a postmortem needs the number typed, checked by the server.
    let wrong = browser
        .submit(&format!("/incidents/{id}/close"), &[("confirm", "0")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text.contains("confirm"), "{}", wrong.text);
    assert_eq!(status(&app, &id).await, "resolved");
    act(
        &browser,
        &id,
        "close",
        &[("confirm", &format!("#{number}"))],
    )
    .await;
    assert_eq!(status(&app, &id).await, "closed");
}

#[tokio::test]
async fn tasks_are_added_and_completed_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "search", "index stale").await;
    let browser = app.browser(OrgRole::Responder).await;
    act(
        &browser,
        &id,
        "tasks",
        &[("title", "Rebuild the index"), ("owner_user_id", "")],
    )
    .await;
    let tasks = api(&app, &id, "tasks").await;
    let task = tasks["items"][0]["id"].as_str().expect("a task").to_owned();
    assert!(
        browser
            .page(&format!("/incidents/{id}"))
            .await
            .contains("Mark “Rebuild the index” done")
    );
    act(&browser, &id, &format!("tasks/{task}/done"), &[]).await;
    assert_eq!(api(&app, &id, "tasks").await["items"][0]["status"], "done");

    let bad = browser
        .submit(
            &format!("/incidents/{id}/priority"),
            &[("priority", "P9"), ("reason", "x")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("<strong>priority</strong>"),
        "{}",
        bad.text
    );
    let nobody = browser
        .submit(&format!("/incidents/{id}/reassign"), &[("user_id", "Ada")])
        .await;
    assert_eq!(nobody.status, 422);
    assert!(
        nobody.text.contains("<strong>user_id</strong>"),
        "{}",
        nobody.text
    );
}

#[tokio::test]
async fn an_observer_sees_no_action_forms_and_is_refused() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "mail", "queue backed up").await;
    let observer = app.browser(OrgRole::Observer).await;
    let page = observer.page(&format!("/incidents/{id}")).await;
    assert!(page.contains("queue backed up"));
    for form in [
        "acknowledge",
        "assign-role",
        "status-update",
        "resolve",
        "entry",
    ] {
        assert!(!page.contains(&format!(r#"id="{form}""#)), "{form} shown");
    }
    let refused = observer
        .submit(&format!("/incidents/{id}/acknowledge"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("Not allowed"), "{}", refused.text);
    assert_eq!(status(&app, &id).await, "triggered");
}

#[tokio::test]
async fn a_restricted_incident_is_not_found_by_those_who_may_not_see_it() {
    let app = spawn_app().await;
    let id = declared(
        &app,
        json!({"title": "Misconduct report", "incident_type": "hr"}),
    )
    .await;
    let outsider = app.browser(OrgRole::Responder).await;
    for path in [format!("/incidents/{id}"), format!("/incidents/{id}/live")] {
        let answer = outsider.client.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.text.contains("Misconduct"), "{path}");
    }
    let nowhere = outsider.client.get("/incidents/not-an-id").await;
    assert_eq!(nowhere.status, 404);
}

#[tokio::test]
async fn the_live_route_streams_a_new_note_as_a_list_item() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "live-db", "replication lag").await;
    let browser = app.browser(OrgRole::Responder).await;
    let events = api(&app, &id, "events?limit=200").await;
    let last = events["items"]
        .as_array()
        .and_then(|items| items.last())
        .and_then(|e| e["seq"].as_i64())
        .expect("the incident has entries");
    let mut stream = browser
        .client
        .open_stream(&format!("/incidents/{id}/live?after={last}"))
        .await;
    assert_eq!(stream.status(), 200);
    act(
        &browser,
        &id,
        "entries",
        &[("kind", "note"), ("body", "lag <b>falling</b>")],
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.contains("</li>") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("an entry within 20 s")
            .expect("the stream stays open")
            .expect("the stream does not end");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: entry"), "{seen}");
    assert!(seen.contains(&format!("id: {}", last + 1)), "{seen}");
    assert!(seen.contains("data: <li id=\"entry-"), "{seen}");
    assert!(seen.contains("added a note"), "{seen}");
    assert!(
        seen.contains("lag &#60;b&#62;falling&#60;/b&#62;"),
        "{seen}"
    );
    assert!(!seen.contains("<b>"), "{seen}");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "csrf", "cpu hot").await;
    let browser = app.browser(OrgRole::Responder).await;
    let forged = browser
        .client
        .form(&format!("/incidents/{id}/acknowledge"), &[("kind", "note")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(status(&app, &id).await, "triggered");
}

#[tokio::test]
async fn long_timelines_page_and_related_incidents_link_both_ways() {
    let app = spawn_app().await;
    let parent = declared(&app, json!({"title": "Region down"})).await;
    let intake = app.intake("child-on", "generic").await;
    let child = app
        .owner()
        .post(
            "/api/v1/incidents",
            &json!({"title": "Checkout errors", "service_id": intake.service_id.0,
                    "page": false, "parent_id": parent}),
        )
        .await
        .expect_status(201)
        .json();
    for n in 0..55 {
        app.owner()
            .post(
                &format!("/api/v1/incidents/{parent}/entries"),
                &json!({"kind": "note", "body": format!("note {n}")}),
            )
            .await
            .expect_status(201);
    }
    let browser = app.browser(OrgRole::Observer).await;
    let newest = browser.page(&format!("/incidents/{parent}")).await;
    assert!(newest.contains("note 54"), "the newest entries show");
    assert!(
        !newest.contains(r#"id="entry-1""#),
        "the oldest entry waits"
    );
    assert!(newest.contains("Earlier entries"), "{newest}");
    assert!(newest.contains(&format!("#{} Checkout errors", child["number"])));
    let oldest = browser.page(&format!("/incidents/{parent}?from=1")).await;
    assert!(oldest.contains("note 0<"), "{oldest}");
    assert!(oldest.contains("Later entries"), "{oldest}");
    assert!(
        !oldest.contains("sse-connect"),
        "an older window is not live"
    );
    let child_page = browser
        .page(&format!("/incidents/{}", child["id"].as_str().expect("id")))
        .await;
    assert!(child_page.contains("parent: <a"), "{child_page}");
    let bad = browser
        .client
        .get(&format!("/incidents/{parent}?from=soon"))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("<strong>from</strong>"), "{}", bad.text);
}

#[tokio::test]
async fn escalating_reassigning_and_moving_the_status_reach_the_api() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "edge", "tls errors").await;
    let browser = app.browser(OrgRole::Responder).await;
    let colleague = app.user(OrgRole::Responder).await;
    act(&browser, &id, "escalate", &[]).await;
    assert_eq!(
        entries_of(&app, &id, "incident.escalated_by_hand")
            .await
            .len(),
        1
    );
    let colleague_id = colleague.user.id.0.to_string();
    act(&browser, &id, "reassign", &[("user_id", &colleague_id)]).await;
    let reassigned = entries_of(&app, &id, "incident.reassigned").await;
    assert_eq!(
        reassigned[0]["payload"]["users"][0]["user_id"],
        colleague_id.as_str()
    );
    let moved = [("status", "investigating"), ("reason", "")];
    act(&browser, &id, "status", &moved).await;
    assert_eq!(status(&app, &id).await, "investigating");
    // The page tells it in words, naming the people.
    let page = browser.page(&format!("/incidents/{id}")).await;
    assert!(page.contains("reassigned it to Test responder"), "{page}");
    assert!(
        page.contains("changed the status to investigating"),
        "{page}"
    );
}

#[tokio::test]
async fn regulatory_clocks_and_the_update_cadence_count_down() {
    let app = spawn_app().await;
    let (id, _) = alert_incident(&app, "customers-db", "customer table copied").await;
    let ada = app.user(OrgRole::Responder).await;
    let owner = app.owner();
    owner
        .put(
            &format!("/api/v1/incidents/{id}/priority"),
            &json!({"priority": "P1", "reason": "data exposed"}),
        )
        .await
        .expect_status(200);
    owner
        .put(
            &format!("/api/v1/incidents/{id}/regulatory"),
            &json!({"exposure": {"personal_data": true}, "jurisdictions": ["de"],
                    "owner_user_id": ada.user.id.0}),
        )
        .await
        .expect_status(200);
    let browser = app.browser(OrgRole::Observer).await;
    let page = browser.page(&format!("/incidents/{id}")).await;
    let clocks = &page[page.find(r#"id="clocks""#).expect("the clocks panel")..];
    assert!(clocks.contains("GDPR"), "{clocks}");
    assert!(
        clocks.contains(r#"<time datetime="2026-11-30T12:00:00Z" data-countdown>"#),
        "{clocks}"
    );
    let cadence = &page[page.find(r#"id="cadence""#).expect("the cadence panel")..];
    assert!(cadence.contains("One every 30 minutes at P1"), "{cadence}");
    assert!(
        cadence.contains(r#"<time datetime="2026-11-27T12:30:00Z" data-countdown>"#),
        "{cadence}"
    );
}
