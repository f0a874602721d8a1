//! The incident list (`/incidents`) and the declare form (`/incidents/new`): filters that narrow
//! the list as the API does, readable refusals of bad filters, paging, escaping, the live first
//! page, and declaring through the form.
mod web_index;

use jiff::SignedDuration;
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;
use web_index::{alert, assert_escaped, declare, id, incident, link, service, team};

#[tokio::test]
async fn filters_narrow_the_list_as_the_api_does() {
    let app = spawn_app().await;
    let owner = app.owner();
    let payments_team = team(&owner, "Payments team", &[]).await;
    let (payments, payments_key) = service(&owner, "Payments", Some(&payments_team)).await;
    let (search, search_key) = service(&owner, "Search", None).await;
    let old = alert(&app, &search_key, "search slow", "error").await;
    app.clock.advance(SignedDuration::from_hours(48));
    let new = alert(&app, &payments_key, "payments down", "critical").await;
    // Signed in after the clock moved, so the session is fresh.
    let browser = app.browser(OrgRole::Responder).await;
    let (old, new) = (incident(&app, &old).await, incident(&app, &new).await);
    let (old_link, new_link) = (link(&old, "search slow"), link(&new, "payments down"));
    owner
        .post(
            &format!("/api/v1/incidents/{}/acknowledge", id(&old)),
            &json!({}),
        )
        .await
        .expect_status(200);

    let all = browser.page("/incidents").await;
    assert!(all.contains(&old_link) && all.contains(&new_link), "{all}");
    assert!(all.contains("Payments") && all.contains("Search"));
    assert!(all.contains(r#"<label for="f-status">"#));

    let narrowed = [
        ("status=triggered".to_owned(), &new_link, &old_link),
        ("status=acknowledged".to_owned(), &old_link, &new_link),
        (format!("service_id={search}"), &old_link, &new_link),
        (format!("service_id={payments}"), &new_link, &old_link),
        (format!("team_id={payments_team}"), &new_link, &old_link),
        ("created_from=2026-11-29".to_owned(), &new_link, &old_link),
        ("created_to=2026-11-28".to_owned(), &old_link, &new_link),
    ];
    for (query, shown, hidden) in narrowed {
        let page = browser.page(&format!("/incidents?{query}&priority=")).await;
        assert!(page.contains(shown.as_str()), "{query}: {page}");
        assert!(!page.contains(hidden.as_str()), "{query}: {page}");
        // The API answers the same.
        let api = owner
            .get(&format!("/api/v1/incidents?{query}"))
            .await
            .expect_status(200)
            .json();
        let ids: Vec<_> = api["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(id)
            .collect();
        assert_eq!(ids.len(), 1, "{query}: {api}");
    }

    let (old_priority, new_priority) = (old["priority"].clone(), new["priority"].clone());
    assert_ne!(
        old_priority, new_priority,
        "severities differ, so priorities do"
    );
    let page = browser
        .page(&format!(
            "/incidents?priority={}",
            new_priority.as_str().expect("set")
        ))
        .await;
    assert!(
        page.contains(&new_link) && !page.contains(&old_link),
        "{page}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_bad_filter_is_a_readable_page_naming_the_field() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    for (query, field) in [
        ("status=burning", "status"),
        ("priority=P9", "priority"),
        ("created_from=yesterday", "created_from"),
        (
            "created_from=2026-11-02&created_to=2026-11-01",
            "created_to",
        ),
        ("team_id=payments", "team_id"),
    ] {
        let answer = browser.client.get(&format!("/incidents?{query}")).await;
        assert_eq!(answer.status, 422, "{query}: {}", answer.text);
        assert!(
            answer.text.contains("Please check the form"),
            "{}",
            answer.text
        );
        assert!(answer.text.contains(field), "{query}: {}", answer.text);
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"))
        );
    }
    let api = app.owner().get("/api/v1/incidents?priority=P9").await;
    assert_eq!(api.status, 422);
    app.shutdown().await;
}

#[tokio::test]
async fn titles_are_escaped_and_the_first_page_refreshes_live() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Observer).await;
    let (_, key) = service(&app.owner(), "Checkout", None).await;
    alert(&app, &key, "<script>alert(1)</script>", "critical").await;
    let page = browser.page("/incidents").await;
    assert_escaped(&page);
    assert!(page.contains(r#"sse-connect="/live/incidents""#), "{page}");
    assert!(page.contains(r#"hx-get="/fragments/incidents?""#), "{page}");
    // Observers may read but not declare.
    assert!(!page.contains(r#"href="/incidents/new""#), "{page}");
    let fragment = browser.page("/fragments/incidents?status=triggered").await;
    assert!(
        fragment
            .trim_start()
            .starts_with("<section id=\"incident-rows\""),
        "{fragment}"
    );
    assert!(!fragment.contains("<nav"), "{fragment}");
    assert_escaped(&fragment);
    app.shutdown().await;
}

#[tokio::test]
async fn the_list_pages_by_cursor_fifty_at_a_time() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let owner = app.owner();
    let (busy, _) = service(&owner, "Busy", None).await;
    for n in 0..51 {
        declare(&owner, &busy, &format!("incident number {n}")).await;
    }
    let first = browser.page("/incidents").await;
    assert_eq!(first.matches("<tr>").count(), 51, "header + 50 rows");
    let start = first.find("/incidents?cursor=").expect("a next page link");
    let end = start + first[start..].find('"').expect("the link ends");
    let next = first[start..end].replace("&#38;", "&");
    let second = browser.page(&next).await;
    assert_eq!(second.matches("<tr>").count(), 2, "header + the last row");
    for n in 0..51 {
        let title = format!("incident number {n}<");
        assert!(
            first.contains(&title) != second.contains(&title),
            "{title} is on exactly one page"
        );
    }
    assert!(!second.contains("sse-connect"), "later pages stay still");
    app.shutdown().await;
}

#[tokio::test]
async fn declaring_through_the_form_creates_the_incident_and_opens_it() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let (service_id, _) = service(&app.owner(), "Checkout", None).await;
    let form = browser.page("/incidents/new").await;
    assert!(
        form.contains("Declare an incident") && form.contains("Checkout"),
        "{form}"
    );
    assert!(form.contains(&browser.csrf_token));
    assert!(form.contains(r#"<label for="d-title">"#));
    let answer = browser
        .submit(
            "/incidents/new",
            &[
                ("title", "Checkout <b>down</b>"),
                ("summary", "Card payments fail"),
                ("service_id", &service_id),
                ("severity", "error"),
                ("incident_type", "outage"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let location = answer.header("location").expect("a redirect").to_owned();
    let new_id = location
        .strip_prefix("/incidents/")
        .expect("to the incident page");
    let declared = incident(&app, new_id).await;
    assert_eq!(declared["title"], "Checkout <b>down</b>");
    assert_eq!(declared["severity"], "error");
    assert_eq!(declared["incident_type"], "outage");
    assert_eq!(declared["service_id"], service_id.as_str());

    // A missing service is named, and nothing is declared.
    let refused = browser
        .submit(
            "/incidents/new",
            &[("title", "No service"), ("service_id", "")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("service_id"), "{}", refused.text);
    app.shutdown().await;
}

#[tokio::test]
async fn stakeholders_and_observers_cannot_declare() {
    let app = spawn_app().await;
    let (service_id, _) = service(&app.owner(), "Checkout", None).await;
    for role in [OrgRole::Observer, OrgRole::Stakeholder] {
        let browser = app.browser(role).await;
        assert_eq!(browser.client.get("/incidents/new").await.status, 403);
        let answer = browser
            .submit(
                "/incidents/new",
                &[("title", "Sneaky"), ("service_id", &service_id)],
            )
            .await;
        assert_eq!(answer.status, 403, "{role:?}: {}", answer.text);
    }
    let api = app
        .owner()
        .get("/api/v1/incidents")
        .await
        .expect_status(200)
        .json();
    assert_eq!(api["items"].as_array().map(Vec::len), Some(0), "{api}");
    app.shutdown().await;
}

/// A viewer whose profile says Europe/Berlin reads every instant on their own clock, marked CET
/// (list, incident page, timeline, alerts, home); a viewer in UTC reads the same instants in UTC.
#[tokio::test]
async fn instants_read_on_the_viewers_own_clock() {
    let app = spawn_app().await;
    let owner = app.owner();
    let berlin = app.browser(OrgRole::Responder).await;
    owner
        .patch(
            &format!("/api/v1/users/{}", berlin.user.user.id),
            &json!({"time_zone": "Europe/Berlin"}),
            None,
        )
        .await
        .expect_status(200);
    let utc = app.browser(OrgRole::Responder).await;
    let (_, key) = service(&owner, "Payments", None).await;
    // The test clock starts at 2026-11-27 12:00:00 UTC; the alert arrives a second later.
    let opened = alert(&app, &key, "card declines", "critical").await;

    let list = berlin.page("/incidents").await;
    assert!(list.contains("2026-11-27 13:00 CET"), "{list}");
    assert!(!list.contains("12:00 UTC"), "{list}");
    let theirs = utc.page("/incidents").await;
    assert!(theirs.contains("2026-11-27 12:00 UTC"), "{theirs}");
    let page = berlin.page(&format!("/incidents/{opened}")).await;
    assert!(page.contains("2026-11-27 13:00:01 CET"), "{page}");
    assert!(!page.contains("12:00:01 UTC"), "{page}");
    let alerts = berlin.page("/alerts").await;
    assert!(alerts.contains("2026-11-27 13:00 CET"), "{alerts}");
    let home = berlin.page("/").await;
    assert!(home.contains("2026-11-27 13:00 CET"), "{home}");
    // Times typed into a form are read on the same clock, and the form says which.
    let form = berlin.page("/alerts/silences").await;
    assert!(form.contains("Starts (Europe/Berlin)"), "{form}");
    let created = berlin
        .submit(
            "/alerts/silences",
            &[
                ("matchers", "dedup_key=card declines"),
                ("starts_at", "2026-11-27T14:00"),
                ("ends_at", "2026-11-27T15:30"),
                ("comment", "card processor maintenance"),
                ("intent", "create"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let silences = owner
        .get("/api/v1/silences")
        .await
        .expect_status(200)
        .json();
    let silence = &silences["items"][0];
    assert_eq!(silence["startsAt"], "2026-11-27T13:00:00Z", "{silence}");
    assert_eq!(silence["endsAt"], "2026-11-27T14:30:00Z", "{silence}");
    app.shutdown().await;
}
