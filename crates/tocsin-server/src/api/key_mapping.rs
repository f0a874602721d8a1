//! `PUT /api/v1/services/{id}/integration-keys/{key_id}/mapping`: how a generic key's webhook
//! bodies map to alerts. Guarded like the other key routes (the service's team managers).
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde_json::Value;
use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use tocsin_store::StoreError;
use tocsin_store::access::integration_keys;

use super::common::PathIds;
use super::integration_keys::{IntegrationKeyView, authorize_service};
use crate::auth::{Caller, Guard};
use crate::error::{ApiError, ProblemKind};
use crate::extract;
use crate::ingest::generic::Mapping;
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::PUT,
        "/api/v1/services/{id}/integration-keys/{key_id}/mapping",
        Guard::UserThenHandler,
        put,
    )]
}

/// Set a generic key's field mapping.
///
/// An object whose `summary`, `severity`, `dedup_key`, `action`,
/// `source` and `details` are each a JSON pointer into the body (`/alert/name`) or a minijinja
/// template (`{{ alert.name | upper }}`); fields left out keep the default mapping, and `{}`
/// clears it.
#[utoipa::path(put, path = "/api/v1/services/{id}/integration-keys/{key_id}/mapping", tag = "catalog",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("key_id" = String, Path, format = Uuid)),
    request_body(content = Object, description = "field -> JSON pointer or template"), responses(
    (status = 200, body = IntegrationKeyView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(service, key): PathIds<ServiceId, IntegrationKeyId>,
    extract::Json(document): extract::Json<Value>,
) -> Result<Json<IntegrationKeyView>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let existing = integration_keys::list(state.store.reader(), service)
        .await?
        .into_iter()
        .find(|k| k.id == key)
        .ok_or(StoreError::NotFound("integration key"))?;
    if existing.kind != "generic" {
        return Err(ApiError::new(
            ProblemKind::Conflict,
            format!(
                "only generic keys take a mapping; this key is for {}",
                existing.kind
            ),
        ));
    }
    let mapping = Mapping::parse(&document).map_err(|errors| {
        let detail = errors
            .iter()
            .map(|e| e.detail.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::new(ProblemKind::Validation, detail).with_errors(errors)
    })?;
    let stored = (!mapping.is_empty()).then(|| mapping.to_json().to_string());
    let (actor, now) = (caller.actor(), state.clock.now());
    let key = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                integration_keys::set_mapping(tx, service, key, stored, &actor, now).await
            })
        })
        .await?;
    Ok(Json(key.into()))
}
