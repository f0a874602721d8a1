//! Heartbeat pings: `/api/v1/heartbeats/{key}/ping` with any method (cron jobs send whatever their
//! HTTP client does: `curl` GETs, `wget --post-data`, `curl -I` HEADs), the heartbeat's ping key in
//! the path. A ping passes the intake gate (rate-limited per heartbeat), moves the deadline, and
//! resolves the heartbeat's alert when it was down. Errors are problem documents.
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tocsin_store::heartbeat;

use super::intake::{self, IntakeFailure};
use crate::auth::Guard;
use crate::error::{ApiError, ProblemKind};
use crate::router::{Route, route_any};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    route_any("/api/v1/heartbeats/{key}/ping", Guard::Public, ping)
        .into_iter()
        .map(|route| route.with_body_limit(intake::BODY_LIMIT_BYTES))
        .collect()
}

/// What a ping did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PingAccepted {
    /// Always `ok`.
    pub status: &'static str,
    /// The heartbeat's new deadline: without another ping by then, it goes down and alerts.
    #[schema(value_type = String, format = DateTime)]
    pub next_due_at: jiff::Timestamp,
}

/// Ping a heartbeat monitor (any method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS).
///
/// The body, if any, is ignored. A heartbeat that was down recovers and its alert resolves.
#[utoipa::path(method(get, head, post, put, patch, delete, options), path = "/api/v1/heartbeats/{key}/ping",
    tag = "intake",
    params(("key" = String, Path, description = "The heartbeat's ping key")), responses(
    (status = 200, body = PingAccepted),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 429, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 503, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn ping(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match accept(&state, &secret).await {
        Ok(accepted) => Json(accepted).into_response(),
        Err(failure) => failure.into_problem().into_response(),
    }
}

fn unknown() -> IntakeFailure {
    IntakeFailure::Api(ApiError::new(ProblemKind::NotFound, "no such heartbeat"))
}

async fn accept(state: &AppState, secret: &str) -> Result<PingAccepted, IntakeFailure> {
    if secret.is_empty() || secret.len() > 200 {
        return Err(unknown());
    }
    let known = heartbeat::find_by_secret(state.store.reader(), secret)
        .await
        .map_err(|error| IntakeFailure::Api(error.into()))?
        .ok_or_else(unknown)?;
    let _permit = intake::admit_sender(state, known.id.0, 1)?;
    metrics::counter!("tocsin_heartbeat_pings_total").increment(1);
    let (secret, now) = (secret.to_owned(), state.clock.now());
    let pinged = state
        .store
        .write(move |tx| Box::pin(async move { heartbeat::ping(tx, &secret, now).await }))
        .await
        .map_err(|error| IntakeFailure::Api(error.into()))?
        .ok_or_else(unknown)?;
    Ok(PingAccepted {
        status: "ok",
        next_due_at: pinged.heartbeat.due_at,
    })
}
