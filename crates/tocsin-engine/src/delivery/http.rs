//! The one HTTP client notifications go out through: every connection resolved by the address
//! guard, IP-literal URLs checked before sending, no proxies, and redirects followed by hand (at
//! most a configured number) with every hop checked like the first. Basic credentials are dropped
//! when a redirect leaves the origin.
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::redirect::Policy;
use tocsin_domain::delivery::Outcome;
use tocsin_domain::delivery::outcome::{TransportFailure, classify_transport};
use url::Url;

use super::error::DeliveryError;
use super::guard::{AddressGuard, GuardError, redacted};

/// The most of a response body read (a receipt, an error message).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
const USER_AGENT: &str = concat!("Tocsin/", env!("CARGO_PKG_VERSION"));

/// One POST to send.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub url: Url,
    pub headers: HeaderMap,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// HTTP basic credentials (user, password), sent to the first origin only.
    pub basic_auth: Option<(String, String)>,
}

/// The final answer, after redirects.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// The guarded client.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    client: reqwest::Client,
    guard: AddressGuard,
    max_redirects: usize,
}

impl GuardedClient {
    pub fn new(
        guard: AddressGuard,
        timeout: Duration,
        max_redirects: usize,
    ) -> Result<Self, DeliveryError> {
        let client = reqwest::Client::builder()
            .dns_resolver(guard.clone())
            .redirect(Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(USER_AGENT)
            .build()
            .map_err(|error| DeliveryError::Client(error.to_string()))?;
        Ok(Self {
            client,
            guard,
            max_redirects,
        })
    }

    /// POSTs `request`, following redirects (the same method and body at every hop). A refused
    /// destination or a request that cannot be made comes back as the classified outcome.
    pub async fn post(&self, request: OutboundRequest) -> Result<HttpAnswer, Outcome> {
        let origin = request.url.origin();
        let mut url = request.url.clone();
        for _hop in 0..=self.max_redirects {
            self.guard.check_url(&url).map_err(guard_outcome)?;
            let mut builder = self
                .client
                .post(url.clone())
                .headers(request.headers.clone())
                .header(reqwest::header::CONTENT_TYPE, request.content_type)
                .body(request.body.clone());
            if let Some((user, password)) = &request.basic_auth
                && url.origin() == origin
            {
                builder = builder.basic_auth(user, Some(password));
            }
            let response = builder.send().await.map_err(transport_outcome)?;
            let status = response.status();
            if status.is_redirection()
                && let Some(next) = location(&url, response.headers())
            {
                url = next;
                continue;
            }
            let retry_after = header_text(response.headers(), &RETRY_AFTER);
            let body = read_bounded(response).await;
            return Ok(HttpAnswer {
                status: status.as_u16(),
                retry_after,
                body,
            });
        }
        Err(classify_transport(
            TransportFailure::Refused,
            &format!(
                "more than {} redirects from {}",
                self.max_redirects,
                redacted(&request.url)
            ),
        ))
    }
}

fn location(current: &Url, headers: &HeaderMap) -> Option<Url> {
    let text = headers.get(LOCATION)?.to_str().ok()?;
    current.join(text).ok()
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn read_bounded(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_RESPONSE_BYTES.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    body
}

/// A guard refusal is permanent; a name that does not resolve may resolve later.
pub(crate) fn guard_outcome(error: GuardError) -> Outcome {
    let failure = match error {
        GuardError::Unresolved { .. } => TransportFailure::Connect,
        GuardError::Refused(_) | GuardError::BadUrl { .. } => TransportFailure::Refused,
    };
    classify_transport(failure, &error.to_string())
}

/// Classifies a request that got no answer, finding the guard's refusal in the error chain. The
/// description leaves the URL out (a Slack or Teams URL is a credential).
fn transport_outcome(error: reqwest::Error) -> Outcome {
    let mut source = std::error::Error::source(&error);
    let mut innermost = String::new();
    while let Some(cause) = source {
        if let Some(guard) = cause.downcast_ref::<GuardError>() {
            return guard_outcome(guard.clone());
        }
        innermost = cause.to_string();
        source = cause.source();
    }
    let failure = if error.is_timeout() {
        TransportFailure::Timeout
    } else if error.is_builder() {
        TransportFailure::Refused
    } else {
        TransportFailure::Connect
    };
    let error = error.without_url();
    let detail = if innermost.is_empty() {
        error.to_string()
    } else {
        format!("{error}: {innermost}")
    };
    classify_transport(failure, &detail)
}

/// A header value from text that is known to be valid (ids, base64, digits).
pub(crate) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}
