//! The generic JSON webhook: `POST /api/v1/integrations/{key}/generic`, the key (of kind
//! `generic`) in the path, any JSON body mapped to an alert by the key's mapping or the default
//! one (see `evaluate`). Errors are problem documents.
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::intake::{self, IntakeFailure, read_json};
use super::keys::{self, KeyRejection};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::router::{Route, route};
use crate::state::AppState;

pub mod evaluate;
pub mod mapping;

pub use mapping::Mapping;

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/api/v1/integrations/{key}/generic",
            Guard::Public,
            receive,
        )
        .with_body_limit(intake::BODY_LIMIT_BYTES),
    ]
}

/// What an accepted webhook did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenericAccepted {
    /// Always `accepted`.
    pub status: &'static str,
    /// The dedup key the body mapped to.
    pub dedup_key: String,
    /// The alert opened or touched; absent when an acknowledge or resolve found no open alert.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub alert_id: Option<uuid::Uuid>,
}

/// Send any JSON body as an alert.
///
/// With no mapping set on the key: summary from `/summary`, `/title` or `/message`; severity `/severity` (default error); dedup key `/dedup_key` or `/id`
/// (default a hash of the body); action `/action` or `/status` (trigger, resolve, acknowledge);
/// source `/source`; details the whole body.
#[utoipa::path(post, path = "/api/v1/integrations/{key}/generic", tag = "intake",
    params(("key" = String, Path, description = "The secret of an integration key of kind generic")),
    request_body(content = Object, description = "Any JSON object"), responses(
    (status = 202, body = GenericAccepted),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 413, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 429, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn receive(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept(&state, &secret, body).await {
        Ok(accepted) => (StatusCode::ACCEPTED, Json(accepted)).into_response(),
        Err(failure) => failure.into_problem().into_response(),
    }
}

async fn accept(
    state: &AppState,
    secret: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<GenericAccepted, IntakeFailure> {
    let (key, stored) = keys::resolve_with_mapping(state, secret, "generic")
        .await
        .map_err(|rejection| match rejection {
            KeyRejection::Unknown => IntakeFailure::UnknownKey,
            KeyRejection::Store(error) => IntakeFailure::Api(error),
        })?;
    let (raw, value) = read_json(body)?;
    let mapping = match stored {
        None => Mapping::default(),
        Some(text) => serde_json::from_str(&text)
            .ok()
            .and_then(|document| Mapping::parse(&document).ok())
            .ok_or_else(|| IntakeFailure::Api(ApiError::internal()))?,
    };
    let mapped = evaluate::apply(&mapping, &value).map_err(IntakeFailure::Invalid)?;
    let dedup_key = mapped.dedup_key.clone();
    let outcomes = intake::submit(state, key, vec![mapped.into_incoming(&key, raw)]).await?;
    Ok(GenericAccepted {
        status: "accepted",
        dedup_key,
        alert_id: outcomes.first().and_then(|o| o.alert_id).map(|a| a.0),
    })
}
