//! `/api/v1/services/{id}/incident-lifecycle`: a service's incident lifecycle settings — the
//! stability window before an incident resolves itself, the reopen window, the open-alert cap and
//! upstream correlation. A versioned document (ETag / If-Match) under the alerting configuration
//! scope `lifecycle:<service id>`; each change is on the event log and applies to the next alert.
use axum::extract::State;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::id::ServiceId;
use tocsin_store::orchestration::config;

use super::alerting_config::{read_service_document, write_service_document};
use super::common::Versioned;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const PATH: &str = "/api/v1/services/{id}/incident-lifecycle";

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            PATH,
            Guard::Allow(Action::ReadAlerts),
            get_lifecycle,
        ),
        route(Method::PUT, PATH, Guard::UserThenHandler, put_lifecycle),
    ]
}

/// A service's incident lifecycle settings and their version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LifecycleView {
    /// `{"stability_window_seconds": 300, "reopen_window_seconds": 600, "max_open_alerts": 1000,
    /// "correlate_with_upstream": {"window_seconds": 900}}` (correlation absent: off).
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// 0 until first written; send it back as `If-Match` to refuse a lost update.
    pub version: i64,
}

/// How a service's incidents resolve, reopen, absorb alert storms and correlate upstream.
#[utoipa::path(get, path = "/api/v1/services/{id}/incident-lifecycle", tag = "alerts",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = LifecycleView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_lifecycle(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<LifecycleView>, ApiError> {
    let scope = config::lifecycle_scope(id.0);
    let (settings, version) =
        read_service_document::<IncidentLifecycle>(&state, id, &scope).await?;
    Ok(Versioned {
        version,
        body: LifecycleView { settings, version },
    })
}

/// Set a service's incident lifecycle settings (its owning team's managers). Absent fields take
/// their defaults; unknown fields and out-of-range values are refused, naming the field.
#[utoipa::path(put, path = "/api/v1/services/{id}/incident-lifecycle", tag = "alerts",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "incident lifecycle settings"), responses(
    (status = 200, body = LifecycleView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_lifecycle(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<LifecycleView>, ApiError> {
    let scope = config::lifecycle_scope(id.0);
    let (settings, version) =
        write_service_document::<IncidentLifecycle>(&state, &caller, id, scope, expected, body)
            .await?;
    Ok(Versioned {
        version,
        body: LifecycleView { settings, version },
    })
}
