//! `/api/v1/silences`: Alertmanager-style silences (matchers, start, end, author, comment).
//! Alerts a silence matches are stored and counted but do not page; when it ends (or is expired),
//! the ones still firing are evaluated again. A preview shows which open alerts a silence would
//! match before it is created.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::silence::{Silence, SilenceState};
use tocsin_domain::alerting::{Matchers, from_json};
use tocsin_store::alert::{self, AlertFilter};
use tocsin_store::orchestration::silences::{self, StoredSilence};

use super::alerts::AlertView;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(Method::GET, "/api/v1/silences", read(), list),
        route(Method::POST, "/api/v1/silences", respond(), create),
        route(Method::POST, "/api/v1/silences/preview", read(), preview),
        route(Method::GET, "/api/v1/silences/{id}", read(), get),
        route(Method::DELETE, "/api/v1/silences/{id}", respond(), expire),
    ]
}

/// A matcher, as Alertmanager's API v2 writes it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatcherView {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

/// Where a silence is in time.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SilenceStatus {
    /// pending, active or expired.
    pub state: String,
}

/// A silence, in Alertmanager API v2's shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SilenceView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub status: SilenceStatus,
    pub matchers: Vec<MatcherView>,
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: jiff::Timestamp,
    pub created_by: String,
    pub comment: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

fn view(stored: StoredSilence, now: jiff::Timestamp) -> SilenceView {
    let state = match stored.silence.state(now) {
        SilenceState::Pending => "pending",
        SilenceState::Active => "active",
        SilenceState::Expired => "expired",
    };
    SilenceView {
        id: stored.id,
        status: SilenceStatus {
            state: state.into(),
        },
        matchers: stored
            .silence
            .matchers
            .iter()
            .map(|m| MatcherView {
                name: m.name().to_owned(),
                value: m.value().to_owned(),
                is_regex: m.op().is_regex(),
                is_equal: m.op().is_equal(),
            })
            .collect(),
        starts_at: stored.silence.starts_at,
        ends_at: stored.silence.ends_at,
        created_by: stored.silence.created_by,
        comment: stored.silence.comment,
        updated_at: stored.updated_at,
    }
}

/// The silences.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SilenceList {
    pub items: Vec<SilenceView>,
}

/// Every silence, newest first.
#[utoipa::path(get, path = "/api/v1/silences", tag = "alerts", security(("bearer" = [])), responses(
    (status = 200, body = SilenceList),
))]
pub async fn list(State(state): State<AppState>) -> Result<Json<SilenceList>, ApiError> {
    let now = state.clock.now();
    let items = silences::list(state.store.reader())
        .await?
        .into_iter()
        .map(|s| view(s, now))
        .collect();
    Ok(Json(SilenceList { items }))
}

/// A silence.
#[utoipa::path(get, path = "/api/v1/silences/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = SilenceView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<uuid::Uuid>,
) -> Result<Json<SilenceView>, ApiError> {
    let stored = silences::get(state.store.reader(), id).await?;
    Ok(Json(view(stored, state.clock.now())))
}

/// The body as a validated silence; `createdBy` defaults to the caller.
fn parse(mut body: serde_json::Value, caller: &Caller) -> Result<Silence, ApiError> {
    if let Some(object) = body.as_object_mut()
        && !object.contains_key("createdBy")
        && !object.contains_key("created_by")
    {
        let author = caller
            .user
            .as_ref()
            .map_or_else(|| caller.actor(), |u| u.name.clone());
        object.insert("created_by".into(), serde_json::Value::String(author));
    }
    from_json::<Silence>(body).map_err(ApiError::from)
}

/// Create a silence (Alertmanager API v2 body: matchers, startsAt, endsAt, comment, createdBy).
#[utoipa::path(post, path = "/api/v1/silences", tag = "alerts", security(("bearer" = [])),
    request_body(content = Object, description = "Alertmanager API v2 postable silence"), responses(
    (status = 201, body = SilenceView),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<(StatusCode, Json<SilenceView>), ApiError> {
    let silence = parse(body, &caller)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| Box::pin(async move { silences::create(tx, silence, &actor, now).await }))
        .await?;
    state.orchestrator.invalidate();
    Ok((StatusCode::CREATED, Json(view(stored, now))))
}

/// Expire a silence: it ends now, and the alerts it held are evaluated again.
#[utoipa::path(delete, path = "/api/v1/silences/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn expire(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| Box::pin(async move { silences::expire(tx, id, &actor, now).await }))
        .await?;
    state.orchestrator.invalidate();
    Ok(StatusCode::NO_CONTENT)
}

/// Open alerts a silence would match.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SilencePreview {
    /// The matchers as understood, in Alertmanager's text form.
    pub matchers: String,
    pub items: Vec<AlertView>,
}

/// Preview a silence: which open alerts (the newest 1,000) its matchers would match. Nothing is
/// stored.
#[utoipa::path(post, path = "/api/v1/silences/preview", tag = "alerts", security(("bearer" = [])),
    request_body(content = Object, description = "a postable silence, or just {\"matchers\": [...]}"), responses(
    (status = 200, body = SilencePreview),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn preview(
    State(state): State<AppState>,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Json<SilencePreview>, ApiError> {
    let matchers: Matchers =
        serde_path_to_error::deserialize(body.get("matchers").cloned().unwrap_or_default())
            .map_err(|error| {
                ApiError::field(
                    format!("/matchers{}", pointer(error.path())),
                    error.into_inner().to_string(),
                )
            })?;
    if matchers.is_empty() {
        return Err(ApiError::field(
            "/matchers",
            "at least one matcher is required",
        ));
    }
    let open = alert::list(state.store.reader(), &AlertFilter::default(), None, 1_000).await?;
    let items = open
        .into_iter()
        .filter(|a| a.state.is_open() && matchers.matches_all(&a.fields))
        .map(AlertView::from)
        .collect();
    Ok(Json(SilencePreview {
        matchers: matchers.to_string(),
        items,
    }))
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    path.iter()
        .map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
            other => format!("/{other}"),
        })
        .collect()
}
