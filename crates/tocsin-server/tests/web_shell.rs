//! The console's shell: sign-in redirects (and coming back afterwards), session expiry, CSRF on
//! every form, security headers, the assets and their size budget, and the live change stream.
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;

/// Submits the sign-in form fetched from `login_path` as a new responder, asking to go to `next`.
async fn sign_in_going_to(
    app: &tocsin_testkit::TestApp,
    browser: &tocsin_testkit::Client,
    login_path: &str,
    next: &str,
) -> tocsin_testkit::TestResponse {
    let user = app.user(OrgRole::Responder).await;
    let form = browser.get(login_path).await.expect_status(200);
    let csrf =
        tocsin_testkit::app::hidden_field(&form.text, "csrf_token").expect("the form has a token");
    browser
        .form(
            "/login",
            &[
                ("email", user.user.email.as_str()),
                ("password", tocsin_testkit::app::TEST_PASSWORD),
                ("csrf_token", &csrf),
                ("next", next),
            ],
        )
        .await
}

#[tokio::test]
async fn pages_send_anonymous_browsers_to_sign_in_and_back_afterwards() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let answer = anonymous.get("/?panel=alerts&x=1").await;
    assert_eq!(answer.status, 303);
    let login = "/login?next=%2F%3Fpanel%3Dalerts%26x%3D1";
    assert_eq!(answer.header("location"), Some(login));
    let form = anonymous.get(login).await.expect_status(200);
    assert!(
        form.text
            .contains(r#"name="next" value="/?panel=alerts&#38;x=1""#),
        "{}",
        form.text
    );
    let signed_in = sign_in_going_to(&app, &anonymous, login, "/?panel=alerts&x=1").await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.header("location"), Some("/?panel=alerts&x=1"));
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let app = spawn_app().await;
    let browser = app.anonymous();
    let answer = sign_in_going_to(&app, &browser, "/login", "//evil.example/phish").await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/"));
}

#[tokio::test]
async fn an_ended_session_says_it_expired() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    browser.page("/").await;
    browser.submit("/logout", &[]).await.expect_status(303);
    // The browser still presents the old cookie value if it kept one; simulate that.
    let stale = app
        .anonymous()
        .with_header("cookie", "tocsin_session=revoked-or-expired");
    let answer = stale.get("/").await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/login?expired=1&next=%2F"));
    let form = app
        .anonymous()
        .get("/login?expired=1")
        .await
        .expect_status(200);
    assert!(form.text.contains("Your session expired"));
    // htmx fragment requests move the whole page instead.
    let fragment = stale.with_header("hx-request", "true").get("/").await;
    assert_eq!(fragment.status, 401);
    assert_eq!(
        fragment.header("hx-redirect"),
        Some("/login?expired=1&next=%2F")
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_session_csrf_token() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Observer).await;
    let answer = browser.client.get("/").await.expect_status(200);
    let csp = answer.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(answer.header("referrer-policy"), Some("same-origin"));
    assert!(answer.text.contains(&browser.csrf_token));
    // No inline scripts: every <script> has a src on this site.
    for script in answer.text.split("<script").skip(1) {
        assert!(
            script.trim_start().starts_with("src=\"/assets/"),
            "{script}"
        );
    }
}

#[tokio::test]
async fn a_form_without_the_session_token_is_refused_and_does_nothing() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let forged = browser
        .client
        .form("/logout", &[("csrf_token", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    // Still signed in.
    browser.page("/").await;
}

#[tokio::test]
async fn every_page_gets_one_stylesheet_and_under_50_kb_of_compressed_javascript() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let home = browser.page("/").await;
    assert_eq!(home.matches("rel=\"stylesheet\"").count(), 1);
    let http = reqwest::Client::new();
    let mut shipped = 0;
    for src in home.split("<script src=\"").skip(1) {
        let path = &src[..src.find('"').expect("the src attribute is closed")];
        let answer = http
            .get(format!("{}{path}", app.base_url))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("the asset answers");
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(
            answer
                .headers()
                .get("content-encoding")
                .map(|v| v.as_bytes()),
            Some(&b"gzip"[..]),
            "{path} is sent compressed"
        );
        let body = answer.bytes().await.expect("the body arrives");
        shipped += body.len();
        let mut script = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut script)
            .expect("the body is gzip");
        assert!(script.contains("function"), "{path} is JavaScript");
    }
    assert!(shipped > 10_000, "htmx is shipped ({shipped} bytes)");
    assert!(
        shipped < 50 * 1024,
        "JavaScript is {shipped} bytes compressed"
    );
    let css = app
        .anonymous()
        .get("/assets/app.css")
        .await
        .expect_status(200);
    assert!(css.text.contains("prefers-color-scheme: dark"));
}

#[tokio::test]
async fn the_live_stream_needs_a_session() {
    let app = spawn_app().await;
    let answer = app.anonymous().get("/live/incidents").await;
    assert_eq!(answer.status, 303);
}

#[tokio::test]
async fn the_live_stream_announces_an_incident_change_without_naming_it() {
    let app = spawn_app().await;
    let browser = app.browser(OrgRole::Responder).await;
    let mut stream = browser.client.open_stream("/live/incidents").await;
    assert_eq!(stream.status(), 200);
    let intake = app.intake("web-live", "generic").await;
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{}/generic", intake.secret),
            &serde_json::json!({"summary": "disk full", "severity": "critical", "dedup_key": "d1"}),
        )
        .await
        .expect_status(202);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.contains("event: incidents") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("an announcement within 20 s")
            .expect("the stream stays open")
            .expect("the stream does not end");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("data: changed"), "{seen}");
    assert!(!seen.contains("disk full"), "{seen}");
}
