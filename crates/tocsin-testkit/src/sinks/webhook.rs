//! A webhook sink: an HTTP server on 127.0.0.1:0 that records every request (method, path and
//! query, headers, body) and answers 200, or what its script says (status sequence, Retry-After,
//! redirects, delays).
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

use super::http::{Script, ScriptedResponse, Served};

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    script: Script,
}

/// The running sink; stops when dropped.
#[derive(Debug)]
pub struct WebhookSink {
    served: Served,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    script: Script,
}

impl WebhookSink {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let router = Router::new().fallback(record).with_state(shared.clone());
        Self {
            served: Served::start(router).await,
            requests: shared.requests,
            script: shared.script,
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        self.served.url(path)
    }

    pub fn port(&self) -> u16 {
        self.served.address.port()
    }

    /// The responses to give next (afterwards: 200).
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Answers the next `times` requests with `response`.
    pub fn respond(&self, times: usize, response: ScriptedResponse) {
        self.script.repeat(times, response);
    }

    /// How many requests arrived so far (cheaper than `requests` for polling).
    pub fn received(&self) -> usize {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The request that arrived last.
    pub fn latest(&self) -> Option<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last()
            .cloned()
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn record(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = RecordedRequest {
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.to_string()),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(recorded);
    shared
        .script
        .next()
        .unwrap_or_else(|| ScriptedResponse::status(200).body("ok"))
        .into_answer()
        .await
}
