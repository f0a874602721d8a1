//! Which team owns an incident: `GET /api/v1/incidents/{id}/ownership` (decided by the rules of
//! `/api/v1/incident-ownership-policy`, admins change it), ownership disputes the incident
//! commander settles, and handoffs between teams with a handoff note.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{IncidentId, TeamId};
use tocsin_domain::incident::ownership::{self, OwnershipPolicy};
use tocsin_store::incident::{self, Dispute, Handoff, NamedTeam, Ownership};

use super::common::{PathIds, Versioned, document_view, parse_document};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const POLICY: &str = "/api/v1/incident-ownership-policy";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::GET,
            "/api/v1/incidents/{id}/ownership",
            read(),
            get_ownership,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/ownership-disputes",
            respond(),
            dispute,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/ownership-disputes/{dispute_id}/settlement",
            respond(),
            settle,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/handoffs",
            respond(),
            hand_off,
        ),
        route(Method::GET, POLICY, read(), get_policy),
        route(
            Method::PUT,
            POLICY,
            Guard::Allow(Action::ManagePriorityPolicy),
            put_policy,
        ),
    ]
}

/// A team; `name` is null once the team is deleted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: Option<String>,
}

fn team(team: NamedTeam) -> TeamRef {
    TeamRef {
        id: team.id.0,
        name: team.name,
    }
}

/// An ownership dispute.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub claimed_owner: TeamRef,
    pub reason: String,
    pub raised_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: jiff::Timestamp,
    /// open or settled.
    pub status: String,
    /// The owner the settlement chose.
    pub settled_owner: Option<TeamRef>,
    pub settlement_note: Option<String>,
    pub settled_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub settled_at: Option<jiff::Timestamp>,
}

impl From<Dispute> for DisputeView {
    fn from(d: Dispute) -> Self {
        Self {
            id: d.id,
            claimed_owner: team(d.claimed_owner),
            reason: d.reason,
            raised_by: d.raised_by,
            raised_at: d.raised_at,
            status: if d.settled_at.is_some() {
                "settled"
            } else {
                "open"
            }
            .to_owned(),
            settled_owner: d.settled_owner.map(team),
            settlement_note: d.settlement_note,
            settled_by: d.settled_by,
            settled_at: d.settled_at,
        }
    }
}

/// A handoff between teams.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HandoffView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Null when no team owned it.
    pub from: Option<TeamRef>,
    pub to: TeamRef,
    /// The handoff note for the receiving team.
    pub note: String,
    pub handed_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub handed_at: jiff::Timestamp,
}

impl From<Handoff> for HandoffView {
    fn from(h: Handoff) -> Self {
        Self {
            id: h.id,
            from: h.from.map(team),
            to: team(h.to),
            note: h.note,
            handed_by: h.handed_by,
            handed_at: h.handed_at,
        }
    }
}

/// Who owns the incident and how that was decided.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnershipView {
    /// Null when no rule found a team.
    pub owner: Option<TeamRef>,
    /// rule, settlement or handoff (after a settlement or handoff the rules no longer change it).
    pub decided_by: String,
    /// The rule that decided (most_upstream_service, most_critical_tier, team_priority,
    /// primary_service); null after a settlement or handoff.
    pub rule: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// Who set it (null for an incident opened from an alert, owned by its service's team).
    pub set_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub set_at: Option<jiff::Timestamp>,
    /// Every team owning an affected service.
    pub candidates: Vec<TeamRef>,
    /// Open and settled, oldest first.
    pub disputes: Vec<DisputeView>,
    /// Oldest first.
    pub handoffs: Vec<HandoffView>,
}

impl From<Ownership> for OwnershipView {
    fn from(o: Ownership) -> Self {
        Self {
            owner: o.owner.map(team),
            decided_by: o.source.as_str().to_owned(),
            rule: o.rule,
            reason: o.reason,
            set_by: o.decided_by,
            set_at: o.decided_at,
            candidates: o.candidates.into_iter().map(team).collect(),
            disputes: o.disputes.into_iter().map(DisputeView::from).collect(),
            handoffs: o.handoffs.into_iter().map(HandoffView::from).collect(),
        }
    }
}

async fn ownership_view(state: &AppState, id: IncidentId) -> Result<OwnershipView, ApiError> {
    Ok(incident::ownership(state.store.reader(), id).await?.into())
}

/// The incident's owner, how it was decided, the candidate teams, disputes and handoffs.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/ownership", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = OwnershipView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_ownership(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<OwnershipView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    Ok(Json(ownership_view(&state, id).await?))
}

/// A claim that another team should own the incident.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseDispute {
    #[schema(value_type = String, format = Uuid)]
    pub claimed_owner_team_id: TeamId,
    /// Why (required).
    pub reason: String,
}

/// Dispute the incident's ownership; `incident.ownership_disputed` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/ownership-disputes", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = RaiseDispute, responses(
    (status = 201, body = DisputeView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<RaiseDispute>,
) -> Result<(StatusCode, Json<DisputeView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let claimed = input.claimed_owner_team_id;
    let dispute_id = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::raise_dispute(tx, id, claimed, &input.reason, &actor, now).await
            })
        })
        .await?;
    let view = incident::ownership(state.store.reader(), id)
        .await?
        .disputes
        .into_iter()
        .find(|d| d.id == dispute_id)
        .map(DisputeView::from)
        .ok_or_else(|| ApiError::not_found("dispute"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The commander's settlement of a dispute.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    /// The team that owns the incident from now on (the claimed team or another).
    #[schema(value_type = String, format = Uuid)]
    pub owner_team_id: TeamId,
    pub note: Option<String>,
}

/// Settle a dispute (the incident commander; an admin when nobody holds the role): the owner is
/// set and kept; `incident.ownership_settled` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/ownership-disputes/{dispute_id}/settlement", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("dispute_id" = String, Path, format = Uuid)),
    request_body = Settlement, responses(
    (status = 200, body = OwnershipView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn settle(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, dispute_id): PathIds<IncidentId, uuid::Uuid>,
    extract::Json(input): extract::Json<Settlement>,
) -> Result<Json<OwnershipView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let commander = incident::role_assignments(state.store.reader(), id)
        .await?
        .into_iter()
        .find(|a| a.role == "incident_commander" && a.ended_at.is_none())
        .map(|a| a.user_id);
    let caller_id = caller.user.as_ref().map(|u| u.user_id);
    let role = caller.principal.as_ref().map(|p| p.role);
    if let Some(role) = role {
        ownership::may_settle(caller_id, role, commander).map_err(ApiError::forbidden)?;
    } else {
        return Err(ApiError::unauthenticated());
    }
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                let note = input.note.as_deref();
                incident::settle_dispute(tx, id, dispute_id, input.owner_team_id, note, &actor, now)
                    .await
            })
        })
        .await?;
    Ok(Json(ownership_view(&state, id).await?))
}

/// A handoff to another team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHandoff {
    #[schema(value_type = String, format = Uuid)]
    pub to_team_id: TeamId,
    /// The handoff note for the receiving team (required): what is known, what was tried.
    pub note: String,
}

/// Hand the incident to another team; the owner changes and is kept, the handoff joins the
/// history and `incident.handed_off` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/handoffs", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = NewHandoff, responses(
    (status = 201, body = OwnershipView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn hand_off(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<NewHandoff>,
) -> Result<(StatusCode, Json<OwnershipView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::hand_off(tx, id, input.to_team_id, &input.note, &actor, now).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(ownership_view(&state, id).await?)))
}

/// The ownership policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnershipPolicyView {
    /// `{rules: [{rule: most_upstream_service | most_critical_tier | primary_service}
    /// | {rule: team_priority, team_ids: [..]}]}`, first that decides wins.
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// 0 until first written; send it back as `If-Match`.
    pub version: i64,
}

fn view(
    policy: &OwnershipPolicy,
    version: i64,
) -> Result<Versioned<OwnershipPolicyView>, ApiError> {
    document_view(policy, version, |policy, version| OwnershipPolicyView {
        policy,
        version,
    })
}

/// The incident ownership policy (`primary_service` alone until set).
#[utoipa::path(get, path = "/api/v1/incident-ownership-policy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = OwnershipPolicyView, headers(("ETag" = String)))))]
pub async fn get_policy(
    State(state): State<AppState>,
) -> Result<Versioned<OwnershipPolicyView>, ApiError> {
    let (policy, version) = incident::ownership_policy(state.store.reader()).await?;
    view(&policy, version)
}

/// Replace the incident ownership policy (admins); it applies to owners decided from now on.
#[utoipa::path(put, path = "/api/v1/incident-ownership-policy", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "the ownership policy"), responses(
    (status = 200, body = OwnershipPolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<OwnershipPolicyView>, ApiError> {
    let policy: OwnershipPolicy = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = policy.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::put_ownership_policy(tx, &stored, expected, &actor, now).await
            })
        })
        .await?;
    view(&policy, version)
}
