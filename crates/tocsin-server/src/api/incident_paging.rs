//! Paging by hand: a responder escalates an incident to its policy's next level now, or reassigns
//! it to named people, who are paged at once through their notification rules. Both put an
//! acknowledged incident back to triggered; both are on the incident's timeline.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_store::catalog::users;
use tocsin_store::{StoreError, paging};

use super::incidents::IncidentView;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

/// The most people one reassignment pages.
const MAX_REASSIGNEES: usize = 20;

pub fn routes() -> Vec<Route> {
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::POST,
            "/api/v1/incidents/{id}/escalate",
            respond(),
            escalate,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/reassign",
            respond(),
            reassign,
        ),
    ]
}

/// What escalating by hand did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Escalated {
    /// The escalation level now paged (1 for the policy's first step).
    pub level: u32,
    pub incident: IncidentView,
}

/// Escalate an incident to its policy's next level now (the top of the policy again when it has
/// no further level); an acknowledged incident goes back to triggered.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/escalate", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = Escalated),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<Escalated>, ApiError> {
    super::incidents::visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let actor = caller.actor();
    let level = state
        .store
        .write(move |tx| Box::pin(async move { paging::escalate(tx, id, &actor, now).await }))
        .await?;
    let incident = tocsin_store::incident::get(state.store.reader(), id).await?;
    Ok(Json(Escalated {
        level,
        incident: incident.into(),
    }))
}

/// Whom to reassign an incident to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    /// Active users, 1 to 20; each is paged now through their notification rules.
    #[schema(value_type = Vec<String>)]
    pub user_ids: Vec<uuid::Uuid>,
}

/// What reassigning did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reassigned {
    /// Notifications queued (one per contact the people's rules name).
    pub notifications_queued: usize,
    pub incident: IncidentView,
}

/// Reassign an incident to named people: each is paged now; escalation continues from where it
/// stands. An acknowledged incident goes back to triggered.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reassign", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = Reassign, responses(
    (status = 200, body = Reassigned),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(Reassign { user_ids }): extract::Json<Reassign>,
) -> Result<Json<Reassigned>, ApiError> {
    if user_ids.is_empty() || user_ids.len() > MAX_REASSIGNEES {
        return Err(ApiError::field(
            "/user_ids",
            format!("name 1 to {MAX_REASSIGNEES} people"),
        ));
    }
    let mut people = Vec::with_capacity(user_ids.len());
    for (index, raw) in user_ids.into_iter().enumerate() {
        let user = UserId(raw);
        match users::get_user(state.store.reader(), user).await {
            Ok(found) if found.active => people.push(user),
            Ok(_) => {
                return Err(ApiError::field(
                    format!("/user_ids/{index}"),
                    "this user is deactivated",
                ));
            }
            Err(StoreError::NotFound(_)) => {
                return Err(ApiError::field(
                    format!("/user_ids/{index}"),
                    "no such user",
                ));
            }
            Err(error) => return Err(error.into()),
        }
    }
    people.dedup();
    super::incidents::visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let actor = caller.actor();
    let queued = state
        .store
        .write(move |tx| {
            Box::pin(async move { paging::reassign(tx, id, &people, &actor, now).await })
        })
        .await?;
    let incident = tocsin_store::incident::get(state.store.reader(), id).await?;
    Ok(Json(Reassigned {
        notifications_queued: queued,
        incident: incident.into(),
    }))
}
