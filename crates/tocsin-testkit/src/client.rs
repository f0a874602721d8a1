//! A small typed HTTP client for tests: bearer or cookie authentication, JSON in and out, and
//! responses captured whole so assertions can look at status, headers and body.
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

/// A captured response.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Panics with the body when the status is not `expected`.
    #[track_caller]
    pub fn expect_status(self, expected: u16) -> Self {
        assert_eq!(
            self.status, expected,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
}

/// A client bound to one app and one identity.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    bearer: Option<String>,
    extra_headers: HeaderMap,
}

impl Client {
    pub fn new(base_url: &str, bearer: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("build the HTTP client");
        Self {
            http,
            base_url: base_url.to_owned(),
            bearer,
            extra_headers: HeaderMap::new(),
        }
    }

    /// The same identity plus a header on every request.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.extra_headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).expect("header value"),
        );
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a request with an optional raw body and content type.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        request = request.headers(self.extra_headers.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("the test server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        TestResponse {
            status,
            headers,
            text,
        }
    }

    /// Opens `path` and returns the response unread, for streams (server-sent events).
    pub async fn open_stream(&self, path: &str) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base_url));
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        request
            .headers(self.extra_headers.clone())
            .send()
            .await
            .expect("the test server answers")
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &impl Serialize) -> TestResponse {
        self.json(Method::POST, path, body, &[]).await
    }

    pub async fn put(&self, path: &str, body: &impl Serialize) -> TestResponse {
        self.json(Method::PUT, path, body, &[]).await
    }

    pub async fn patch(
        &self,
        path: &str,
        body: &impl Serialize,
        if_match: Option<&str>,
    ) -> TestResponse {
        let headers: Vec<(&str, &str)> = if_match
            .map(|etag| vec![("if-match", etag)])
            .unwrap_or_default();
        self.json(Method::PATCH, path, body, &headers).await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let bytes = serde_json::to_vec(body).expect("serialise the request body");
        self.send(method, path, Some(("application/json", bytes)), headers)
            .await
    }

    /// Fetches the login form and submits it with its CSRF token; returns the submission's answer
    /// (303 on success, 401 for wrong credentials, 429 when throttled).
    pub async fn sign_in(&self, email: &str, password: &str) -> TestResponse {
        let form = self.get("/login").await.expect_status(200);
        let csrf = crate::app::hidden_field(&form.text, "csrf_token")
            .expect("the login form has a CSRF token");
        self.form(
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
            ],
        )
        .await
    }

    /// Posts an HTML form (`application/x-www-form-urlencoded`).
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).expect("encode the form");
        self.send(
            Method::POST,
            path,
            Some(("application/x-www-form-urlencoded", body.into_bytes())),
            &[],
        )
        .await
    }
}
