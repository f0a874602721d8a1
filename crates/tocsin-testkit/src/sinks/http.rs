//! What the HTTP sinks share: serving a router on 127.0.0.1:0 until dropped, and a script of
//! responses (status, Retry-After, extra headers, delay) consumed one per request.
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    /// Extra headers (a `Location` for a redirect).
    pub headers: Vec<(String, String)>,
    /// Waits this long before answering (to provoke a client timeout).
    pub delay: Option<Duration>,
    pub body: String,
}

impl ScriptedResponse {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
            headers: Vec::new(),
            delay: None,
            body: String::new(),
        }
    }

    pub fn retry_after(mut self, value: &str) -> Self {
        self.retry_after = Some(value.to_owned());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    /// Answers as scripted, after the delay.
    pub async fn into_answer(self) -> Response {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.body).into_response();
        let extra = self.retry_after.map(|v| ("retry-after".to_owned(), v));
        for (name, value) in self.headers.into_iter().chain(extra) {
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(name), HeaderValue::try_from(value))
            {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// Responses to give, in order; when none is left the sink answers normally.
#[derive(Debug, Clone, Default)]
pub struct Script(Arc<Mutex<VecDeque<ScriptedResponse>>>);

impl Script {
    fn queue(&self) -> MutexGuard<'_, VecDeque<ScriptedResponse>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `response` after those already queued.
    pub fn push(&self, response: ScriptedResponse) {
        self.queue().push_back(response);
    }

    /// Queues `times` copies of `response`.
    pub fn repeat(&self, times: usize, response: ScriptedResponse) {
        for _ in 0..times {
            self.push(response.clone());
        }
    }

    /// The next scripted response, if any is left.
    pub fn next(&self) -> Option<ScriptedResponse> {
        self.queue().pop_front()
    }
}

/// A router served on 127.0.0.1:0 until this is dropped.
#[derive(Debug)]
pub struct Served {
    pub address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Served {
    pub async fn start(router: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            address,
            _stop: stop,
        }
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}
