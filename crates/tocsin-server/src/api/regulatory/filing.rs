//! `POST /api/v1/incidents/{id}/regulatory/obligations/{obligation_id}/filing`: records that an
//! obligation was filed — when, the authority's reference, who filed it (the caller) and who
//! approved it (an active user other than the caller: four eyes). Reminders stop.
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Deserialize;
use tocsin_domain::id::{IncidentId, RegulatoryObligationId, UserId};
use tocsin_store::regulatory::{self as store, Filing};

use super::views::ObligationView;
use crate::api::common::{PathIds, conflict_at};
use crate::api::incidents::visible_incident;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract;
use crate::state::AppState;

/// The longest reference, in characters.
const MAX_REFERENCE_CHARS: usize = 200;

/// A filing.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFiling {
    /// When it was filed; absent: now. Not in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub filed_at: Option<Timestamp>,
    /// The authority's reference (a case or accession number), 1 to 200 characters.
    pub reference: String,
    /// Who approved the filing: an active user other than the one recording it.
    #[schema(value_type = String, format = Uuid)]
    pub approver_user_id: uuid::Uuid,
}

/// Record an obligation's filing (responders); 409 when it is already filed.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/regulatory/obligations/{obligation_id}/filing",
    tag = "regulatory", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("obligation_id" = String, Path, format = Uuid)),
    request_body = RecordFiling, responses(
    (status = 200, body = ObligationView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn record_filing(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, obligation): PathIds<IncidentId, RegulatoryObligationId>,
    extract::Json(input): extract::Json<RecordFiling>,
) -> Result<Json<ObligationView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let filer = caller.user_id()?;
    let reference = input.reference.trim().to_owned();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
        return Err(ApiError::field(
            "/reference",
            format!("must be 1 to {MAX_REFERENCE_CHARS} characters"),
        ));
    }
    let now = state.clock.now();
    let filing = Filing {
        filed_at: input.filed_at.unwrap_or(now),
        reference,
        approved_by: UserId(input.approver_user_id),
    };
    let actor = caller.actor();
    let filed = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { store::file(tx, id, obligation, filing, filer, &actor, now).await },
            )
        })
        .await
        .map_err(conflict_at(""))?;
    let profile = store::get_profile(state.store.reader(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("regulatory profile"))?;
    let why = tocsin_domain::regulatory::applicable(
        &profile.profile.exposure,
        &profile.profile.jurisdictions,
    )
    .into_iter()
    .find(|d| d.regime == filed.regime)
    .map(|d| d.why)
    .unwrap_or_default();
    Ok(Json(ObligationView::new(filed, &profile, why, now)))
}
