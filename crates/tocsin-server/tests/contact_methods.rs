//! Contact methods end to end: codes sent through real peers (the SMTP sink, the Twilio mock,
//! the webhook sink), entered right, wrong, late; webhook secrets and signatures; masked chat
//! URLs; the per-method send limit; a provider failure answered 502; a new address un-verifies.
mod contacts;

use contacts::{code_in, create, enter, latest_webhook_code, methods, request_code};
use jiff::SignedDuration;
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::delivery::WebhookSecret;
use tocsin_engine::delivery::{Secret, SmtpConfig, SmtpSecurity, TwilioConfig};
use tocsin_testkit::sinks::{ScriptedResponse, SmtpSink, TwilioMock, WebhookSink};
use tocsin_testkit::{TestApp, TestDatabase, spawn_app, test_config};

async fn app_with_smtp(sink: &SmtpSink) -> TestApp {
    let mut config = test_config();
    config.delivery.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port(),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Tocsin <tocsin@alerts.example.com>".into(),
        hello_name: Some("tocsin.test".into()),
    });
    TestApp::spawn_on(TestDatabase::from_env().await, config).await
}

#[tokio::test]
async fn an_email_method_is_verified_with_the_code_the_smtp_sink_received() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let ada = app.user(OrgRole::Responder).await;
    let client = app.with_token(&ada.token);
    let user = ada.user.id.to_string();
    let method = create(&client, &user, "email", "Ada@Example.com").await;
    assert_eq!(method["address"], "ada@example.com");
    assert_eq!(method["verified"], false);
    let id = method["id"].as_str().expect("id");

    let sent = request_code(&client, &user, id).await;
    assert_eq!(sent["channel"], "email");
    assert_eq!(sent["expires_at"], "2026-11-27T12:15:00Z");
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["ada@example.com".to_owned()]);
    let code = code_in(&mails[0].data_text());

    let verified = enter(&client, &user, id, &code)
        .await
        .expect_status(200)
        .json();
    assert_eq!(verified["verified"], true);
    // The first verified method gets a high-urgency rule at 0 minutes.
    let rules = client
        .get(&format!("/api/v1/users/{user}/notification-rules"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(rules["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(rules["items"][0]["urgency"], "high");
    assert_eq!(rules["items"][0]["delay_minutes"], 0);
    assert_eq!(rules["items"][0]["contact_method_id"], id);

    // The sending is on the user's timeline; the code never is.
    let events = app
        .owner()
        .get(&format!("/api/v1/users/{user}/events"))
        .await
        .expect_status(200)
        .text;
    assert!(
        events.contains("user.contact_verification_sent"),
        "{events}"
    );
    assert!(events.contains("user.contact_method_verified"), "{events}");
    assert!(!events.contains(&code), "the code leaked into the log");
    app.shutdown().await;
}

#[tokio::test]
async fn wrong_codes_count_down_then_the_code_is_dead_and_late_codes_are_gone() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let ada = app.user(OrgRole::Responder).await;
    let client = app.with_token(&ada.token);
    let user = ada.user.id.to_string();
    let method = create(&client, &user, "webhook", &sink.url("/hook")).await;
    let id = method["id"].as_str().expect("id");
    request_code(&client, &user, id).await;
    let code = latest_webhook_code(&sink);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let answer = enter(&client, &user, id, wrong)
            .await
            .expect_status(422)
            .json();
        assert_eq!(answer["attempts_left"], left);
        assert_eq!(answer["errors"][0]["pointer"], "/code");
    }
    let dead = enter(&client, &user, id, &code)
        .await
        .expect_status(410)
        .json();
    assert_eq!(dead["type"], "/problems/gone");

    // A new code works again, but not once its 15 minutes are over.
    request_code(&client, &user, id).await;
    let fresh = latest_webhook_code(&sink);
    app.clock.advance(SignedDuration::from_mins(15));
    enter(&client, &user, id, &fresh).await.expect_status(410);
    let method = client
        .get(&format!("{}/{id}", methods(&user)))
        .await
        .expect_status(200)
        .json();
    assert_eq!(method["verified"], false);
    app.shutdown().await;
}

#[tokio::test]
async fn an_sms_code_goes_through_the_twilio_mock() {
    let mock = TwilioMock::start().await;
    let mut config = test_config();
    config.delivery.twilio = Some(TwilioConfig {
        base_url: mock.base_url().parse().expect("url"),
        account_sid: "AC00000000000000000000000000000001".into(),
        auth_token: Secret::new("twilio-auth-token"),
        from_number: "+15005550006".into(),
    });
    let app = TestApp::spawn_on(TestDatabase::from_env().await, config).await;
    let ada = app.user(OrgRole::Responder).await;
    let client = app.with_token(&ada.token);
    let user = ada.user.id.to_string();
    let method = create(&client, &user, "sms", "+14155550100").await;
    let id = method["id"].as_str().expect("id");
    let sent = request_code(&client, &user, id).await;
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].resource, "Messages");
    assert_eq!(requests[0].field("To"), Some("+14155550100"));
    assert_eq!(sent["receipt"].as_str(), requests[0].sid.as_deref());
    let code = code_in(requests[0].field("Body").expect("body"));
    enter(&client, &user, id, &code).await.expect_status(200);
    app.shutdown().await;
}

#[tokio::test]
async fn a_webhook_method_gets_a_secret_once_and_its_code_arrives_signed() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = contacts::me(&owner).await;
    let method = create(&owner, &user, "webhook", &sink.url("/receiver")).await;
    let secret = method["signing_secret"]
        .as_str()
        .expect("secret shown at creation");
    assert!(secret.starts_with("whsec_"));
    let id = method["id"].as_str().expect("id");
    let read = owner.get(&format!("{}/{id}", methods(&user))).await.json();
    assert!(read.get("signing_secret").is_none(), "{read}");

    request_code(&owner, &user, id).await;
    let requests = sink.requests();
    let request = requests.last().expect("delivered");
    let secret = WebhookSecret::parse(secret).expect("valid secret");
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .and_then(|t| t.parse().ok())
        .expect("timestamp");
    let verdict = secret.verify(
        request.header("webhook-id").expect("id"),
        timestamp,
        &request.body,
        request.header("webhook-signature").expect("signature"),
        timestamp,
        5,
    );
    assert_eq!(verdict, Ok(()));
    app.shutdown().await;
}

#[tokio::test]
async fn slack_urls_are_masked_in_every_read() {
    let app = spawn_app().await;
    let owner = app.owner();
    let user = contacts::me(&owner).await;
    let url = "https://hooks.slack.com/services/T000/B000/XXXXSECRETabcd";
    let created = create(&owner, &user, "slack", url).await;
    assert_eq!(created["address"], "https://hooks.slack.com/…abcd");
    let id = created["id"].as_str().expect("id");
    for path in [methods(&user), format!("{}/{id}", methods(&user))] {
        let text = owner.get(&path).await.expect_status(200).text;
        assert!(!text.contains("SECRET"), "{path}: {text}");
        assert!(text.contains("hooks.slack.com"), "{path}: {text}");
    }
    let events = owner
        .get(&format!("/api/v1/users/{user}/events"))
        .await
        .text;
    assert!(!events.contains("SECRET"), "{events}");
    app.shutdown().await;
}

#[tokio::test]
async fn five_codes_an_hour_then_429_with_retry_after_and_a_failed_send_answers_502() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = contacts::me(&owner).await;
    let method = create(&owner, &user, "webhook", &sink.url("/hook")).await;
    let id = method["id"].as_str().expect("id");
    let path = format!("{}/{id}/verification", methods(&user));

    sink.respond(1, ScriptedResponse::status(500));
    let failed = owner
        .post(&path, &json!({}))
        .await
        .expect_status(502)
        .json();
    assert_eq!(failed["type"], "/problems/delivery-failed");
    assert_eq!(failed["outcome"], "retryable");
    assert_eq!(failed["reason"], "HTTP 500");

    for _ in 0..4 {
        app.clock.advance(SignedDuration::from_mins(1));
        owner.post(&path, &json!({})).await.expect_status(200);
    }
    app.clock.advance(SignedDuration::from_mins(10));
    let limited = owner.post(&path, &json!({})).await.expect_status(429);
    // The window opened at the first send, 14 minutes ago: 46 minutes to wait.
    assert_eq!(limited.header("retry-after"), Some("2760"));
    app.clock.advance(SignedDuration::from_mins(46));
    owner.post(&path, &json!({})).await.expect_status(200);
    app.shutdown().await;
}

#[tokio::test]
async fn a_new_address_unverifies_and_a_bad_phone_number_names_the_address() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = contacts::me(&owner).await;
    let id = contacts::verified_webhook(&owner, &user, &sink, "/one").await;
    let path = format!("{}/{id}", methods(&user));
    let relabelled = owner
        .patch(&path, &json!({"label": "pager"}), None)
        .await
        .expect_status(200)
        .json();
    assert_eq!(relabelled["verified"], true);
    let moved = owner
        .patch(&path, &json!({"address": sink.url("/two")}), None)
        .await
        .expect_status(200)
        .json();
    assert_eq!(moved["verified"], false);
    // Not verified, so no test message.
    owner
        .post(&format!("{path}/test"), &json!({}))
        .await
        .expect_status(409);

    for (channel, address) in [
        ("sms", "0415 555 0100"),
        ("voice", "+12"),
        ("email", "nobody"),
    ] {
        let refused = owner
            .post(
                &methods(&user),
                &json!({"channel": channel, "address": address}),
            )
            .await
            .expect_status(422)
            .json();
        assert_eq!(refused["errors"][0]["pointer"], "/address", "{refused}");
    }
    let metadata = owner
        .post(
            &methods(&user),
            &json!({"channel": "webhook", "address": "http://169.254.169.254/latest/meta-data"}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(metadata["errors"][0]["pointer"], "/address");
    app.shutdown().await;
}

#[tokio::test]
async fn a_verified_method_receives_a_test_message() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = contacts::me(&owner).await;
    let id = contacts::verified_webhook(&owner, &user, &sink, "/hook").await;
    owner
        .post(&format!("{}/{id}/test", methods(&user)), &json!({}))
        .await
        .expect_status(200);
    let last = sink.requests().pop().expect("a test message");
    assert!(
        last.body_text().contains("Test notification"),
        "{}",
        last.body_text()
    );
    app.shutdown().await;
}
