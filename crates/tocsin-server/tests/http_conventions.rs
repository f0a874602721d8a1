//! API conventions over real HTTP: problem documents for every kind of bad input, request ids,
//! body limits, panics and database outages never leaking internals.
use axum::Router;
use axum::routing::get;
use tocsin_server::ServerConfig;
use tocsin_testkit::{TestApp, TestDatabase, spawn_app};

fn assert_problem(
    response: &tocsin_testkit::TestResponse,
    status: u16,
    type_uri: &str,
) -> serde_json::Value {
    assert_eq!(response.status, status, "body: {}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    let body = response.json();
    assert_eq!(body["type"], type_uri, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    assert!(
        body["request_id"].is_string(),
        "problem carries the request id: {body}"
    );
    body
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    let missing = app.owner().get("/api/v1/nothing-here").await;
    let body = assert_problem(&missing, 404, "/problems/not-found");
    assert_eq!(body["instance"], "/api/v1/nothing-here");
    let wrong_method = app.owner().delete("/api/v1/me").await;
    assert_problem(&wrong_method, 405, "/problems/method-not-allowed");
    app.shutdown().await;
}

#[tokio::test]
async fn bad_json_bodies_name_the_problem_and_the_field() {
    let app = spawn_app().await;
    let client = app.owner();
    let broken = client
        .send(
            reqwest::Method::POST,
            "/api/v1/tokens",
            Some(("application/json", b"{\"name\": ".to_vec())),
            &[],
        )
        .await;
    assert_problem(&broken, 400, "/problems/malformed-json");

    let unknown = client
        .post(
            "/api/v1/tokens",
            &serde_json::json!({"name": "ci", "scopes": ["all"]}),
        )
        .await;
    let body = assert_problem(&unknown, 422, "/problems/validation");
    assert_eq!(body["errors"][0]["pointer"], "/scopes");

    let wrong_type = client
        .post("/api/v1/tokens", &serde_json::json!({"name": 5}))
        .await;
    assert_eq!(
        assert_problem(&wrong_type, 422, "/problems/validation")["errors"][0]["pointer"],
        "/name"
    );

    let invalid = client
        .post(
            "/api/v1/tokens",
            &serde_json::json!({"name": "ci", "expires_in_days": 0}),
        )
        .await;
    assert_eq!(
        assert_problem(&invalid, 422, "/problems/validation")["errors"][0]["pointer"],
        "/expires_in_days"
    );

    let not_json = client
        .send(
            reqwest::Method::POST,
            "/api/v1/tokens",
            Some(("text/plain", b"hi".to_vec())),
            &[],
        )
        .await;
    assert_problem(&not_json, 415, "/problems/unsupported-media-type");
    app.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_are_413_problems() {
    let config = ServerConfig {
        body_limit_bytes: 1024,
        ..ServerConfig::default()
    };
    let app = TestApp::spawn_on(TestDatabase::from_env().await, config).await;
    let huge = serde_json::json!({ "name": "x".repeat(4096) });
    let response = app.owner().post("/api/v1/tokens", &huge).await;
    assert_problem(&response, 413, "/problems/payload-too-large");
    app.shutdown().await;
}

#[tokio::test]
async fn request_ids_are_generated_or_echoed() {
    let app = spawn_app().await;
    let generated = app.anonymous().get("/healthz").await.expect_status(200);
    let id = generated
        .header("x-request-id")
        .expect("a request id is generated");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app
        .anonymous()
        .send(
            reqwest::Method::GET,
            "/healthz",
            None,
            &[("x-request-id", "trace-me-42")],
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-me-42"));
    app.shutdown().await;
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    let client = app.anonymous();
    assert_eq!(
        client.get("/healthz").await.expect_status(200).json()["status"],
        "ok"
    );
    let ready = client.get("/readyz").await.expect_status(200).json();
    assert_eq!(ready["status"], "ready");
    assert!(ready["schema_version"].as_i64().is_some_and(|v| v > 0));
    app.owner()
        .post("/api/v1/tokens", &serde_json::json!({"name": "metrics"}))
        .await
        .expect_status(201);
    let metrics = client.get("/metrics").await.expect_status(200);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    for series in [
        "tocsin_http_requests_total",
        "tocsin_http_request_duration_seconds_bucket",
        "tocsin_store_write_batch_size_bucket",
        "tocsin_store_commit_seconds_bucket",
        "tocsin_store_pool_connections",
    ] {
        assert!(metrics.text.contains(series), "missing {series}");
    }
    assert!(
        metrics.text.contains("route=\"/api/v1/tokens\""),
        "requests are labelled by route template"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_database_outage_is_503_with_retry_after() {
    let app = spawn_app().await;
    app.store.close().await;
    let response = app.owner().get("/api/v1/me").await;
    let body = assert_problem(&response, 503, "/problems/unavailable");
    assert!(response.header("retry-after").is_some());
    assert!(
        !body.to_string().to_lowercase().contains("pool"),
        "no internals: {body}"
    );
    let ready = app.anonymous().get("/readyz").await;
    assert_eq!(ready.status, 503);
}

#[tokio::test]
async fn a_panicking_handler_answers_a_bare_500_problem() {
    async fn explode() -> &'static str {
        panic!("secret internal detail: connection string postgres://admin:hunter2@db");
    }
    let router =
        tocsin_server::observability::layers::wrap(Router::new().route("/explode", get(explode)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let client = tocsin_testkit::Client::new(&format!("http://{addr}"), None);
    let response = client.get("/explode").await;
    let body = assert_problem(&response, 500, "/problems/internal");
    assert!(
        !response.text.contains("hunter2") && !response.text.contains("secret"),
        "{body}"
    );
    // The server survives the panic.
    assert_eq!(client.get("/explode").await.status, 500);
    server.abort();
}

#[tokio::test]
async fn problem_type_uris_resolve_to_pages() {
    let app = spawn_app().await;
    let page = app
        .anonymous()
        .get("/problems/validation")
        .await
        .expect_status(200);
    assert!(page.text.contains("Some fields are invalid"));
    assert_eq!(
        app.anonymous()
            .get("/problems/no-such-problem")
            .await
            .status,
        404
    );
    app.shutdown().await;
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.anonymous().get("/login").await.expect_status(200);
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert!(
        response
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("frame-ancestors 'none'"))
    );
    app.shutdown().await;
}
