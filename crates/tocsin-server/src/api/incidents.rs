//! `/api/v1/incidents`: the incidents alerts opened, their status and timeline; a responder
//! acknowledges or resolves one by hand. (The Incident Response work adds declaring, roles,
//! priority and the rest of the lifecycle.)
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::delivery::LinkAction;
use tocsin_domain::id::{IncidentId, ServiceId, UserId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::incident::{self, Incident, IncidentFilter};

use super::events::{EventPage, EventQuery, timeline};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{Page, PageQuery, PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(Method::GET, "/api/v1/incidents", read(), list),
        route(Method::GET, "/api/v1/incidents/{id}", read(), get),
        route(Method::GET, "/api/v1/incidents/{id}/events", read(), events),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/acknowledge",
            respond(),
            acknowledge,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/resolve",
            respond(),
            resolve,
        ),
    ]
}

/// An incident.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// The human number, as in "#42".
    pub number: i64,
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    pub title: String,
    /// critical, error, warning or info.
    pub severity: String,
    /// triggered, acknowledged or resolved.
    pub status: String,
    pub alert_count: i64,
    pub open_alert_count: i64,
    /// Alerts beyond the service's open-alert cap, counted instead of stored one by one.
    pub folded_alerts: i64,
    pub grouping_key: Option<String>,
    /// When it resolves itself (all its alerts resolved, the service's stability window running),
    /// unless an alert joins first.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolve_due_at: Option<jiff::Timestamp>,
    /// Group wait: the notification engine must not page for this incident before this instant,
    /// so a burst of alerts pages once (null: no group wait).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub page_after: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    /// Priority, category and attribution, major, temporary P1, triage and impact inputs.
    #[serde(flatten)]
    pub classification: super::classification::views::ClassificationView,
}

impl From<Incident> for IncidentView {
    fn from(incident: Incident) -> Self {
        Self {
            id: incident.id.0,
            number: incident.number,
            service_id: incident.service_id.0,
            title: incident.title,
            severity: incident.severity.as_str().to_owned(),
            status: incident.status.as_str().to_owned(),
            alert_count: incident.alert_count,
            open_alert_count: incident.open_alert_count,
            folded_alerts: incident.folded_alerts,
            grouping_key: incident.grouping_key,
            resolve_due_at: incident.resolve_due_at,
            page_after: incident.page_after,
            created_at: incident.created_at,
            acknowledged_at: incident.acknowledged_at,
            resolved_at: incident.resolved_at,
            updated_at: incident.updated_at,
            classification: incident.classification.into(),
        }
    }
}

/// A page of incidents.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentPage {
    pub items: Vec<IncidentView>,
    pub next_cursor: Option<String>,
}

/// `?status=&service_id=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    /// triggered, acknowledged or resolved.
    pub status: Option<String>,
    pub service_id: Option<uuid::Uuid>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List incidents, newest first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "alerts", security(("bearer" = [])),
    params(IncidentQuery), responses(
    (status = 200, body = IncidentPage),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<IncidentQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let paging = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = paging.limit()?;
    let filter = IncidentFilter {
        status: match query.status.as_deref() {
            None => None,
            Some(text) => Some(IncidentStatus::parse(text).ok_or_else(|| {
                ApiError::field("/status", "must be triggered, acknowledged or resolved")
            })?),
        },
        service_id: query.service_id.map(ServiceId),
    };
    let rows = incident::list(state.store.reader(), &filter, paging.after()?, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |i| i.id.0).map(IncidentView::from);
    Ok(Json(IncidentPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One incident.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentView>, ApiError> {
    Ok(Json(visible_incident(&state, &caller, id).await?.into()))
}

/// The incident `id` as `caller` may see it; 404 when it does not exist or is hidden from the
/// caller. Every handler under `/api/v1/incidents/{id}` loads its incident through this, so a
/// hidden incident is hidden on every endpoint alike.
pub(crate) async fn visible_incident(
    state: &AppState,
    _caller: &Caller,
    id: IncidentId,
) -> Result<Incident, ApiError> {
    Ok(incident::get(state.store.reader(), id).await?)
}

/// An incident's timeline, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/events", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    timeline(&state, id.0, "incident", query).await
}

/// Acknowledge a triggered incident: pending pages for it are cancelled.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/acknowledge", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentView>, ApiError> {
    respond(&state, &caller, id, LinkAction::Acknowledge).await
}

/// Resolve an open incident and its open alerts: pending pages are cancelled and everyone paged
/// for it is told it resolved.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/resolve", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentView>, ApiError> {
    respond(&state, &caller, id, LinkAction::Resolve).await
}

/// Acknowledges or resolves the incident as `actor` (a caller, or the person a signed link was
/// sent to); answers the incident as it now is.
pub(crate) async fn respond_as(
    state: &AppState,
    actor: String,
    id: IncidentId,
    action: LinkAction,
    link: Option<(uuid::Uuid, Option<UserId>)>,
) -> Result<IncidentView, ApiError> {
    let now = state.clock.now();
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                if let Some((link, user)) = link {
                    tocsin_store::outbox::use_action_link(tx, link, user, &actor, now).await?;
                }
                match action {
                    LinkAction::Acknowledge => incident::acknowledge(tx, id, &actor, now).await,
                    LinkAction::Resolve => incident::resolve(tx, id, &actor, now).await,
                }
            })
        })
        .await?;
    Ok(incident::get(state.store.reader(), id).await?.into())
}

async fn respond(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    action: LinkAction,
) -> Result<Json<IncidentView>, ApiError> {
    visible_incident(state, caller, id).await?;
    Ok(Json(
        respond_as(state, caller.actor(), id, action, None).await?,
    ))
}
