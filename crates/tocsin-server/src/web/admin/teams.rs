//! `/admin/teams`: teams 50 at a time and creating one; a team's page with its members in team
//! roles (add by email, change role, remove) and deleting the team once its name is typed.
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::TeamRole;
use tocsin_domain::id::{TeamId, UserId};
use tocsin_domain::values::Email;
use tocsin_store::catalog::users as user_store;

use super::users::{ConfirmForm, CursorQuery};
use super::{Admin, AdminForm, confirmed, next_page};
use crate::api::common::PathIds;
use crate::api::members::{self, MemberView, PutMember};
use crate::api::teams::{self, CreateTeam, TeamView};
use crate::error::ApiError;
use crate::extract::{IfMatch, PageQuery, PathId, Query};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, after_action, api_problem, render, see_other};
use crate::web::form::non_blank;

const LIST: &str = "/admin/teams";

#[derive(Template)]
#[template(path = "admin/teams.html")]
pub struct TeamsPage {
    pub chrome: Chrome,
    pub teams: Vec<TeamView>,
    pub next: Option<String>,
}

/// The teams page.
pub async fn list(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<CursorQuery>,
) -> Response {
    let page = PageQuery {
        limit: None,
        cursor: non_blank(&query.cursor),
    };
    match teams::list(State(state), Query(page)).await {
        Ok(Json(page)) => render(&TeamsPage {
            chrome: viewer.chrome(Section::Admin),
            teams: page.items,
            next: next_page(LIST, page.next_cursor),
        }),
        Err(error) => api_problem(&viewer, error, "/admin"),
    }
}

#[derive(Debug, Deserialize)]
pub struct TeamForm {
    pub name: String,
    pub description: Option<String>,
}

/// Creates a team and opens its page.
pub async fn create(
    State(state): State<AppState>,
    AdminForm(viewer, form): AdminForm<TeamForm>,
) -> Response {
    let created = async {
        viewer.caller.authorize(Action::CreateTeam)?;
        let input = CreateTeam {
            name: form.name,
            description: non_blank(&form.description),
        };
        teams::create(
            State(state),
            viewer.caller.clone(),
            crate::extract::Json(input),
        )
        .await
    }
    .await;
    match created {
        Ok(team) => see_other(&team_path(team.body.id)),
        Err(error) => api_problem(&viewer, error, LIST),
    }
}

fn team_path(id: impl std::fmt::Display) -> String {
    format!("{LIST}/{id}")
}

#[derive(Template)]
#[template(path = "admin/team.html")]
pub struct TeamPage {
    pub chrome: Chrome,
    pub team: TeamView,
    pub members: Vec<MemberView>,
    pub team_roles: Vec<&'static str>,
}

/// A team's page: its members and the forms to change them.
pub async fn show(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    PathId(id): PathId<TeamId>,
) -> Response {
    let loaded = async {
        let team = teams::get(State(state.clone()), PathId(id)).await?.body;
        viewer.caller.authorize(Action::ReadUsers)?;
        let Json(list) = members::list(State(state), PathId(id)).await?;
        Ok::<_, ApiError>((team, list.items))
    }
    .await;
    match loaded {
        Ok((team, members)) => render(&TeamPage {
            chrome: viewer.chrome(Section::Admin),
            team,
            members,
            team_roles: TeamRole::ALL.into_iter().map(TeamRole::as_str).collect(),
        }),
        Err(error) => api_problem(&viewer, error, LIST),
    }
}

/// Puts `user` in team `id` with `role` through the members API.
async fn put_member(
    state: AppState,
    viewer: &Viewer,
    (team, user): (TeamId, UserId),
    role: String,
) -> Result<(), ApiError> {
    members::put(
        State(state),
        viewer.caller.clone(),
        PathIds(team, user),
        crate::extract::Json(PutMember { role }),
    )
    .await
    .map(|_| ())
}

#[derive(Debug, Deserialize)]
pub struct AddMemberForm {
    pub email: String,
    pub role: String,
}

/// Adds the user with this email to the team.
pub async fn add_member(
    State(state): State<AppState>,
    PathId(id): PathId<TeamId>,
    AdminForm(viewer, form): AdminForm<AddMemberForm>,
) -> Response {
    let added = async {
        viewer.caller.authorize(Action::ReadUsers)?;
        let email =
            Email::parse(&form.email).map_err(|e| ApiError::field("/email", e.to_string()))?;
        let (user, _) = user_store::find_user_by_email(state.store.reader(), &email)
            .await?
            .ok_or_else(|| {
                ApiError::field("/email", "no user has this email; invite them first")
            })?;
        put_member(state, &viewer, (id, user.id), form.role).await
    }
    .await;
    after_action(&viewer, added, &team_path(id))
}

#[derive(Debug, Deserialize)]
pub struct MemberRoleForm {
    pub role: String,
}

/// Changes a member's team role.
pub async fn change_member(
    State(state): State<AppState>,
    PathIds(id, user): PathIds<TeamId, UserId>,
    AdminForm(viewer, form): AdminForm<MemberRoleForm>,
) -> Response {
    let done = put_member(state, &viewer, (id, user), form.role).await;
    after_action(&viewer, done, &team_path(id))
}

/// Removes a member from the team.
pub async fn remove_member(
    State(state): State<AppState>,
    PathIds(id, user): PathIds<TeamId, UserId>,
    AdminForm(viewer, _): AdminForm<crate::web::profile::NoFields>,
) -> Response {
    let done = members::remove(State(state), viewer.caller.clone(), PathIds(id, user)).await;
    after_action(&viewer, done, &team_path(id))
}

/// Deletes the team once its name is typed (the API refuses while it owns services).
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<TeamId>,
    AdminForm(viewer, form): AdminForm<ConfirmForm>,
) -> Response {
    let deleted = async {
        let team = teams::get(State(state.clone()), PathId(id)).await?.body;
        confirmed(&form.confirm, &team.name)?;
        teams::delete(
            State(state),
            viewer.caller.clone(),
            PathId(id),
            IfMatch(None),
        )
        .await
    }
    .await;
    match deleted {
        Ok(_) => see_other(LIST),
        Err(error) => api_problem(&viewer, error, &team_path(id)),
    }
}
