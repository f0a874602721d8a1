//! `/api/v1/services/{id}/noise-control`: a service's transient pause and flap detection, a
//! versioned document (ETag / If-Match) applied to the next alert and to held alerts.
use axum::extract::State;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::noise::NoiseControl;
use tocsin_domain::id::ServiceId;
use tocsin_store::orchestration::config;

use super::alerting_config::{read_service_document, write_service_document};
use super::common::Versioned;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/services/{id}/noise-control",
            Guard::Allow(Action::ReadAlerts),
            get_noise,
        ),
        route(
            Method::PUT,
            "/api/v1/services/{id}/noise-control",
            Guard::UserThenHandler,
            put_noise,
        ),
    ]
}

/// A service's noise control and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoiseControlView {
    /// `{"transient_pause_seconds": 30, "flap": {"max_changes": 4, "window_seconds": 600}}`:
    /// hold each new alert 30 s to see whether it resolves on its own (0: off); hold a new
    /// trigger of a key that triggered and resolved more than 4 times within 600 s (null: off).
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// 0 until first written; send it back as `If-Match` to refuse a lost update.
    pub version: i64,
}

fn view(settings: serde_json::Value, version: i64) -> Versioned<NoiseControlView> {
    Versioned {
        version,
        body: NoiseControlView { settings, version },
    }
}

/// A service's transient pause and flap detection (both off until set).
#[utoipa::path(get, path = "/api/v1/services/{id}/noise-control", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = NoiseControlView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_noise(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<NoiseControlView>, ApiError> {
    let scope = config::noise_scope(id.0);
    let (settings, version) = read_service_document::<NoiseControl>(&state, id, &scope).await?;
    Ok(view(settings, version))
}

/// Set a service's transient pause and flap detection (its owning team's managers).
#[utoipa::path(put, path = "/api/v1/services/{id}/noise-control", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "transient_pause_seconds (0 to 86400) and flap \
        ({max_changes: 1 to 1000, window_seconds: 1 to 86400} or null)"), responses(
    (status = 200, body = NoiseControlView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_noise(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<NoiseControlView>, ApiError> {
    let scope = config::noise_scope(id.0);
    let (settings, version) =
        write_service_document::<NoiseControl>(&state, &caller, id, scope, expected, body).await?;
    Ok(view(settings, version))
}
