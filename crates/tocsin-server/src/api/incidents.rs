//! `/api/v1/incidents`: the incidents alerts opened, their status and timeline; a responder
//! acknowledges or resolves one by hand. (The Incident Response work adds declaring, roles,
//! priority and the rest of the lifecycle.)
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::delivery::LinkAction;
use tocsin_domain::id::{IncidentId, ServiceId, TeamId, UserId};
use tocsin_domain::incident::Visibility;
use tocsin_domain::incident::visibility::Viewer;
use tocsin_store::incident::{self, Incident, IncidentFilter};

use super::events::{EventPage, EventQuery, timeline};
use super::incident_filter;
use super::incident_live;
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
    /// triggered, acknowledged, investigating, identified, monitoring, resolved, closed,
    /// declined, canceled or merged.
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
    pub summary: String,
    /// default, outage, security, hr ... (security and HR cases start restricted).
    pub incident_type: String,
    /// normal, or restricted: only participants and `visible_to_roles` see it.
    pub visibility: String,
    /// Organisation roles that see a restricted incident besides its participants.
    pub visible_to_roles: Vec<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<uuid::Uuid>,
    /// A merged duplicate's primary incident.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub merged_into: Option<uuid::Uuid>,
    /// Who declared it by hand (null: opened from an alert).
    pub declared_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<jiff::Timestamp>,
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
            summary: incident.summary,
            incident_type: incident.incident_type,
            visibility: incident.visibility.as_str().to_owned(),
            visible_to_roles: incident
                .visible_to_roles
                .iter()
                .map(|role| role.as_str().to_owned())
                .collect(),
            tags: incident.tags,
            parent_id: incident.parent_id.map(|p| p.0),
            merged_into: incident.merged_into.map(|p| p.0),
            declared_by: incident.declared_by,
            closed_at: incident.closed_at,
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

/// `?status=&priority=&service_id=&team_id=&created_from=&created_to=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    /// triggered, acknowledged, investigating, identified, monitoring, resolved, closed,
    /// declined, canceled or merged.
    pub status: Option<String>,
    /// P1 to P5.
    pub priority: Option<String>,
    pub service_id: Option<uuid::Uuid>,
    /// Incidents on the services this team owns.
    pub team_id: Option<uuid::Uuid>,
    /// Created at or after: an RFC 3339 instant, or a date (`2026-11-28`, from the start of that
    /// UTC day).
    pub created_from: Option<String>,
    /// Created before: an RFC 3339 instant, or a date (up to the end of that UTC day).
    pub created_to: Option<String>,
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
    caller: Caller,
    Query(query): Query<IncidentQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let paging = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = paging.limit()?;
    let (created_from, created_to) =
        incident_filter::window(query.created_from.as_deref(), query.created_to.as_deref())?;
    let filter = IncidentFilter {
        status: incident_filter::status("status", query.status.as_deref())?,
        priority: incident_filter::priority("priority", query.priority.as_deref())?,
        service_id: query.service_id.map(ServiceId),
        team_id: query.team_id.map(TeamId),
        created_from,
        created_to,
        viewer: viewer_of(&caller),
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
    caller: &Caller,
    id: IncidentId,
) -> Result<Incident, ApiError> {
    let found = incident::get(state.store.reader(), id).await?;
    let hidden = match viewer_of(caller) {
        None => found.visibility != Visibility::Normal,
        Some(viewer) => !incident::may_view(state.store.reader(), &found, &viewer).await?,
    };
    if hidden {
        // The same answer as for an incident that does not exist: nothing leaks.
        return Err(tocsin_store::StoreError::NotFound("incident").into());
    }
    Ok(found)
}

/// The caller as the visibility rule sees them.
pub(crate) fn viewer_of(caller: &Caller) -> Option<Viewer> {
    caller.principal.as_ref().map(|principal| Viewer {
        user: principal.user_id,
        role: principal.role,
    })
}

/// An incident's timeline, oldest first: a JSON page, or with `Accept: text/event-stream` the
/// entries after `Last-Event-ID` (or `after_seq`) and then each new one live, as server-sent
/// events whose ids are the sequence numbers.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/events", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage, content_type = "application/json"),
    (status = 200, description = "Server-sent events, one timeline entry (EventView) per message", content_type = "text/event-stream"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    headers: HeaderMap,
    Query(query): Query<EventQuery>,
) -> Result<Response, ApiError> {
    visible_incident(&state, &caller, id).await?;
    if incident_live::wants_event_stream(&headers) {
        let after = incident_live::resume_after(&headers, query.after_seq)?;
        let watcher = incident_live::Watcher::Person(viewer_of(&caller));
        return Ok(incident_live::stream(state, id, watcher, after).await);
    }
    Ok(timeline(&state, id.0, "incident", query)
        .await?
        .into_response())
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
