//! Liveness, readiness, metrics, and the pages behind problem `type` URIs.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use tocsin_store::SchemaStatus;

use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub schema_version: i64,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers and its schema is current.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Readiness),
    (status = 503, description = "Database unreachable or schema not current", body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    state.store.ping().await?;
    match state.store.schema_status().await? {
        SchemaStatus::Current { version } => {
            Ok(Json(Readiness { status: "ready", database: state.store.backend().as_str(), schema_version: version }))
        }
        SchemaStatus::Behind { database, binary } => Err(ApiError::new(
            ProblemKind::Unavailable,
            format!("migrations pending: database at {database}, binary at {binary}; run `tocsin migrate`"),
        )
        .with_retry_after(30)),
        SchemaStatus::Ahead { database, binary } => Err(ApiError::new(
            ProblemKind::Unavailable,
            format!("database schema {database} is newer than this binary ({binary})"),
        )),
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render(&state.store).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Explains a problem type, so `type` URIs in problem documents resolve.
pub async fn problem_page(Path(slug): Path<String>) -> Response {
    match ProblemKind::from_slug(&slug) {
        Some(kind) => Html(format!(
            "<!doctype html><html lang=\"en\"><title>{title}</title><h1>{title}</h1>\
             <p>HTTP status {status}. Problem type <code>/problems/{slug}</code>. See the <code>detail</code> and \
             <code>errors</code> members of the response for what to change; quote the <code>request_id</code> \
             when reporting it.</p></html>",
            title = kind.title(),
            status = kind.status().as_u16(),
            slug = kind.slug(),
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, ApiError::not_found("problem type")).into_response(),
    }
}
