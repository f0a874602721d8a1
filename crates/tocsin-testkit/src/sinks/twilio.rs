//! A Twilio-compatible mock on 127.0.0.1:0: records `Messages.json` and `Calls.json` requests
//! (account, basic credentials, form fields, idempotency key) and answers 201 with a JSON resource
//! holding a fresh `sid` (`SM...` for messages, `CA...` for calls), or what its script says.
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;

use super::http::{Script, ScriptedResponse, Served};

/// One recorded Twilio request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioRequest {
    /// `Messages` or `Calls`.
    pub resource: String,
    pub account_sid: String,
    /// The basic-auth user and password, decoded.
    pub credentials: Option<(String, String)>,
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    /// The sid answered (none when a scripted failure answered).
    pub sid: Option<String>,
}

impl TwilioRequest {
    /// The first value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<TwilioRequest>>>,
    script: Script,
}

/// The running mock; stops when dropped.
#[derive(Debug)]
pub struct TwilioMock {
    served: Served,
    requests: Arc<Mutex<Vec<TwilioRequest>>>,
    script: Script,
}

impl TwilioMock {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let router = Router::new()
            .route("/2010-04-01/Accounts/{sid}/{resource}", post(create))
            .with_state(shared.clone());
        Self {
            served: Served::start(router).await,
            requests: shared.requests,
            script: shared.script,
        }
    }

    /// The base URL to configure (`http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> String {
        self.served.url("")
    }

    /// Answers the next `times` requests with a Twilio-style error of `status`.
    pub fn fail_next(&self, times: usize, status: u16) {
        let body =
            format!(r#"{{"code":20{status},"message":"injected failure","status":{status}}}"#);
        let response = ScriptedResponse::status(status)
            .header("content-type", "application/json")
            .body(body);
        self.script.repeat(times, response);
    }

    pub fn script(&self) -> &Script {
        &self.script
    }

    pub fn requests(&self) -> Vec<TwilioRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get("authorization")?.to_str().ok()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.strip_prefix("Basic ")?)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

async fn create(
    State(shared): State<Shared>,
    Path((account_sid, resource)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let resource = resource.trim_end_matches(".json").to_owned();
    let answer = record(&shared, resource, account_sid, &headers, &body);
    answer.into_answer().await
}

/// Records the request and chooses the answer: the next scripted one, else 201 with a new sid.
fn record(
    shared: &Shared,
    resource: String,
    account_sid: String,
    headers: &HeaderMap,
    body: &[u8],
) -> ScriptedResponse {
    let scripted = shared.script.next();
    let mut requests = shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let prefix = if resource == "Calls" { "CA" } else { "SM" };
    let sid = scripted
        .is_none()
        .then(|| format!("{prefix}{:032x}", requests.len() + 1));
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let answer = scripted.unwrap_or_else(|| {
        let to = form.iter().find(|(n, _)| n == "To").map(|(_, v)| v.clone());
        let json = serde_json::json!({ "sid": sid, "status": "queued", "to": to });
        ScriptedResponse::status(201)
            .header("content-type", "application/json")
            .body(json.to_string())
    });
    requests.push(TwilioRequest {
        resource,
        account_sid,
        credentials: basic_credentials(headers),
        form,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        sid,
    });
    answer
}
