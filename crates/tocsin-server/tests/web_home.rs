//! The home page: my open incidents first (an alert-triggered incident of my team's service
//! shows, refreshing live), who is on call now for my teams, alerts needing attention, my open
//! tasks, empty states that say what to do, and escaping.
mod web_index;

use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::app::TEST_PASSWORD;
use tocsin_testkit::scenario::Scenario;
use tocsin_testkit::{Browser, spawn_app};
use web_index::{
    ESCAPED_SCRIPT, alert, assert_escaped, declare, id, incident, link, service, team,
};

#[tokio::test]
async fn home_shows_my_teams_incident_first_my_task_and_who_is_on_call() {
    let app = spawn_app().await;
    let owner = app.owner();
    let browser = app.browser(OrgRole::Responder).await;
    let me = browser.user.user.id.to_string();
    let my_team = team(&owner, "Checkout team", &[&me]).await;
    let (_, my_key) = service(&owner, "Checkout", Some(&my_team)).await;
    let (_, other_key) = service(&owner, "Search", None).await;
    // Weekly turns from Monday 2026-11-02: the fourth (from 2026-11-23) is mine.
    let colleague = app.user(OrgRole::Responder).await.user.id.to_string();
    let schedule = json!({
        "name": "Checkout primary", "time_zone": "UTC", "team_id": my_team,
        "layers": [{"name": "Primary", "starts_at": "2026-01-01T00:00:00Z",
            "rotation": {"participants": [colleague, me], "shift": {"weeks": 1},
                "first_handoff": "2026-11-02T09:00", "time_zone": "UTC"}}]
    });
    owner
        .post("/api/v1/schedules", &schedule)
        .await
        .expect_status(201);
    let other = alert(&app, &other_key, "search index stale", "warning").await;
    let mine = alert(&app, &my_key, "<script>alert(1)</script>", "critical").await;
    owner
        .post(
            &format!("/api/v1/incidents/{mine}/tasks"),
            &json!({"title": "Write the customer note", "owner_user_id": me}),
        )
        .await
        .expect_status(201);

    let home = browser.page("/").await;
    assert!(home.contains(r#"id="my-incidents""#), "{home}");
    let mine_link = link(&incident(&app, &mine).await, ESCAPED_SCRIPT);
    let other_link = link(&incident(&app, &other).await, "search index stale");
    let (mine_at, other_at) = (
        home.find(&mine_link).expect("my team's incident shows"),
        home.find(&other_link)
            .expect("other open incidents show too"),
    );
    assert!(mine_at < other_at, "mine first: {home}");
    assert_escaped(&home);
    // On call now: me, until the weekly handoff (Monday 2026-11-30 09:00).
    assert!(home.contains("Checkout primary"), "{home}");
    assert!(
        home.contains("Test responder <span class=\"muted\">until 2026-11-30 09:00 UTC</span>"),
        "{home}"
    );
    // Alerts needing attention, newest first, linking to the alerts page.
    let start = home.find(r#"id="alerts-title""#).expect("the alerts panel");
    let end = home.find(r#"id="tasks-title""#).expect("the tasks panel");
    let alerts = &home[start..end];
    let (newest, older) = (
        alerts.find(ESCAPED_SCRIPT).expect("the critical alert"),
        alerts
            .find("search index stale")
            .expect("the warning alert"),
    );
    assert!(newest < older, "{alerts}");
    assert!(alerts.contains(r#"href="/alerts""#));
    // My task, linking to its incident.
    assert!(home.contains("Write the customer note"), "{home}");
    assert!(
        home.contains(&format!(r#"href="/incidents/{other}">#"#)),
        "{home}"
    );
    // The panel refreshes itself on incident changes.
    assert!(home.contains(r#"sse-connect="/live/incidents""#));
    assert!(home.contains(r#"hx-get="/fragments/home/incidents""#));
    app.shutdown().await;
}

#[tokio::test]
async fn the_fragment_is_just_the_panel_and_shows_a_new_incident() {
    let app = spawn_app().await;
    let owner = app.owner();
    let browser = app.browser(OrgRole::Responder).await;
    let me = browser.user.user.id.to_string();
    let my_team = team(&owner, "Payments team", &[&me]).await;
    let (_, key) = service(&owner, "Payments", Some(&my_team)).await;
    let before = browser.page("/fragments/home/incidents").await;
    assert!(before.contains("No open incidents"), "{before}");
    let opened = alert(&app, &key, "payments declined", "critical").await;
    let after = browser.page("/fragments/home/incidents").await;
    assert!(
        after
            .trim_start()
            .starts_with(r#"<section id="my-incidents""#),
        "{after}"
    );
    assert!(!after.contains("<nav"), "no layout: {after}");
    let row = link(&incident(&app, &opened).await, "payments declined");
    assert!(after.contains(&row), "{after}");
    // Resolved incidents leave the panel.
    owner
        .post(&format!("/api/v1/incidents/{opened}/resolve"), &json!({}))
        .await
        .expect_status(200);
    let resolved = browser.page("/fragments/home/incidents").await;
    assert!(!resolved.contains(&row), "{resolved}");
    app.shutdown().await;
}

#[tokio::test]
async fn empty_panels_say_what_to_do_next() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let home = browser.page("/").await;
    assert!(home.contains("No open incidents."), "{home}");
    assert!(home.contains(r#"href="/incidents/new""#), "{home}");
    assert!(home.contains("None of your teams has a schedule"), "{home}");
    assert!(home.contains("No triggered alerts"), "{home}");
    assert!(home.contains("No open tasks assigned to you"), "{home}");
    app.shutdown().await;
}

#[tokio::test]
async fn incidents_of_others_restricted_to_them_stay_hidden_and_observers_cannot_declare() {
    let app = spawn_app().await;
    let owner = app.owner();
    let (service_id, _) = service(&owner, "People ops", None).await;
    let case = owner
        .post(
            "/api/v1/incidents",
            &json!({"title": "HR case 17", "service_id": service_id, "incident_type": "hr",
                "page": false}),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(case["visibility"], "restricted");
    let observer = app.browser(OrgRole::Observer).await;
    let home = observer.page("/").await;
    assert!(!home.contains("HR case 17"), "{home}");
    assert!(
        !home.contains(r#"class="button" href="/incidents/new""#),
        "{home}"
    );
    app.shutdown().await;
}

/// Every way of being involved lists an incident among mine, ahead of newer ones I am not in,
/// however many of those are open: paged for it, a participant, holding a role. Resolved ones
/// and ones I am not in that are older than the panel's twenty do not show.
#[tokio::test]
async fn incidents_i_am_involved_in_come_first_however_many_newer_ones_are_open() {
    let scenario = Scenario::start().await;
    let app = &scenario.app;
    let owner = app.owner();
    let me = scenario.person("me").await;
    let (client, csrf) = app
        .browser_login(me.user.user.email.as_str(), TEST_PASSWORD)
        .await;
    let browser = Browser {
        user: me.user.clone(),
        client,
        csrf_token: csrf.expect("the paged person can sign in"),
    };
    let step = json!([{"delay_minutes": 5, "targets": [{"kind": "user", "user_id": me.id()}]}]);
    let policy = scenario.policy("Me first", step, json!({})).await;
    let intake = scenario.service("Database", Some(&policy)).await;
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    let paged = scenario.trigger(&intake, "disk full on db-7").await.0;
    scenario.settle().await;
    scenario.expect(&me, "notification.page");

    let (platform, _) = service(&owner, "Platform", None).await;
    let mut declared = Vec::new();
    for title in [
        "Joined by me",
        "Commanded by me",
        "Over already",
        "Someone else's",
    ] {
        app.clock.advance(jiff::SignedDuration::from_secs(1));
        declared.push(id(&declare(&owner, &platform, title).await));
    }
    let [joined, commanded, over, others] = <[String; 4]>::try_from(declared).expect("four");
    for incident in [&joined, &over] {
        owner
            .post(
                &format!("/api/v1/incidents/{incident}/participants"),
                &json!({"user_id": me.id()}),
            )
            .await
            .expect_status(200);
    }
    owner
        .put(
            &format!("/api/v1/incidents/{commanded}/roles/scribe"),
            &json!({"user_id": me.id()}),
        )
        .await
        .expect_status(200);
    owner
        .post(&format!("/api/v1/incidents/{over}/resolve"), &json!({}))
        .await
        .expect_status(200);
    let mut noise = Vec::new();
    for n in 0..20 {
        app.clock.advance(jiff::SignedDuration::from_secs(1));
        noise.push(id(
            &declare(&owner, &platform, &format!("Newer noise {n}")).await
        ));
    }

    let panel = browser.page("/fragments/home/incidents").await;
    let at = |id: &str| panel.find(&format!(r#"href="/incidents/{id}""#));
    let (commanded_at, joined_at, paged_at) = (
        at(&commanded).expect("the incident I hold a role in"),
        at(&joined).expect("the incident I joined"),
        at(&paged.to_string()).expect("the incident I was paged for"),
    );
    assert!(
        commanded_at < joined_at && joined_at < paged_at,
        "mine, newest first: {panel}"
    );
    let newest_noise = at(&noise[19]).expect("newer incidents follow");
    assert!(paged_at < newest_noise, "mine before the rest: {panel}");
    assert_eq!(panel.matches(" · yours").count(), 3, "{panel}");
    assert!(at(&over).is_none(), "resolved incidents leave: {panel}");
    assert!(
        at(&others).is_none(),
        "twenty shown: three of mine and the seventeen newest others: {panel}"
    );
    assert!(at(&noise[3]).is_some(), "{panel}");
    assert!(at(&noise[2]).is_none(), "{panel}");
    scenario.finish();
}
