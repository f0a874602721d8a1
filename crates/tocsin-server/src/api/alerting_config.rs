//! Alerting configuration: event rules (global `/api/v1/alert-rules` and per service
//! `/api/v1/services/{id}/alert-rules`), inhibition rules (`/api/v1/inhibit-rules`) and
//! maintenance windows (`/api/v1/maintenance-windows`). Rule sets are versioned documents with
//! ETag / If-Match; each change is on the event log and applies to the next alert.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::inhibit::InhibitRule;
use tocsin_domain::alerting::maintenance::MaintenanceWindow;
use tocsin_domain::alerting::rules::Rule;
use tocsin_domain::alerting::{Validate, from_json};
use tocsin_domain::id::ServiceId;
use tocsin_domain::{FieldError, ValidationError};
use tocsin_store::catalog;
use tocsin_store::orchestration::config::{self, GLOBAL_RULES_SCOPE, INHIBIT_SCOPE};
use tocsin_store::orchestration::maintenance::{self, StoredWindow};

use super::common::Versioned;
use super::services::authorize_owner;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let manage = || Guard::Allow(Action::ManageAlerting);
    vec![
        route(Method::GET, "/api/v1/alert-rules", read(), get_global),
        route(Method::PUT, "/api/v1/alert-rules", manage(), put_global),
        route(
            Method::GET,
            "/api/v1/services/{id}/alert-rules",
            read(),
            get_service,
        ),
        route(
            Method::PUT,
            "/api/v1/services/{id}/alert-rules",
            Guard::UserThenHandler,
            put_service,
        ),
        route(
            Method::GET,
            "/api/v1/services/{id}/grouping",
            read(),
            get_grouping,
        ),
        route(
            Method::PUT,
            "/api/v1/services/{id}/grouping",
            Guard::UserThenHandler,
            put_grouping,
        ),
        route(Method::GET, "/api/v1/inhibit-rules", read(), get_inhibit),
        route(Method::PUT, "/api/v1/inhibit-rules", manage(), put_inhibit),
        route(
            Method::GET,
            "/api/v1/maintenance-windows",
            read(),
            list_windows,
        ),
        route(
            Method::POST,
            "/api/v1/maintenance-windows",
            manage(),
            create_window,
        ),
        route(
            Method::DELETE,
            "/api/v1/maintenance-windows/{id}",
            manage(),
            delete_window,
        ),
    ]
}

/// A rule set: ordered rules (event rules or inhibition rules) and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleSet {
    #[schema(value_type = Vec<Object>)]
    pub rules: serde_json::Value,
    /// 0 until first written; send it back as `If-Match` to refuse a lost update.
    pub version: i64,
}

/// The new rules, replacing the whole list.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRules {
    #[schema(value_type = Vec<Object>)]
    pub rules: serde_json::Value,
}

fn under(prefix: &str, error: ValidationError) -> ApiError {
    ValidationError(
        error
            .0
            .into_iter()
            .map(|e: FieldError| e.under(prefix))
            .collect(),
    )
    .into()
}

async fn read_set(state: &AppState, scope: &str) -> Result<Versioned<RuleSet>, ApiError> {
    let document = config::get(state.store.reader(), scope).await?;
    Ok(Versioned {
        version: document.version,
        body: RuleSet {
            rules: document.definition,
            version: document.version,
        },
    })
}

async fn write_set(
    state: &AppState,
    caller: &Caller,
    scope: String,
    rules: serde_json::Value,
    expected: Option<i64>,
) -> Result<Versioned<RuleSet>, ApiError> {
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = rules.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(async move { config::put(tx, &scope, &stored, expected, &actor, now).await })
        })
        .await?;
    state.orchestrator.invalidate();
    Ok(Versioned {
        version,
        body: RuleSet { rules, version },
    })
}

/// Checks event rules; answers them normalised.
fn event_rules(rules: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let parsed = from_json::<Vec<Rule>>(rules).map_err(|e| under("/rules", e))?;
    serde_json::to_value(parsed).map_err(|_| ApiError::internal())
}

/// The global event rules, applied to every alert before its service's rules.
#[utoipa::path(get, path = "/api/v1/alert-rules", tag = "alerts", security(("bearer" = [])), responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
))]
pub async fn get_global(State(state): State<AppState>) -> Result<Versioned<RuleSet>, ApiError> {
    read_set(&state, GLOBAL_RULES_SCOPE).await
}

/// Replace the global event rules.
#[utoipa::path(put, path = "/api/v1/alert-rules", tag = "alerts", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)), request_body = PutRules, responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_global(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<PutRules>,
) -> Result<Versioned<RuleSet>, ApiError> {
    let rules = event_rules(input.rules)?;
    write_set(
        &state,
        &caller,
        GLOBAL_RULES_SCOPE.to_owned(),
        rules,
        expected,
    )
    .await
}

/// A service's event rules, applied after the global ones.
#[utoipa::path(get, path = "/api/v1/services/{id}/alert-rules", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_service(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<RuleSet>, ApiError> {
    catalog::get_service(state.store.reader(), id).await?;
    read_set(&state, &config::service_scope(id.0)).await
}

/// Replace a service's event rules (its owning team's managers).
#[utoipa::path(put, path = "/api/v1/services/{id}/alert-rules", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body = PutRules, responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_service(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<PutRules>,
) -> Result<Versioned<RuleSet>, ApiError> {
    let service = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(&caller, service.team_id)?;
    let rules = event_rules(input.rules)?;
    write_set(
        &state,
        &caller,
        config::service_scope(id.0),
        rules,
        expected,
    )
    .await
}

/// A service's grouping policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupingView {
    /// `{"type": "off"}`, `{"type": "content", "fields": [...], "window_seconds": N}` or
    /// `{"type": "time_window", "window_seconds": N}`.
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    pub version: i64,
}

/// How a service groups its alerts into incidents (off: one incident per alert).
#[utoipa::path(get, path = "/api/v1/services/{id}/grouping", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = GroupingView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_grouping(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<GroupingView>, ApiError> {
    let (policy, version) =
        read_service_document::<GroupingPolicy>(&state, id, &config::grouping_scope(id.0)).await?;
    Ok(Versioned {
        version,
        body: GroupingView { policy, version },
    })
}

/// Set how a service groups its alerts (its owning team's managers).
#[utoipa::path(put, path = "/api/v1/services/{id}/grouping", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "a grouping policy"), responses(
    (status = 200, body = GroupingView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_grouping(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<GroupingView>, ApiError> {
    let scope = config::grouping_scope(id.0);
    let (policy, version) =
        write_service_document::<GroupingPolicy>(&state, &caller, id, scope, expected, body)
            .await?;
    Ok(Versioned {
        version,
        body: GroupingView { policy, version },
    })
}

/// A service's settings document (grouping, noise control) and its version; the default
/// settings at version 0 when never written.
pub(super) async fn read_service_document<T: Serialize + Default>(
    state: &AppState,
    id: ServiceId,
    scope: &str,
) -> Result<(serde_json::Value, i64), ApiError> {
    catalog::get_service(state.store.reader(), id).await?;
    let document = config::get(state.store.reader(), scope).await?;
    let settings = if document.version == 0 {
        serde_json::to_value(T::default()).map_err(|_| ApiError::internal())?
    } else {
        document.definition
    };
    Ok((settings, document.version))
}

/// Replaces a service's settings document (its owning team's managers): validated, stored
/// normalised; answers it with its new version.
pub(super) async fn write_service_document<T: DeserializeOwned + Validate + Serialize>(
    state: &AppState,
    caller: &Caller,
    id: ServiceId,
    scope: String,
    expected: Option<i64>,
    body: serde_json::Value,
) -> Result<(serde_json::Value, i64), ApiError> {
    let service = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(caller, service.team_id)?;
    let settings = from_json::<T>(body)?;
    let settings = serde_json::to_value(settings).map_err(|_| ApiError::internal())?;
    let stored = write_set(state, caller, scope, settings, expected).await?;
    Ok((stored.body.rules, stored.version))
}

/// The inhibition rules (Alertmanager's: source matchers, target matchers, equal labels).
#[utoipa::path(get, path = "/api/v1/inhibit-rules", tag = "alerts", security(("bearer" = [])), responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
))]
pub async fn get_inhibit(State(state): State<AppState>) -> Result<Versioned<RuleSet>, ApiError> {
    read_set(&state, INHIBIT_SCOPE).await
}

/// Replace the inhibition rules.
#[utoipa::path(put, path = "/api/v1/inhibit-rules", tag = "alerts", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)), request_body = PutRules, responses(
    (status = 200, body = RuleSet, headers(("ETag" = String))),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_inhibit(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<PutRules>,
) -> Result<Versioned<RuleSet>, ApiError> {
    let serde_json::Value::Array(items) = input.rules else {
        return Err(ApiError::field(
            "/rules",
            "must be a list of inhibition rules",
        ));
    };
    let mut parsed = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match from_json::<InhibitRule>(item) {
            Ok(rule) => parsed.push(rule),
            Err(error) => errors.extend(
                error
                    .0
                    .into_iter()
                    .map(|e| e.under(&format!("/rules/{index}"))),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(ValidationError(errors).into());
    }
    let rules = serde_json::to_value(parsed).map_err(|_| ApiError::internal())?;
    write_set(&state, &caller, INHIBIT_SCOPE.to_owned(), rules, expected).await
}

/// A maintenance window.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// services, description, and schedule (one-off or weekly).
    #[schema(value_type = Object)]
    pub window: serde_json::Value,
    /// Whether the window holds its services right now.
    pub active: bool,
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

fn window_view(stored: StoredWindow, now: jiff::Timestamp) -> WindowView {
    WindowView {
        id: stored.id,
        active: stored.window.is_active(now),
        window: serde_json::to_value(&stored.window).unwrap_or_default(),
        created_by: stored.created_by,
        created_at: stored.created_at,
    }
}

/// The maintenance windows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowList {
    pub items: Vec<WindowView>,
}

/// Every maintenance window.
#[utoipa::path(get, path = "/api/v1/maintenance-windows", tag = "alerts", security(("bearer" = [])), responses(
    (status = 200, body = WindowList),
))]
pub async fn list_windows(State(state): State<AppState>) -> Result<Json<WindowList>, ApiError> {
    let now = state.clock.now();
    let items = maintenance::list(state.store.reader())
        .await?
        .into_iter()
        .map(|w| window_view(w, now))
        .collect();
    Ok(Json(WindowList { items }))
}

/// Create a maintenance window: `{"services": [...], "description": "...", "schedule":
/// {"kind": "one_off", "starts_at", "ends_at"} | {"kind": "weekly", "days", "start", "duration_minutes", "time_zone"}}`.
#[utoipa::path(post, path = "/api/v1/maintenance-windows", tag = "alerts", security(("bearer" = [])),
    request_body(content = Object, description = "services, description, schedule"), responses(
    (status = 201, body = WindowView),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create_window(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<(StatusCode, Json<WindowView>), ApiError> {
    let window = from_json::<MaintenanceWindow>(body)?;
    for (index, service) in window.services.iter().enumerate() {
        if catalog::get_service(state.store.reader(), *service)
            .await
            .is_err()
        {
            return Err(ApiError::field(
                format!("/services/{index}"),
                "no such service",
            ));
        }
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move { maintenance::create(tx, window, &actor, now).await })
        })
        .await?;
    state.orchestrator.invalidate();
    Ok((StatusCode::CREATED, Json(window_view(stored, now))))
}

/// Delete a maintenance window; alerts it held are evaluated again.
#[utoipa::path(delete, path = "/api/v1/maintenance-windows/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete_window(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| Box::pin(async move { maintenance::delete(tx, id, &actor, now).await }))
        .await?;
    state.orchestrator.invalidate();
    Ok(StatusCode::NO_CONTENT)
}
