//! `/api/v1/alerts`: alerts with their state, occurrences, raw payload and the explanation of
//! every decision taken on them; a responder acknowledges or resolves one by hand.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_store::alert::{self, Alert, AlertFilter};

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
        route(Method::GET, "/api/v1/alerts", read(), list),
        route(Method::GET, "/api/v1/alerts/{id}", read(), get),
        route(Method::GET, "/api/v1/alerts/{id}/events", read(), events),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/acknowledge",
            respond(),
            acknowledge,
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/resolve",
            respond(),
            resolve,
        ),
    ]
}

/// An alert.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub integration_key_id: Option<uuid::Uuid>,
    /// The intake format it arrived through: pagerduty, alertmanager, opsgenie, generic, heartbeat.
    pub source_kind: String,
    pub dedup_key: String,
    /// triggered, acknowledged, resolved or suppressed.
    pub state: String,
    /// critical, error, warning or info.
    pub severity: String,
    pub summary: String,
    pub source: Option<String>,
    pub component: Option<String>,
    pub group: Option<String>,
    pub class: Option<String>,
    /// The normalised fields rules and silences match against.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub links: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub images: serde_json::Value,
    pub client: Option<String>,
    pub client_url: Option<String>,
    /// The request body as received, cut at 64 KiB.
    pub raw: String,
    pub raw_truncated: bool,
    /// How many times the monitoring tool sent it while open.
    pub occurrences: i64,
    #[schema(value_type = String, format = DateTime)]
    pub first_seen_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub incident_id: Option<uuid::Uuid>,
    /// Every decision taken on the alert, in words, oldest first.
    pub explanation: Vec<String>,
    /// The noise rule holding it back, while one does: threshold, flapping or transient_pause.
    pub hold: Option<String>,
    /// When a flapping or transient-pause hold is looked at again.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub held_until: Option<jiff::Timestamp>,
    /// It resolved within its service's transient pause, so it never paged.
    pub transient: bool,
}

impl From<Alert> for AlertView {
    fn from(alert: Alert) -> Self {
        Self {
            id: alert.id.0,
            service_id: alert.service_id.0,
            integration_key_id: alert.integration_key_id.map(|k| k.0),
            source_kind: alert.source_kind,
            dedup_key: alert.dedup_key,
            state: alert.state.as_str().to_owned(),
            severity: alert.severity.as_str().to_owned(),
            summary: alert.summary,
            source: alert.source,
            component: alert.component,
            group: alert.group,
            class: alert.class,
            fields: serde_json::to_value(&alert.fields).unwrap_or_default(),
            details: alert.details,
            links: alert.links,
            images: alert.images,
            client: alert.client,
            client_url: alert.client_url,
            raw: alert.raw,
            raw_truncated: alert.raw_truncated,
            occurrences: alert.occurrences,
            first_seen_at: alert.first_seen_at,
            last_seen_at: alert.last_seen_at,
            acknowledged_at: alert.acknowledged_at,
            resolved_at: alert.resolved_at,
            incident_id: alert.incident_id.map(|i| i.0),
            explanation: alert.explanation,
            hold: alert.hold.map(|kind| kind.as_str().to_owned()),
            held_until: alert.held_until,
            transient: alert.transient,
        }
    }
}

/// A page of alerts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertPage {
    pub items: Vec<AlertView>,
    pub next_cursor: Option<String>,
}

/// `?state=&service_id=&incident_id=&transient=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// triggered, acknowledged, resolved or suppressed.
    pub state: Option<String>,
    pub service_id: Option<uuid::Uuid>,
    pub incident_id: Option<uuid::Uuid>,
    /// `true`: only alerts that resolved within their transient pause; `false`: only the others.
    pub transient: Option<bool>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List alerts, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", security(("bearer" = [])),
    params(AlertQuery), responses(
    (status = 200, body = AlertPage),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<AlertQuery>,
) -> Result<Json<AlertPage>, ApiError> {
    let paging = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = paging.limit()?;
    let filter = AlertFilter {
        state: match query.state.as_deref() {
            None => None,
            Some(text) => Some(AlertState::parse(text).ok_or_else(|| {
                ApiError::field(
                    "/state",
                    "must be triggered, acknowledged, resolved or suppressed",
                )
            })?),
        },
        service_id: query.service_id.map(ServiceId),
        incident_id: query.incident_id.map(IncidentId),
        transient: query.transient,
    };
    let rows = alert::list(state.store.reader(), &filter, paging.after()?, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |a| a.id.0).map(AlertView::from);
    Ok(Json(AlertPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One alert, with its raw payload and explanation.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = AlertView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<AlertId>,
) -> Result<Json<AlertView>, ApiError> {
    Ok(Json(alert::get(state.store.reader(), id).await?.into()))
}

/// An alert's timeline: triggered, acknowledged, resolved, with the reasons.
#[utoipa::path(get, path = "/api/v1/alerts/{id}/events", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn events(
    State(state): State<AppState>,
    PathId(id): PathId<AlertId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "alert", query).await
}

/// Acknowledge an alert (and its incident, if that was still triggered). Idempotent.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = AlertView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<AlertId>,
) -> Result<Json<AlertView>, ApiError> {
    respond(&state, &caller, id, Response::Acknowledge).await
}

/// Resolve an alert (its incident resolves with its last open alert). Idempotent.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = AlertView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<AlertId>,
) -> Result<Json<AlertView>, ApiError> {
    respond(&state, &caller, id, Response::Resolve).await
}

/// What a responder does to an alert.
#[derive(Debug, Clone, Copy)]
enum Response {
    Acknowledge,
    Resolve,
}

/// Applies a responder's action and answers the alert as it now is.
async fn respond(
    state: &AppState,
    caller: &Caller,
    id: AlertId,
    response: Response,
) -> Result<Json<AlertView>, ApiError> {
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                match response {
                    Response::Acknowledge => alert::acknowledge(tx, id, &actor, now).await,
                    Response::Resolve => alert::resolve(tx, id, &actor, now).await,
                }
            })
        })
        .await?;
    Ok(Json(alert::get(state.store.reader(), id).await?.into()))
}
