//! Sign-in, sessions, CSRF and API tokens over real HTTP.
use jiff::SignedDuration;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::app::{TEST_PASSWORD, hidden_field};
use tocsin_testkit::spawn_app;

/// The login page with the random CSRF token blanked, to compare answers.
fn without_token(html: &str) -> String {
    match hidden_field(html, "csrf_token") {
        Some(token) => html.replace(&token, "TOKEN"),
        None => html.to_owned(),
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_answer_alike() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let attempt = async |email: &str| {
        let browser = app.anonymous();
        browser.sign_in(email, "wrong password 123").await
    };
    let wrong_password = attempt(user.user.email.as_str()).await;
    let unknown = attempt("nobody@example.com").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown.status, 401);
    let normalise = |r: &tocsin_testkit::TestResponse, email: &str| {
        without_token(&r.text).replace(email, "EMAIL")
    };
    assert_eq!(
        normalise(&wrong_password, user.user.email.as_str()),
        normalise(&unknown, "nobody@example.com")
    );
    app.shutdown().await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    let browser = app.anonymous();
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            browser
                .sign_in("target@example.com", "guess guess guess")
                .await,
        );
    }
    let throttled = last.expect("six attempts");
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(
        throttled
            .header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s > 0)
    );
    // Once the window passes, attempts are judged again.
    app.clock.advance(SignedDuration::from_mins(16));
    let again = browser.sign_in("target@example.com", "guess").await;
    assert_eq!(again.status, 401);
    app.shutdown().await;
}

#[tokio::test]
async fn the_login_form_requires_its_csrf_token() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Observer).await;
    let browser = app.anonymous();
    browser.get("/login").await.expect_status(200);
    let forged = browser
        .form(
            "/login",
            &[
                ("email", user.user.email.as_str()),
                ("password", TEST_PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    app.shutdown().await;
}

#[tokio::test]
async fn sessions_are_http_only_rotated_at_login_and_revoked_at_logout() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let browser = app.anonymous();
    let signed_in = browser
        .sign_in(user.user.email.as_str(), TEST_PASSWORD)
        .await;
    assert_eq!(signed_in.status, 303);
    let cookie = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tocsin_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP instances cannot use Secure cookies"
    );
    let first_session = cookie.split(';').next().expect("pair").to_owned();

    let me = browser.get("/api/v1/me").await.expect_status(200).json();
    assert_eq!(me["authenticated_by"], "session");

    // Signing in again from the same browser starts a new session and ends the old one.
    let stale =
        tocsin_testkit::Client::new(&app.base_url, None).with_header("cookie", &first_session);
    stale.get("/api/v1/me").await.expect_status(200);
    let again = browser
        .sign_in(user.user.email.as_str(), TEST_PASSWORD)
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(
        stale.get("/api/v1/me").await.status,
        401,
        "the pre-login session was revoked"
    );
    browser.get("/api/v1/me").await.expect_status(200);
    let second = browser;
    let second_csrf = hidden_field(&second.get("/").await.text, "csrf_token");

    // Sign-out revokes the session server-side.
    let csrf = second_csrf.expect("home page carries the session CSRF token");
    assert_eq!(
        second
            .form("/logout", &[("csrf_token", &csrf)])
            .await
            .status,
        303
    );
    assert_eq!(second.get("/api/v1/me").await.status, 401);
    app.shutdown().await;
}

#[tokio::test]
async fn signing_in_is_recorded_on_the_users_timeline() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let (browser, _) = app
        .browser_login(user.user.email.as_str(), TEST_PASSWORD)
        .await;
    let home = browser.get("/").await.expect_status(200);
    assert!(
        home.text.contains("Test responder (responder)"),
        "{}",
        home.text
    );
    let events = app
        .owner()
        .get(&format!("/api/v1/users/{}/events", user.user.id))
        .await
        .expect_status(200);
    let kinds: Vec<String> = events.json()["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str().map(str::to_owned))
        .collect();
    assert!(kinds.contains(&"session.started".to_owned()), "{kinds:?}");
    app.shutdown().await;
}

#[tokio::test]
async fn idle_and_expired_sessions_end() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Observer).await;
    let (browser, _) = app
        .browser_login(user.user.email.as_str(), TEST_PASSWORD)
        .await;
    browser.get("/api/v1/me").await.expect_status(200);
    app.clock.advance(SignedDuration::from_hours(13));
    assert_eq!(
        browser.get("/api/v1/me").await.status,
        401,
        "idle past the 12h timeout"
    );
    let home = browser.get("/").await;
    assert_eq!(
        home.status, 303,
        "pages send signed-out browsers to the login form"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn session_writes_to_the_api_need_the_csrf_header() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let (browser, csrf) = app
        .browser_login(user.user.email.as_str(), TEST_PASSWORD)
        .await;
    let csrf = csrf.expect("csrf token on the home page");
    let refused = browser
        .post(
            "/api/v1/tokens",
            &serde_json::json!({"name": "from-browser"}),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["type"], "/problems/csrf-rejected");
    let accepted = browser
        .json(
            reqwest::Method::POST,
            "/api/v1/tokens",
            &serde_json::json!({"name": "from-browser"}),
            &[("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    app.shutdown().await;
}

#[tokio::test]
async fn api_tokens_are_shown_once_tracked_and_revocable() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let client = app.with_token(&user.token);
    let created = client
        .post(
            "/api/v1/tokens",
            &serde_json::json!({"name": "deploys", "expires_in_days": 1}),
        )
        .await;
    let created = created.expect_status(201).json();
    let secret = created["secret"]
        .as_str()
        .expect("secret shown at creation")
        .to_owned();
    assert!(secret.starts_with("tocsin_pat_"));
    let id = created["id"].as_str().expect("id").to_owned();

    let fresh = app.with_token(&secret);
    fresh.get("/api/v1/me").await.expect_status(200);
    // The last-use stamp is written in the background.
    let mut listed = serde_json::Value::Null;
    for _ in 0..50 {
        listed = client.get("/api/v1/tokens").await.expect_status(200).json();
        if listed
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["id"] == id.as_str() && t["last_used_at"].is_string())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is never listed"
    );
    let entry = listed
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["id"] == id.as_str())
        .expect("listed");
    assert!(entry["last_used_at"].is_string(), "{entry}");
    assert!(secret.starts_with(entry["prefix"].as_str().expect("prefix")));

    // Expiry.
    app.clock.advance(SignedDuration::from_hours(25));
    let expired = fresh.get("/api/v1/me").await;
    assert_eq!(expired.status, 401);
    assert!(
        expired
            .header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token"))
    );

    // Revocation, and nobody else can revoke it.
    let other = app.user(OrgRole::Admin).await;
    assert_eq!(
        app.with_token(&other.token)
            .delete(&format!("/api/v1/tokens/{id}"))
            .await
            .status,
        404
    );
    client
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .expect_status(204);
    assert_eq!(
        client
            .delete(&format!("/api/v1/tokens/{}", uuid::Uuid::now_v7()))
            .await
            .status,
        404
    );
    client
        .delete(&format!("/api/v1/tokens/{}", user_token_id(&client).await))
        .await
        .expect_status(204);
    assert_eq!(
        client.get("/api/v1/me").await.status,
        401,
        "a revoked token stops working at once"
    );
    app.shutdown().await;
}

async fn user_token_id(client: &tocsin_testkit::Client) -> String {
    let listed = client.get("/api/v1/tokens").await.expect_status(200).json();
    listed
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "test")
        .and_then(|t| t["id"].as_str())
        .expect("the test token")
        .to_owned()
}

#[tokio::test]
async fn garbage_and_missing_credentials_are_401() {
    let app = spawn_app().await;
    assert_eq!(app.anonymous().get("/api/v1/me").await.status, 401);
    assert_eq!(
        app.with_token("tocsin_pat_not-a-real-token")
            .get("/api/v1/me")
            .await
            .status,
        401
    );
    let basic = app
        .anonymous()
        .send(
            reqwest::Method::GET,
            "/api/v1/me",
            None,
            &[("authorization", "Basic Zm9vOmJhcg==")],
        )
        .await;
    assert_eq!(basic.status, 401);
    assert_eq!(
        app.with_token("tocsin_ik_unknown")
            .get("/api/v1/me")
            .await
            .status,
        401
    );
    app.shutdown().await;
}

#[tokio::test]
async fn stakeholders_cannot_hold_api_tokens() {
    let app = spawn_app().await;
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    let response = app
        .with_token(&stakeholder.token)
        .post("/api/v1/tokens", &serde_json::json!({"name": "x"}))
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["type"], "/problems/forbidden");
    app.shutdown().await;
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_tls() {
    let config = tocsin_server::ServerConfig {
        public_url: "https://tocsin.example.com".into(),
        ..tocsin_server::ServerConfig::default()
    };
    let app =
        tocsin_testkit::TestApp::spawn_on(tocsin_testkit::TestDatabase::from_env().await, config)
            .await;
    let user = app.user(OrgRole::Responder).await;
    let browser = app.anonymous();
    let form = browser.get("/login").await;
    let login_cookie = form
        .header("set-cookie")
        .expect("login CSRF cookie")
        .to_owned();
    assert!(
        login_cookie.contains("Secure") && login_cookie.contains("SameSite=Strict"),
        "{login_cookie}"
    );
    let csrf = hidden_field(&form.text, "csrf_token").expect("csrf field");
    // The test talks plain HTTP, so pass the Secure cookie back by hand.
    let pair = login_cookie.split(';').next().expect("pair").to_owned();
    let signed_in = browser
        .clone()
        .with_header("cookie", &pair)
        .form(
            "/login",
            &[
                ("email", user.user.email.as_str()),
                ("password", TEST_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let session_cookie = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tocsin_session="))
        .expect("session cookie")
        .to_owned();
    assert!(session_cookie.contains("; Secure"), "{session_cookie}");
    app.shutdown().await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_other_sessions() {
    let app = spawn_app().await;
    let user = app.user(OrgRole::Responder).await;
    let email = user.user.email.as_str().to_owned();
    let (elsewhere, _) = app.browser_login(&email, TEST_PASSWORD).await;
    elsewhere.get("/api/v1/me").await.expect_status(200);
    let client = app.with_token(&user.token);

    let wrong = client
        .post("/api/v1/me/password", &serde_json::json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}))
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.json()["errors"][0]["pointer"], "/current_password");
    let short = client
        .post(
            "/api/v1/me/password",
            &serde_json::json!({"current_password": TEST_PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(short.json()["errors"][0]["pointer"], "/new_password");

    client
        .post("/api/v1/me/password", &serde_json::json!({"current_password": TEST_PASSWORD, "new_password": "a brand new passphrase"}))
        .await
        .expect_status(204);
    assert_eq!(
        elsewhere.get("/api/v1/me").await.status,
        401,
        "other sessions are signed out"
    );
    client.get("/api/v1/me").await.expect_status(200);
    let (_, old) = app.browser_login(&email, TEST_PASSWORD).await;
    assert!(old.is_none(), "the old password no longer signs in");
    let (_, new) = app.browser_login(&email, "a brand new passphrase").await;
    assert!(new.is_some(), "the new password signs in");
    app.shutdown().await;
}
