//! The bench's notification receiver on 127.0.0.1: Tocsin's signed webhooks arrive at `/tocsin`
//! (keyed by the incident title, which is the alert's summary), Alertmanager's webhook
//! notifications at `/alertmanager` (keyed by each alert's `seq` label). A sender registers the
//! key it is about to send and awaits its arrival instant.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<Instant>>>>;
type CodeWaiter = Arc<Mutex<Option<oneshot::Sender<String>>>>;

#[derive(Clone, Default)]
struct Listeners {
    arrivals: Waiters,
    code: CodeWaiter,
}

/// The receiver, stopped when dropped.
pub struct LatencySink {
    pub base_url: String,
    listeners: Listeners,
    server: JoinHandle<()>,
}

impl Drop for LatencySink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl LatencySink {
    pub async fn start() -> anyhow::Result<Self> {
        let listeners = Listeners::default();
        let router = Router::new()
            .route("/tocsin", post(tocsin))
            .route("/alertmanager", post(alertmanager))
            .with_state(listeners.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot listen on 127.0.0.1:0 for the notification sink")?;
        let address = listener.local_addr().context("the sink has no address")?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            listeners,
            server,
        })
    }

    /// Registers `key` before its alert is sent; the receiver resolves with the instant the
    /// first notification naming it arrived.
    pub fn expect(&self, key: &str) -> oneshot::Receiver<Instant> {
        let (arrived, arrival) = oneshot::channel();
        if let Ok(mut waiters) = self.listeners.arrivals.lock() {
            waiters.insert(key.to_owned(), arrived);
        }
        arrival
    }

    /// The next verification code Tocsin sends to the sink.
    pub fn expect_code(&self) -> oneshot::Receiver<String> {
        let (sent, code) = oneshot::channel();
        if let Ok(mut waiter) = self.listeners.code.lock() {
            *waiter = Some(sent);
        }
        code
    }

    /// Forgets a key that will not arrive (its alert failed or timed out).
    pub fn forget(&self, key: &str) {
        if let Ok(mut waiters) = self.listeners.arrivals.lock() {
            waiters.remove(key);
        }
    }
}

fn arrived(waiters: &Waiters, key: &str, at: Instant) {
    let waiter = waiters.lock().ok().and_then(|mut w| w.remove(key));
    if let Some(waiter) = waiter {
        let _ = waiter.send(at);
    }
}

async fn tocsin(State(listeners): State<Listeners>, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    if let Some(title) = json["data"]["incident"]["title"].as_str() {
        arrived(&listeners.arrivals, title, at);
    }
    if let Some(code) = json["data"]["verification_code"].as_str() {
        let waiter = listeners.code.lock().ok().and_then(|mut w| w.take());
        if let Some(waiter) = waiter {
            let _ = waiter.send(code.to_owned());
        }
    }
    StatusCode::NO_CONTENT
}

async fn alertmanager(State(listeners): State<Listeners>, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    for alert in json["alerts"].as_array().into_iter().flatten() {
        if let Some(seq) = alert["labels"]["seq"].as_str() {
            arrived(&listeners.arrivals, seq, at);
        }
    }
    StatusCode::OK
}
