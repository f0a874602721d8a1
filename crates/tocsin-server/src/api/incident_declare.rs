//! Running an incident's lifecycle by hand: declare one (`POST /api/v1/incidents`), move it
//! through investigating, identified, monitoring, resolved and closed (or decline or cancel it),
//! change its fields, and merge a duplicate into its primary.
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{IncidentId, ServiceId, UserId};
use tocsin_domain::incident::declare::{self, RawDeclaration};
use tocsin_domain::incident::{IncidentStatus, Visibility};
use tocsin_store::incident::{self, FieldChanges, Merged, NewIncident};

use super::common::nullable;
use super::incidents::{IncidentView, visible_incident};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::POST,
            "/api/v1/incidents",
            respond(),
            declare_incident,
        ),
        route(Method::PATCH, "/api/v1/incidents/{id}", respond(), update),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/status",
            respond(),
            change_status,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/merge",
            respond(),
            merge,
        ),
    ]
}

/// An incident declared by hand.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declare {
    /// 1 to 255 characters.
    pub title: String,
    /// What is known so far (at most 20,000 characters).
    pub summary: Option<String>,
    /// The service it is on; its escalation policy pages unless `page` is false.
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    /// critical (default), error, warning or info.
    pub severity: Option<String>,
    /// A slug such as outage, security or hr (default: default). Security and HR cases are
    /// restricted unless `visibility` says otherwise.
    pub incident_type: Option<String>,
    /// normal or restricted.
    pub visibility: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// When the impact began, if before now.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub impact_started_at: Option<jiff::Timestamp>,
    /// Other services affected.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub affected_service_ids: Vec<uuid::Uuid>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<uuid::Uuid>,
    /// People in from the start (the declarer always is).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub participant_ids: Vec<uuid::Uuid>,
    /// Page the service's escalation policy (default true).
    pub page: Option<bool>,
}

/// A created incident, with its location.
pub struct Declared(pub IncidentView);

impl IntoResponse for Declared {
    fn into_response(self) -> Response {
        let location = format!("/api/v1/incidents/{}", self.0.id);
        let mut response = (StatusCode::CREATED, Json(self.0)).into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

/// Declare an incident by hand.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    request_body = Declare, responses(
    (status = 201, body = IncidentView),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn declare_incident(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<Declare>,
) -> Result<Declared, ApiError> {
    let now = state.clock.now();
    let declaration = RawDeclaration {
        title: input.title,
        summary: input.summary,
        severity: input.severity,
        incident_type: input.incident_type,
        visibility: input.visibility,
        tags: input.tags,
        impact_started_at: input.impact_started_at,
    }
    .check(now)?;
    let mut participants: Vec<UserId> = caller
        .principal
        .as_ref()
        .and_then(|p| p.user_id)
        .into_iter()
        .collect();
    participants.extend(input.participant_ids.into_iter().map(UserId));
    participants.dedup();
    let new = NewIncident {
        service: ServiceId(input.service_id),
        declaration,
        affected_services: input
            .affected_service_ids
            .into_iter()
            .map(ServiceId)
            .collect(),
        parent: input.parent_id.map(IncidentId),
        participants,
        page: input.page.unwrap_or(true),
    };
    let actor = caller.actor();
    let (id, _) = state
        .store
        .write(move |tx| Box::pin(async move { incident::declare(tx, new, &actor, now).await }))
        .await?;
    Ok(Declared(
        incident::get(state.store.reader(), id).await?.into(),
    ))
}

/// A status change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// acknowledged, investigating, identified, monitoring, resolved, closed, declined or
    /// canceled.
    pub status: String,
    /// Required to decline, cancel or reopen (resolved -> investigating).
    pub reason: Option<String>,
}

/// Move an incident through its lifecycle.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/status", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = StatusChange, responses(
    (status = 200, body = IncidentView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<StatusChange>,
) -> Result<Json<IncidentView>, ApiError> {
    let to = IncidentStatus::parse(&input.status).ok_or_else(|| {
        ApiError::field("/status", format!("must be {}", IncidentStatus::listing()))
    })?;
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::change_status(tx, id, to, input.reason.as_deref(), &actor, now).await
            })
        })
        .await?;
    Ok(Json(incident::get(state.store.reader(), id).await?.into()))
}

/// Changes to an incident's fields; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIncident {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub incident_type: Option<String>,
    pub tags: Option<Vec<String>>,
    /// normal or restricted.
    pub visibility: Option<String>,
    /// Organisation roles (owner, admin, manager, responder, observer, stakeholder) that see it
    /// when restricted, besides its participants.
    pub visible_to_roles: Option<Vec<String>>,
    /// null detaches it from its parent.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<Option<uuid::Uuid>>,
    #[schema(value_type = Option<Vec<String>>)]
    pub affected_service_ids: Option<Vec<uuid::Uuid>>,
}

fn check_update(input: UpdateIncident) -> Result<FieldChanges, ApiError> {
    let mut errors = Collector::default();
    let title = input
        .title
        .map(|t| errors.take("/title", declare::parse_title(&t)));
    let summary = input
        .summary
        .map(|t| errors.take("/summary", declare::parse_summary(&t)));
    let incident_type = input
        .incident_type
        .map(|t| errors.take("/incident_type", declare::parse_type(&t)));
    let tags = input.tags.map(|tags| match declare::parse_tags(&tags) {
        Ok(tags) => Some(tags),
        Err(error) => {
            errors.push(error.under("/tags"));
            None
        }
    });
    let visibility = input.visibility.map(|v| {
        errors.take(
            "/visibility",
            Visibility::parse(&v).ok_or("must be normal or restricted"),
        )
    });
    let roles = input.visible_to_roles.map(|roles| {
        let parsed: Vec<Option<OrgRole>> = roles
            .iter()
            .enumerate()
            .map(|(i, role)| errors.take(&format!("/visible_to_roles/{i}"), OrgRole::parse(role)))
            .collect();
        parsed.into_iter().collect::<Option<Vec<OrgRole>>>()
    });
    errors.finish()?;
    Ok(FieldChanges {
        title: title.flatten(),
        summary: summary.flatten(),
        incident_type: incident_type.flatten(),
        tags: tags.flatten(),
        visibility: visibility.flatten(),
        visible_to_roles: roles.flatten(),
        parent: input.parent_id.map(|p| p.map(IncidentId)),
        affected_services: input
            .affected_service_ids
            .map(|ids| ids.into_iter().map(ServiceId).collect()),
    })
}

/// Change an incident's fields; the timeline records each change with its old value.
#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = UpdateIncident, responses(
    (status = 200, body = IncidentView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<UpdateIncident>,
) -> Result<Json<IncidentView>, ApiError> {
    let changes = check_update(input)?;
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::update_fields(tx, id, changes, &actor, now).await })
        })
        .await?;
    Ok(Json(incident::get(state.store.reader(), id).await?.into()))
}

/// Which incident a duplicate merges into.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The primary incident (open).
    #[schema(value_type = String, format = Uuid)]
    pub into_incident_id: uuid::Uuid,
    /// Why it is a duplicate.
    pub reason: String,
}

/// What a merge did, and the primary as it now is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeResult {
    pub alerts_moved: u64,
    pub participants_moved: u64,
    pub primary: IncidentView,
}

/// Merge a duplicate into its primary: its alerts and participants move, its paging stops, and it
/// points at the primary.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/merge", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = Merge, responses(
    (status = 200, body = MergeResult),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<Merge>,
) -> Result<Json<MergeResult>, ApiError> {
    let primary = IncidentId(input.into_incident_id);
    visible_incident(&state, &caller, id).await?;
    match visible_incident(&state, &caller, primary).await {
        Ok(_) => {}
        Err(error) if error.kind == crate::error::ProblemKind::NotFound => {
            return Err(ApiError::field("/into_incident_id", "no such incident"));
        }
        Err(error) => return Err(error),
    }
    let (now, actor) = (state.clock.now(), caller.actor());
    let Merged {
        alerts_moved,
        participants_moved,
    } = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::merge(tx, id, primary, &input.reason, &actor, now).await },
            )
        })
        .await?;
    Ok(Json(MergeResult {
        alerts_moved,
        participants_moved,
        primary: incident::get(state.store.reader(), primary).await?.into(),
    }))
}
