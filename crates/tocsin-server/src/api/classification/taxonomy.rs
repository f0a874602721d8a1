//! `/api/v1/taxonomy`: the current taxonomy of categories and attributions and every version;
//! admins propose a version, and a second admin (not the proposer) approves it before it
//! applies. Incidents keep the version they were classified with.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tocsin_domain::priority::Taxonomy;
use tocsin_store::classification::taxonomy::{self, TaxonomyVersion};

use crate::api::common::{conflict_at, parse_document};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract;
use crate::state::AppState;

/// A taxonomy version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyVersionView {
    pub version: i64,
    /// `{categories: [{slug, name}], attributions: [{slug, name}]}`.
    #[schema(value_type = Object)]
    pub taxonomy: serde_json::Value,
    /// proposed or approved.
    pub state: String,
    pub note: String,
    pub proposed_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub proposed_at: jiff::Timestamp,
    pub approved_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<jiff::Timestamp>,
}

impl From<TaxonomyVersion> for TaxonomyVersionView {
    fn from(v: TaxonomyVersion) -> Self {
        Self {
            version: v.version,
            taxonomy: serde_json::to_value(v.taxonomy).unwrap_or_default(),
            state: v.state,
            note: v.note,
            proposed_by: v.proposed_by,
            proposed_at: v.proposed_at,
            approved_by: v.approved_by,
            approved_at: v.approved_at,
        }
    }
}

/// The current taxonomy and every stored version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyView {
    /// 0: the built-in default (no version approved yet).
    pub current_version: i64,
    #[schema(value_type = Object)]
    pub current: serde_json::Value,
    /// Newest first, proposals included.
    pub versions: Vec<TaxonomyVersionView>,
}

/// The current taxonomy and its versions.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = TaxonomyView)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<TaxonomyView>, ApiError> {
    let (current_version, current) = taxonomy::current(state.store.reader()).await?;
    let versions = taxonomy::versions(state.store.reader()).await?;
    Ok(Json(TaxonomyView {
        current_version,
        current: serde_json::to_value(current).map_err(|_| ApiError::internal())?,
        versions: versions.into_iter().map(Into::into).collect(),
    }))
}

/// A proposed taxonomy.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProposalInput {
    #[schema(value_type = Object)]
    pub taxonomy: serde_json::Value,
    /// Why the change (shown to the approver).
    #[serde(default)]
    pub note: String,
}

/// Propose a taxonomy version (admins). It applies once another admin approves it.
#[utoipa::path(post, path = "/api/v1/taxonomy/proposals", tag = "incidents",
    security(("bearer" = [])), request_body = ProposalInput, responses(
    (status = 201, body = TaxonomyVersionView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<ProposalInput>,
) -> Result<(StatusCode, Json<TaxonomyVersionView>), ApiError> {
    let proposed: Taxonomy = parse_document(input.taxonomy).map_err(|mut e| {
        for error in &mut e.errors {
            error.pointer = format!("/taxonomy{}", error.pointer);
        }
        e
    })?;
    if input.note.chars().count() > 2000 {
        return Err(ApiError::field("/note", "must be at most 2000 characters"));
    }
    let (actor, now, note) = (caller.actor(), state.clock.now(), input.note);
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move { taxonomy::propose(tx, proposed, note, &actor, now).await })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Approve a proposed taxonomy version (an admin other than its proposer): it becomes current.
/// The proposer, an already approved version and a version older than the current one are
/// refused with 409 and the reason.
#[utoipa::path(post, path = "/api/v1/taxonomy/proposals/{version}/approve", tag = "incidents",
    security(("bearer" = [])), params(("version" = i64, Path)), responses(
    (status = 200, body = TaxonomyVersionView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<TaxonomyVersionView>, ApiError> {
    let version: i64 = version
        .parse()
        .map_err(|_| ApiError::not_found("taxonomy version"))?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| Box::pin(async move { taxonomy::approve(tx, version, &actor, now).await }))
        .await
        .map_err(conflict_at(""))?;
    Ok(Json(stored.into()))
}
