//! `/api/v1/services/{id}/integration-keys`: per-service ingest secrets. Managing them is managing
//! the service's owning team; listing shows the secrets (they only ingest, and must be copyable).
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::error::Collector;
use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use tocsin_domain::values::{Name, ValueError};
use tocsin_store::access::integration_keys::{self, IntegrationKey};
use tocsin_store::catalog;

use super::common::PathIds;
use super::services::authorize_owner;
use crate::auth::secrets::{INTEGRATION_KEY_PREFIX, random_secret};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

/// The intake formats a key can be for.
pub const KINDS: [&str; 5] = [
    "generic",
    "pagerduty",
    "alertmanager",
    "opsgenie",
    "heartbeat",
];

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/services/{id}/integration-keys",
            Guard::UserThenHandler,
            list,
        ),
        route(
            Method::POST,
            "/api/v1/services/{id}/integration-keys",
            Guard::UserThenHandler,
            create,
        ),
        route(
            Method::DELETE,
            "/api/v1/services/{id}/integration-keys/{key_id}",
            Guard::UserThenHandler,
            revoke,
        ),
    ]
}

/// An integration key, with its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntegrationKeyView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    pub name: String,
    /// generic, pagerduty, alertmanager, opsgenie or heartbeat.
    pub kind: String,
    /// The bearer secret monitoring tools send; it can only ingest into this service.
    pub secret: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
    /// Generic keys: the field mapping (field -> JSON pointer or template), when one is set.
    #[schema(value_type = Option<Object>)]
    pub mapping: Option<serde_json::Value>,
}

impl From<IntegrationKey> for IntegrationKeyView {
    fn from(key: IntegrationKey) -> Self {
        Self {
            id: key.id.0,
            service_id: key.service_id.0,
            name: key.name,
            kind: key.kind,
            secret: key.secret,
            created_at: key.created_at,
            revoked_at: key.revoked_at,
            mapping: key
                .mapping
                .and_then(|text| serde_json::from_str(&text).ok()),
        }
    }
}

/// A service's keys (a handful per service, so not paginated).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntegrationKeyList {
    pub items: Vec<IntegrationKeyView>,
    /// Always absent: every key fits on one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegrationKey {
    pub name: String,
    /// generic, pagerduty, alertmanager, opsgenie or heartbeat.
    pub kind: String,
}

fn parse_kind(raw: &str) -> Result<String, ValueError> {
    KINDS
        .iter()
        .find(|kind| **kind == raw)
        .map(|kind| (*kind).to_owned())
        .ok_or_else(|| {
            ValueError(
                "must be one of generic, pagerduty, alertmanager, opsgenie, heartbeat".into(),
            )
        })
}

/// Checks the service exists and the caller manages its owning team.
pub(super) async fn authorize_service(
    state: &AppState,
    caller: &Caller,
    id: ServiceId,
) -> Result<(), ApiError> {
    let service = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(caller, service.team_id)
}

/// List a service's integration keys, with their secrets.
#[utoipa::path(get, path = "/api/v1/services/{id}/integration-keys", tag = "catalog",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IntegrationKeyList),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(service): PathId<ServiceId>,
) -> Result<Json<IntegrationKeyList>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let keys = integration_keys::list(state.store.reader(), service).await?;
    Ok(Json(IntegrationKeyList {
        items: keys.into_iter().map(IntegrationKeyView::from).collect(),
        next_cursor: None,
    }))
}

/// Create an integration key for a service.
#[utoipa::path(post, path = "/api/v1/services/{id}/integration-keys", tag = "catalog",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = CreateIntegrationKey, responses(
    (status = 201, body = IntegrationKeyView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(service): PathId<ServiceId>,
    extract::Json(input): extract::Json<CreateIntegrationKey>,
) -> Result<(StatusCode, Json<IntegrationKeyView>), ApiError> {
    authorize_service(&state, &caller, service).await?;
    let mut errors = Collector::default();
    let name = errors.take("/name", Name::parse(&input.name));
    let kind = errors.take("/kind", parse_kind(&input.kind));
    errors.finish()?;
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(ApiError::internal());
    };
    let secret = random_secret(INTEGRATION_KEY_PREFIX);
    let (actor, now) = (caller.actor(), state.clock.now());
    let key = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                integration_keys::create(tx, service, name.into(), kind, secret, &actor, now).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Revoke an integration key: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/services/{id}/integration-keys/{key_id}", tag = "catalog",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("key_id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(service, key): PathIds<ServiceId, IntegrationKeyId>,
) -> Result<StatusCode, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { integration_keys::revoke(tx, service, key, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
