//! The triage review queue (incidents auto-triage could not classify confidently) and the
//! classification accuracy report (initial vs final priority and category, by category).
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tocsin_store::classification::{self, AccuracyRow};
use tocsin_store::incident;

use crate::api::incidents::{IncidentPage, IncidentView};
use crate::error::ApiError;
use crate::extract::{Page, PageQuery, Query};
use crate::state::AppState;

/// `?limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Incidents waiting for a human to classify them (auto-triage was not confident enough),
/// newest first, each with its suggestion.
#[utoipa::path(get, path = "/api/v1/incidents/triage-queue", tag = "incidents",
    security(("bearer" = [])), params(QueueQuery), responses(
    (status = 200, body = IncidentPage),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn triage_queue(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    Query(query): Query<QueueQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let paging = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = paging.limit()?;
    let viewer = crate::api::incidents::viewer_of(&caller);
    let rows =
        incident::triage_queue(state.store.reader(), viewer, paging.after()?, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |i| i.id.0).map(IncidentView::from);
    Ok(Json(IncidentPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One category's line of the accuracy report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccuracyLine {
    /// The final category; null for incidents not classified yet.
    pub category: Option<String>,
    pub incidents: i64,
    /// First classified as another category.
    pub category_changed: i64,
    /// Their priority now differs from the first one.
    pub priority_changed: i64,
}

/// The accuracy report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccuracyReport {
    pub by_category: Vec<AccuracyLine>,
}

impl From<AccuracyRow> for AccuracyLine {
    fn from(row: AccuracyRow) -> Self {
        Self {
            category: row.category,
            incidents: row.incidents,
            category_changed: row.category_changed,
            priority_changed: row.priority_changed,
        }
    }
}

/// Classification accuracy: per final category, how many incidents ended with another category
/// or priority than they started with.
#[utoipa::path(get, path = "/api/v1/reports/classification-accuracy", tag = "incidents",
    security(("bearer" = [])), responses((status = 200, body = AccuracyReport)))]
pub async fn accuracy(State(state): State<AppState>) -> Result<Json<AccuracyReport>, ApiError> {
    let rows = classification::accuracy(state.store.reader()).await?;
    Ok(Json(AccuracyReport {
        by_category: rows.into_iter().map(Into::into).collect(),
    }))
}
