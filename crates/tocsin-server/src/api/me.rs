//! `/api/v1/me`: who the caller is and what they may do.
use axum::Json;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::{OrgRole, TeamRole};

use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::router::{Route, route};

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::GET,
        "/api/v1/me",
        Guard::Allow(Action::ReadSelf),
        me,
    )]
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    #[schema(value_type = String, example = "responder")]
    pub role: OrgRole,
    pub teams: Vec<MyTeam>,
    /// How this request was authenticated: `session` or `api_token`.
    pub authenticated_by: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyTeam {
    #[schema(value_type = String, format = Uuid)]
    pub team_id: uuid::Uuid,
    #[schema(value_type = String, example = "manager")]
    pub role: TeamRole,
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "access", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    let (Some(user), Some(principal)) = (&caller.user, &caller.principal) else {
        return Err(ApiError::forbidden("integration keys have no user"));
    };
    Ok(Json(Me {
        id: user.user_id.0,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        teams: principal
            .teams
            .iter()
            .map(|(team, role)| MyTeam {
                team_id: team.0,
                role: *role,
            })
            .collect(),
        authenticated_by: if caller.session.is_some() {
            "session"
        } else {
            "api_token"
        },
    }))
}
