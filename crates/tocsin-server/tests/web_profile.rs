//! The console's profile page: details, contact methods added and verified through the forms
//! (the code read back from the webhook sink), notification rules, quiet hours, password change,
//! and API tokens whose secret is shown once; hostile names are escaped; roles without the power
//! do not get the forms.
mod contacts;
mod web_people;

use contacts::latest_webhook_code;
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::{Browser, TestApp, spawn_app};
use web_people::{HOSTILE, assert_escaped};

/// The text a page's copy button copies (where a secret shown once is).
fn copied(html: &str) -> String {
    let start = html.find("data-copy=\"").expect("a copy button") + "data-copy=\"".len();
    let end = html[start..].find('"').expect("a closing quote");
    html[start..start + end].to_owned()
}

/// The browser user's contact methods, as the API reports them.
async fn api_methods(app: &TestApp, browser: &Browser) -> serde_json::Value {
    let user = browser.user.user.id;
    app.with_token(&browser.user.token)
        .get(&format!("/api/v1/users/{user}/contact-methods"))
        .await
        .expect_status(200)
        .json()
}

/// The browser user's notification rules, as the API reports them.
async fn api_rules(app: &TestApp, browser: &Browser) -> Vec<serde_json::Value> {
    let user = browser.user.user.id;
    app.with_token(&browser.user.token)
        .get(&format!("/api/v1/users/{user}/notification-rules"))
        .await
        .expect_status(200)
        .json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_profile_shows_my_details_and_escapes_a_hostile_name() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let user = browser.user.user.id;
    app.owner()
        .patch(
            &format!("/api/v1/users/{user}"),
            &json!({ "name": HOSTILE, "time_zone": "Europe/Paris" }),
            None,
        )
        .await
        .expect_status(200);
    let page = browser.page("/profile").await;
    assert!(page.contains("My profile"));
    assert!(page.contains(browser.user.user.email.as_str()));
    assert!(page.contains("Europe/Paris"));
    assert!(page.contains("responder"));
    assert!(page.contains("You have no contact methods"), "empty state");
    assert!(
        page.contains("Revoke token test"),
        "the test user's own token"
    );
    assert_escaped(&page);
    app.shutdown().await;
}

#[tokio::test]
async fn a_webhook_method_is_added_shown_its_secret_once_and_verified_through_the_forms() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let added = browser
        .submit(
            "/profile/contact-methods",
            &[
                ("channel", "webhook"),
                ("address", &sink.url("/hook")),
                ("label", HOSTILE),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert!(added.text.contains("whsec_"), "the signing secret is shown");
    assert!(
        added.text.contains("data-copy=\"whsec_"),
        "with a copy button"
    );
    assert_eq!(added.header("cache-control"), Some("no-store"));

    let methods = api_methods(&app, &browser).await;
    let id = methods["items"][0]["id"]
        .as_str()
        .expect("a method")
        .to_owned();
    assert_eq!(methods["items"][0]["verified"], false);
    let page = browser.page("/profile").await;
    assert!(!page.contains("whsec_"), "the secret is not shown again");
    assert!(page.contains("not verified"));
    assert_escaped(&page);

    let sent = browser
        .submit(&format!("/profile/contact-methods/{id}/verification"), &[])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let back = sent
        .header("location")
        .expect("back to the profile")
        .to_owned();
    assert!(back.starts_with(&format!("/profile?sent={id}")), "{back}");
    assert!(browser.page(&back).await.contains("A code was sent"));
    let code = latest_webhook_code(&sink);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = browser
        .submit(
            &format!("/profile/contact-methods/{id}/verify"),
            &[("code", wrong)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("<strong>code</strong>"),
        "names the field"
    );
    assert_eq!(
        api_methods(&app, &browser).await["items"][0]["verified"],
        false
    );

    let verified = browser
        .submit(
            &format!("/profile/contact-methods/{id}/verify"),
            &[("code", &code)],
        )
        .await;
    assert_eq!(verified.status, 303, "{}", verified.text);
    assert_eq!(
        api_methods(&app, &browser).await["items"][0]["verified"],
        true
    );
    let page = browser.page("/profile").await;
    assert!(page.contains("Send a test"));
    assert!(page.contains("0 min"), "the first rule was added: {page}");

    let too_late = browser
        .submit(
            "/profile/notification-rules",
            &[
                ("contact_method_id", &id),
                ("urgency", "low"),
                ("delay_minutes", "2000"),
            ],
        )
        .await;
    assert_eq!(too_late.status, 422);
    assert!(too_late.text.contains("<strong>delay_minutes</strong>"));
    let rule = browser
        .submit(
            "/profile/notification-rules",
            &[
                ("contact_method_id", &id),
                ("urgency", "low"),
                ("delay_minutes", "5"),
            ],
        )
        .await;
    assert_eq!(rule.status, 303, "{}", rule.text);
    let rules = api_rules(&app, &browser).await;
    let low = rules
        .iter()
        .find(|r| r["urgency"] == "low")
        .expect("the low-urgency rule was added");
    assert_eq!(low["delay_minutes"], 5);
    assert!(browser.page("/profile").await.contains("5 min"));
    let low_id = low["id"].as_str().expect("an id").to_owned();
    let dropped = browser
        .submit(&format!("/profile/notification-rules/{low_id}/delete"), &[])
        .await;
    assert_eq!(dropped.status, 303);
    assert_eq!(api_rules(&app, &browser).await.len(), 1);

    let removed = browser
        .submit(&format!("/profile/contact-methods/{id}/delete"), &[])
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(api_methods(&app, &browser).await["items"], json!([]));
    app.shutdown().await;
}

#[tokio::test]
async fn quiet_hours_and_handoff_notices_follow_the_ticked_boxes_and_bad_times_name_the_field() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Observer).await;
    let user = browser.user.user.id;
    let bad = browser
        .submit(
            "/profile/quiet-hours",
            &[("start", "25:00"), ("end", "07:00"), ("sat", "on")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("<strong>start</strong>"), "{}", bad.text);

    let saved = browser
        .submit(
            "/profile/quiet-hours",
            &[
                ("start", "22:00"),
                ("end", "07:00"),
                ("sat", "on"),
                ("sun", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let quiet = app
        .with_token(&browser.user.token)
        .get(&format!("/api/v1/users/{user}/quiet-hours"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(quiet["days"], json!(["sat", "sun"]));
    assert_eq!(quiet["start"], "22:00");
    assert!(browser.page("/profile").await.contains("sat, sun"));

    let notices = browser
        .submit("/profile/handoff-notices", &[("on_call_end", "on")])
        .await;
    assert_eq!(notices.status, 303);
    let chosen = app
        .with_token(&browser.user.token)
        .get(&format!("/api/v1/users/{user}/handoff-notices"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(chosen, json!({"on_call_start": false, "on_call_end": true}));

    let cleared = browser.submit("/profile/quiet-hours/delete", &[]).await;
    assert_eq!(cleared.status, 303);
    assert!(browser.page("/profile").await.contains("No quiet hours"));
    app.shutdown().await;
}

/// A person sets their own clock from the profile; an unknown zone names the field and changes
/// nothing; another person's zone is theirs alone (the API refuses a responder setting it).
#[tokio::test]
async fn i_set_my_own_time_zone_and_the_console_follows_it() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let user = browser.user.user.id;
    let profile = browser.page("/profile").await;
    assert!(
        profile.contains(r#"name="time_zone" value="UTC""#),
        "{profile}"
    );
    assert!(
        profile.contains(r#"<option value="Asia/Tokyo">"#),
        "suggestions"
    );

    let bad = browser
        .submit("/profile/time-zone", &[("time_zone", "Mars/Olympus_Mons")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("<strong>time_zone</strong>"),
        "{}",
        bad.text
    );

    let saved = browser
        .submit("/profile/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let me = app
        .owner()
        .get(&format!("/api/v1/users/{user}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(me["time_zone"], "Asia/Tokyo");
    // The test user's API token was made at 12:00 UTC; the list shows it at 21:00 JST.
    let after = browser.page("/profile").await;
    assert!(after.contains("2026-11-27 21:00 JST"), "{after}");

    let other = app.user(OrgRole::Responder).await;
    app.with_token(&browser.user.token)
        .put(
            &format!("/api/v1/users/{}/time-zone", other.user.id),
            &json!({"time_zone": "Asia/Tokyo"}),
        )
        .await
        .expect_status(403);
    app.shutdown().await;
}

#[tokio::test]
async fn a_token_secret_is_shown_once_then_only_its_prefix_and_revoking_stops_it() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let bad = browser
        .submit(
            "/profile/tokens",
            &[("name", "ci"), ("expires_in_days", "soon")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("<strong>expires_in_days</strong>"));

    let created = browser
        .submit(
            "/profile/tokens",
            &[("name", HOSTILE), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    assert_escaped(&created.text);
    let secret = copied(&created.text);
    app.with_token(&secret)
        .get("/api/v1/me")
        .await
        .expect_status(200);

    let tokens = app
        .with_token(&secret)
        .get("/api/v1/tokens")
        .await
        .expect_status(200)
        .json();
    let token = tokens
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == HOSTILE))
        .expect("the new token is listed");
    let id = token["id"].as_str().expect("an id").to_owned();
    let prefix = token["prefix"].as_str().expect("a prefix");
    assert!(secret.starts_with(prefix) && prefix.len() < secret.len());

    let page = browser.page("/profile").await;
    assert!(!page.contains(&secret), "the secret is never shown again");
    assert!(page.contains(prefix), "the list shows the prefix");
    assert!(
        page.contains("Revoke token &#60;script&#62;"),
        "the button names it"
    );
    assert_escaped(&page);
    let revoked = browser
        .submit(&format!("/profile/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, 303);
    app.with_token(&secret)
        .get("/api/v1/me")
        .await
        .expect_status(401);
    assert!(browser.page("/profile").await.contains("revoked"));
    app.shutdown().await;
}

#[tokio::test]
async fn the_password_changes_only_with_the_current_one_and_a_matching_repeat() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let fresh = "a much longer new passphrase";
    let typo = browser
        .submit(
            "/profile/password",
            &[
                ("current_password", tocsin_testkit::app::TEST_PASSWORD),
                ("new_password", fresh),
                ("confirm_password", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(typo.status, 422);
    assert!(typo.text.contains("<strong>confirm_password</strong>"));
    let wrong = browser
        .submit(
            "/profile/password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", fresh),
                ("confirm_password", fresh),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text.contains("<strong>current_password</strong>"));

    let changed = browser
        .submit(
            "/profile/password",
            &[
                ("current_password", tocsin_testkit::app::TEST_PASSWORD),
                ("new_password", fresh),
                ("confirm_password", fresh),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let email = browser.user.user.email.as_str();
    let (_, with_new) = app.browser_login(email, fresh).await;
    assert!(with_new.is_some(), "the new password signs in");
    let (_, with_old) = app
        .browser_login(email, tocsin_testkit::app::TEST_PASSWORD)
        .await;
    assert!(with_old.is_none(), "the old one no longer does");
    app.shutdown().await;
}

#[tokio::test]
async fn stakeholders_get_neither_token_nor_contact_forms_and_their_posts_are_refused() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Stakeholder).await;
    let page = browser.page("/profile").await;
    assert!(page.contains("My details"));
    assert!(!page.contains("action=\"/profile/tokens\""));
    assert!(!page.contains("action=\"/profile/contact-methods\""));
    let refused = browser
        .submit("/profile/tokens", &[("name", "sneaky")])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("Not allowed"));
    let refused = browser
        .submit(
            "/profile/contact-methods",
            &[("channel", "email"), ("address", "me@example.com")],
        )
        .await;
    assert_eq!(refused.status, 403);
    app.shutdown().await;
}
