//! The on-call pages: schedules with who is on call now and "who is on call at" any time, a
//! schedule drawn as a timeline (layers, overrides, gaps in red) where overrides are added through
//! a form and removed, an escalation policy's steps and services, hostile names escaped, bad
//! input answered with a page naming the field, and roles the API refuses kept from overriding.
mod schedules;

use schedules::{create, id, layer, person, schedule, weekly};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Browser, Client, TestApp, TestResponse, spawn_app};

const HOSTILE: &str = "<script>alert(1)</script>";

/// `HOSTILE` as the templates escape it (askama writes numeric character references).
const ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

#[track_caller]
fn assert_escaped(html: &str) {
    assert!(html.contains(ESCAPED), "{html}");
    assert!(!html.contains(HOSTILE), "a raw script tag: {html}");
}

/// The part of `html` from the element with `id` on.
fn from_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    &html[at..]
}

/// The SVG timeline of a schedule page.
fn svg(html: &str) -> &str {
    let picture = from_id(html, "schedule-timeline");
    &picture[..picture.find("</svg>").expect("the picture ends")]
}

/// The overrides the API lists for `schedule_id`.
async fn api_overrides(owner: &Client, schedule_id: &str) -> Vec<Value> {
    owner
        .get(&format!("/api/v1/schedules/{schedule_id}/overrides"))
        .await
        .expect_status(200)
        .json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Posts the schedule page's override form for `schedule_id`: `start` and `end` as typed.
async fn add_override(
    browser: &Browser,
    schedule_id: &str,
    start: &str,
    end: &str,
    user: &str,
) -> TestResponse {
    let fields = [("starts_at", start), ("ends_at", end), ("user_id", user)];
    let path = format!("/on-call/schedules/{schedule_id}/overrides");
    browser.submit(&path, &fields).await
}

/// A UTC schedule whose only layer covers 09:00 to 17:00 every day: nights are gaps.
async fn office_hours(app: &TestApp, name: &str, people: &[&str]) -> String {
    let mut day = layer(
        "Office hours",
        people,
        json!({"days": 1}),
        "2026-11-02T09:00",
        "UTC",
    );
    day["restrictions"] =
        json!([{"kind": "daily", "start": "09:00", "duration_seconds": 8 * 3600}]);
    create(&app.owner(), &schedule(name, "UTC", vec![day])).await
}

#[tokio::test]
async fn the_overview_says_what_to_do_when_empty_then_lists_schedules_and_policies_escaped() {
    let app = spawn_app().await;
    let owner = app.owner();
    let browser = app.browser(OrgRole::Observer).await;
    let empty = browser.page("/on-call").await;
    assert!(empty.contains("No schedules yet"), "{empty}");
    assert!(empty.contains("No escalation policies yet"), "{empty}");

    let hostile = person(&owner, HOSTILE).await;
    let bob = person(&owner, "Bob").await;
    let rota = create(
        &owner,
        &weekly(&format!("{HOSTILE} rota"), &[&hostile, &bob]),
    )
    .await;
    owner
        .post(
            "/api/v1/escalation-policies",
            &json!({"name": "Payments escalation", "repeat": 1, "steps": [
                {"delay_minutes": 10, "targets": [{"kind": "schedule", "schedule_id": rota}]},
                {"delay_minutes": 5, "targets": [{"kind": "user", "user_id": bob}]}]}),
        )
        .await
        .expect_status(201);
    let html = browser.page("/on-call").await;
    assert!(html.contains(&format!("href=\"/on-call/schedules/{rota}\"")));
    // The clock is Friday 27 November 12:00 UTC: the week from Monday 23rd is turn 3, Bob's,
    // until Monday 30th 09:00.
    assert!(
        html.contains("<strong>Bob</strong> <span class=\"muted\">until Mon 30 Nov 09:00</span>"),
        "{html}"
    );
    assert!(html.contains("Payments escalation"));
    assert!(html.contains("2 steps: schedule → user after 10 min; repeats once"));
    assert_escaped(&html);
}

#[tokio::test]
async fn who_is_on_call_at_answers_for_past_and_future_times_and_names_a_bad_time() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let rota = create(&owner, &weekly("Platform", &[&ada, &bob])).await;
    create(&owner, &weekly("Other", &[&bob])).await;
    let browser = app.browser(OrgRole::Responder).await;
    let answer = |html: String| from_id(&html, "on-call-answer").to_owned();
    // Weeks from Monday 2 November: Ada, Bob, Ada, Bob, Ada.
    let past = answer(
        browser
            .page(&format!("/on-call?at=2026-11-10T12%3A00&schedule={rota}"))
            .await,
    );
    assert!(past.contains("On call at Tue 10 Nov 12:00"), "{past}");
    assert!(
        past.contains("<span class=\"on-call-person\">Bob</span>"),
        "{past}"
    );
    assert!(!past.contains("Other"), "only the chosen schedule: {past}");
    let future = answer(
        browser
            .page(&format!("/on-call?at=2026-12-01T12%3A00&schedule={rota}"))
            .await,
    );
    assert!(
        future.contains("<span class=\"on-call-person\">Ada</span>"),
        "{future}"
    );
    assert!(!future.contains(">Bob<"), "{future}");
    // Without a schedule: every schedule and what the policies would page.
    let all = answer(
        browser
            .page("/on-call?at=2026-12-01T12%3A00&schedule=")
            .await,
    );
    assert!(all.contains("Platform") && all.contains("Other"), "{all}");

    let bad = browser.client.get("/on-call?at=someday").await;
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("<strong>at</strong>"), "{}", bad.text);
}

#[tokio::test]
async fn the_schedule_is_drawn_with_layer_shifts_red_gaps_now_and_a_table() {
    let app = spawn_app().await;
    let owner = app.owner();
    let hostile = person(&owner, HOSTILE).await;
    let rota = office_hours(&app, "Office <b>hours</b>", &[&hostile]).await;
    let browser = app.browser(OrgRole::Observer).await;
    let html = browser.page(&format!("/on-call/schedules/{rota}")).await;
    let picture = svg(&html);
    assert!(picture.contains("class=\"picture\""));
    assert!(picture.contains("role=\"img\""));
    assert!(picture.contains(
        "aria-label=\"Office &#60;b&#62;hours&#60;/b&#62; from Fri 27 Nov 00:00 for 2 weeks"
    ));
    // Two weeks of whole days from today: 14 day columns, 14 office-hours shifts in the layer
    // row and 14 in the final row, and the nights between them as gaps.
    assert_eq!(picture.matches("class=\"day\"").count(), 14);
    assert_eq!(picture.matches("class=\"shift\"").count(), 28, "{picture}");
    assert_eq!(picture.matches("class=\"gap\"").count(), 15, "{picture}");
    assert!(picture.contains("<title>Nobody on call: Fri 27 Nov 17:00 – Sat 28 Nov 09:00</title>"));
    assert!(picture.contains("class=\"now\""));
    for row in [">Office hours<", ">Overrides<", ">Final<"] {
        assert!(picture.contains(row), "{row} in {picture}");
    }
    // Gaps are painted red by the stylesheet.
    let css = app
        .anonymous()
        .get("/assets/app.css")
        .await
        .expect_status(200)
        .text;
    assert!(css.contains("svg.picture .gap { fill: var(--gap); }"));
    assert!(css.contains("--gap: #d1242f;"));
    assert_escaped(&html);
    let table = from_id(&html, "schedule-shifts");
    assert!(table.contains("Nobody on call"));
    assert!(
        table.contains(
            "<td>Fri 27 Nov 09:00</td><td>Fri 27 Nov 17:00</td><td>layer Office hours</td>"
        )
    );
    // Later weeks, and the parameters named when wrong.
    let later = browser
        .page(&format!(
            "/on-call/schedules/{rota}?from=2026-12-14&weeks=1"
        ))
        .await;
    assert_eq!(svg(&later).matches("class=\"day\"").count(), 7);
    assert!(!svg(&later).contains("class=\"now\""));
    for (query, field) in [("weeks=9", "weeks"), ("from=soon", "from")] {
        let bad = browser
            .client
            .get(&format!("/on-call/schedules/{rota}?{query}"))
            .await;
        assert_eq!(bad.status, 400, "{query}");
        assert!(
            bad.text.contains(&format!("<strong>{field}</strong>")),
            "{}",
            bad.text
        );
    }
    let missing = browser.client.get("/on-call/schedules/not-an-id").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text.contains("Not found"));
}

#[tokio::test]
async fn an_override_added_through_the_form_is_drawn_listed_by_the_api_and_removable() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let cover = person(&owner, HOSTILE).await;
    let body = schedule(
        "Berlin",
        "Europe/Berlin",
        vec![layer(
            "Weekly",
            &[&ada],
            json!({"weeks": 1}),
            "2026-11-02T09:00",
            "Europe/Berlin",
        )],
    );
    let rota = create(&owner, &body).await;
    let browser = app.browser(OrgRole::Manager).await;
    let before = browser.page(&format!("/on-call/schedules/{rota}")).await;
    assert!(before.contains("id=\"create-override\""));
    assert!(before.contains("in Europe/Berlin (the schedule's time zone)"));
    assert!(!svg(&before).contains("class=\"override\""));
    let path = format!("/on-call/schedules/{rota}/overrides");
    let added = add_override(
        &browser,
        &rota,
        "2026-11-28T10:00",
        "2026-11-28T14:00",
        &cover,
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.text);
    assert_eq!(
        added.header("location"),
        Some(format!("/on-call/schedules/{rota}").as_str())
    );
    let listed = api_overrides(&owner, &rota).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["start"], "2026-11-28T09:00:00Z",
        "10:00 in Berlin"
    );
    assert_eq!(listed[0]["end"], "2026-11-28T13:00:00Z");
    let after = browser.page(&format!("/on-call/schedules/{rota}")).await;
    let picture = svg(&after);
    // In the overrides row and the final row, named in the title.
    assert_eq!(
        picture.matches("class=\"override\"").count(),
        2,
        "{picture}"
    );
    assert!(picture.contains(&format!(
        "<title>{ESCAPED} (override): Sat 28 Nov 10:00 – Sat 28 Nov 14:00</title>"
    )));
    assert_escaped(&after);
    assert!(after.contains(&format!("Remove override of {ESCAPED}")));

    // An override beyond the default two weeks: back to the timeline starting that day.
    let later = add_override(
        &browser,
        &rota,
        "2027-01-04T09:00",
        "2027-01-05T09:00",
        &ada,
    )
    .await;
    assert_eq!(
        later.header("location"),
        Some(format!("/on-call/schedules/{rota}?from=2027-01-04").as_str())
    );
    let first = listed[0]["id"].as_str().expect("an id");
    let removed = browser.submit(&format!("{path}/{first}/remove"), &[]).await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    let left = api_overrides(&owner, &rota).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["start"], "2027-01-04T08:00:00Z");
}

#[tokio::test]
async fn a_bad_range_is_a_readable_page_naming_the_field_and_adds_nothing() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let rota = create(&owner, &weekly("Rota", &[&ada])).await;
    let browser = app.browser(OrgRole::Manager).await;
    for (start, end, user, field) in [
        (
            "2026-11-28T10:00",
            "2026-11-28T09:00",
            ada.as_str(),
            "ends_at",
        ),
        ("28/11/2026", "2026-11-28T09:00", ada.as_str(), "starts_at"),
        ("2026-11-28T10:00", "", ada.as_str(), "ends_at"),
        ("2026-11-28T10:00", "2026-11-28T12:00", "", "user_id"),
    ] {
        let answer = add_override(&browser, &rota, start, end, user).await;
        assert_eq!(answer.status, 422, "{field}: {}", answer.text);
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"))
        );
        assert!(
            answer.text.contains(&format!("<strong>{field}</strong>")),
            "{}",
            answer.text
        );
        assert!(
            answer
                .text
                .contains(&format!("href=\"/on-call/schedules/{rota}\""))
        );
    }
    assert!(api_overrides(&owner, &rota).await.is_empty());
}

#[tokio::test]
async fn an_observer_sees_no_override_form_and_cannot_post_one() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let rota = create(&owner, &weekly("Rota", &[&ada])).await;
    let existing = id(&owner
        .post(
            &format!("/api/v1/schedules/{rota}/overrides"),
            &json!({"user_id": ada, "start": "2026-11-28T09:00:00Z", "end": "2026-11-28T10:00:00Z"}),
        )
        .await
        .expect_status(201));
    let observer = app.browser(OrgRole::Observer).await;
    let html = observer.page(&format!("/on-call/schedules/{rota}")).await;
    assert!(!html.contains("create-override\""), "no form for observers");
    assert!(!html.contains("Remove override"));
    assert!(html.contains("<strong>Ada</strong> from Sat 28 Nov 09:00 until Sat 28 Nov 10:00"));
    let path = format!("/on-call/schedules/{rota}/overrides");
    let refused = add_override(
        &observer,
        &rota,
        "2026-11-29T09:00",
        "2026-11-29T10:00",
        &ada,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(refused.text.contains("Not allowed"));
    let remove = observer
        .submit(&format!("{path}/{existing}/remove"), &[])
        .await;
    assert_eq!(remove.status, 403);
    assert_eq!(api_overrides(&owner, &rota).await.len(), 1);
    // A responder outside the schedule's team may not either; the page agrees with the API.
    let responder = app.browser(OrgRole::Responder).await;
    assert!(
        !responder
            .page(&format!("/on-call/schedules/{rota}"))
            .await
            .contains("create-override\"")
    );
}

#[tokio::test]
async fn a_policy_page_shows_steps_by_name_repeats_and_the_services_using_it() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, HOSTILE).await;
    let rota = create(&owner, &weekly("Primary rota", &[&ada])).await;
    let team = schedules::team(&owner, "Ops").await;
    let policy = id(&owner
        .post(
            "/api/v1/escalation-policies",
            &json!({"name": "Payments <em>", "ack_timeout_minutes": 30, "steps": [
                {"delay_minutes": 10, "targets": [{"kind": "schedule", "schedule_id": rota}]},
                {"delay_minutes": 5, "targets": [{"kind": "user", "user_id": ada},
                    {"kind": "team", "team_id": team, "round_robin": true}]}]}),
        )
        .await
        .expect_status(201));
    let unused = app.browser(OrgRole::Observer).await;
    let html = unused
        .page(&format!("/on-call/escalation-policies/{policy}"))
        .await;
    assert!(html.contains("No service uses this policy"));
    let service = app.intake("Checkout <i>", "generic").await;
    owner
        .put(
            &format!("/api/v1/services/{}/escalation-policy", service.service_id),
            &json!({"policy_id": policy}),
        )
        .await
        .expect_status(200);
    let html = unused
        .page(&format!("/on-call/escalation-policies/{policy}"))
        .await;
    assert!(html.contains("<h1>Payments &#60;em&#62;</h1>"));
    assert!(html.contains(&format!(
        "<a href=\"/on-call/schedules/{rota}\">on call in Primary rota</a>"
    )));
    assert!(html.contains("one member of team, in turn: Ops"));
    assert!(html.contains("at once") && html.contains("after 10 min"));
    assert!(html.contains("not resolved within 30 min"));
    assert!(html.contains(&format!(
        "<a href=\"/services/{}\">Checkout &#60;i&#62;</a>",
        service.service_id
    )));
    assert_escaped(&html);
    let missing = unused
        .client
        .get("/on-call/escalation-policies/0192f0c4-0000-7000-8000-000000000001")
        .await;
    assert_eq!(missing.status, 404);
}
