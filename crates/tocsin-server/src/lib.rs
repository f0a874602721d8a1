//! Tocsin's HTTP server: the JSON API under `/api/v1`, its OpenAPI document, health and metrics,
//! authentication and the one access policy, and the web pages.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod health;
pub mod ingest;
pub mod live;
pub mod observability;
pub mod openapi;
pub mod router;
pub mod state;
pub mod web;

use std::future::Future;

pub use auth::bootstrap::{FirstLogin, ensure_owner};
pub use router::app;
pub use state::{AppState, ServerConfig};

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
