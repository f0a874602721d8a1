//! `/api/v1/users/{id}/skills`: the skills a step can page a user by (`postgres`, `k8s`). Anyone
//! who may read users reads them; a user sets their own, admins anyone's.
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::error::Collector;
use tocsin_domain::escalation::normalise_skill;
use tocsin_domain::id::UserId;
use tocsin_store::catalog::users;
use tocsin_store::escalation;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// The most skills one user may have.
const MAX_SKILLS: usize = 50;

/// A user's skills: lowercase, `a-z`, `0-9`, `-`, `_`, 1 to 40 characters each.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsBody {
    pub skills: Vec<String>,
}

/// A user's skills, sorted.
#[utoipa::path(get, path = "/api/v1/users/{id}/skills", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = SkillsBody),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<UserId>,
) -> Result<Json<SkillsBody>, ApiError> {
    let reader = state.store.reader();
    users::get_user(reader, id).await?;
    let skills = escalation::get_skills(reader, id).await?;
    Ok(Json(SkillsBody { skills }))
}

/// Replace a user's skills (yourself, or admins for anyone); they are stored lowercase.
#[utoipa::path(put, path = "/api/v1/users/{id}/skills", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = SkillsBody, responses(
    (status = 200, body = SkillsBody),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(body): extract::Json<SkillsBody>,
) -> Result<Json<SkillsBody>, ApiError> {
    if caller.user_id()? == id {
        caller.authorize(Action::ReadSelf)?;
    } else {
        caller.authorize(Action::ManageUsers)?;
    }
    let mut errors = Collector::default();
    if body.skills.len() > MAX_SKILLS {
        errors.take::<(), _>("/skills", Err(format!("at most {MAX_SKILLS} allowed")));
    }
    let skills: Vec<String> = body
        .skills
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| errors.take(&format!("/skills/{i}"), normalise_skill(raw)))
        .collect();
    errors.finish()?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let skills = state
        .store
        .write(move |tx| {
            Box::pin(async move { escalation::set_skills(tx, id, skills, &actor, now).await })
        })
        .await?;
    Ok(Json(SkillsBody { skills }))
}
