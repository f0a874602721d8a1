//! `/admin` (users): the directory 50 at a time, inviting a user with a role, changing a role,
//! and deactivating (typed confirmation of the email) or reactivating a user — all through the
//! users API, so the last-owner and on-call checks hold here too.
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::UserId;

use super::{Admin, AdminForm, confirmed, next_page};
use crate::api::users::{self, CreateUser, UpdateUser, UserQuery, UserView};
use crate::error::ApiError;
use crate::extract::{IfMatch, PathId, Query};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, after_action, api_problem, render};
use crate::web::form::non_blank;

const BACK: &str = "/admin";

/// `?cursor=`: the page of a list to show.
#[derive(Debug, Default, Deserialize)]
pub struct CursorQuery {
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<UserView>,
    pub next: Option<String>,
    pub roles: Vec<&'static str>,
    pub me: String,
    /// Only an owner changes an owner's role or deactivates them.
    pub owner_viewer: bool,
}

/// The users page.
pub async fn show(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<CursorQuery>,
) -> Response {
    let listed = async {
        viewer.caller.authorize(Action::ReadUsers)?;
        let query = UserQuery {
            skill: None,
            limit: None,
            cursor: non_blank(&query.cursor),
        };
        users::list(State(state), Query(query)).await
    }
    .await;
    match listed {
        Ok(Json(page)) => render(&UsersPage {
            chrome: viewer.chrome(Section::Admin),
            users: page.items,
            next: next_page(BACK, page.next_cursor),
            roles: assignable_roles(&viewer),
            me: viewer.user_id.to_string(),
            owner_viewer: viewer.role == OrgRole::Owner,
        }),
        Err(error) => api_problem(&viewer, error, "/"),
    }
}

/// The roles this viewer may hand out: only an owner appoints owners.
pub fn assignable_roles(viewer: &Viewer) -> Vec<&'static str> {
    OrgRole::ALL
        .into_iter()
        .filter(|role| *role != OrgRole::Owner || viewer.role == OrgRole::Owner)
        .map(OrgRole::as_str)
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub time_zone: Option<String>,
    pub password: Option<String>,
}

/// Creates a user with a role (and, optionally, a first password).
pub async fn create(
    State(state): State<AppState>,
    AdminForm(viewer, form): AdminForm<InviteForm>,
) -> Response {
    let input = CreateUser {
        email: form.email,
        name: form.name,
        role: form.role,
        time_zone: non_blank(&form.time_zone),
        password: non_blank(&form.password),
    };
    let created = match viewer.caller.authorize(Action::ManageUsers) {
        Ok(()) => users::create(
            State(state),
            viewer.caller.clone(),
            crate::extract::Json(input),
        )
        .await
        .map(|_| ()),
        Err(error) => Err(error),
    };
    after_action(&viewer, created, BACK)
}

/// Applies `change` to user `id` through the users API, as the viewer.
async fn patch(
    state: AppState,
    viewer: &Viewer,
    id: UserId,
    change: UpdateUser,
) -> Result<(), ApiError> {
    viewer.caller.authorize(Action::ManageUsers)?;
    users::update(
        State(state),
        viewer.caller.clone(),
        PathId(id),
        IfMatch(None),
        crate::extract::Json(change),
    )
    .await
    .map(|_| ())
}

fn change(role: Option<String>, active: Option<bool>) -> UpdateUser {
    UpdateUser {
        email: None,
        name: None,
        role,
        time_zone: None,
        active,
    }
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    pub role: String,
}

/// Changes a user's organisation role.
pub async fn change_role(
    State(state): State<AppState>,
    PathId(id): PathId<UserId>,
    AdminForm(viewer, form): AdminForm<RoleForm>,
) -> Response {
    let role = form.role.trim().to_owned();
    let done = patch(state, &viewer, id, change(Some(role), None)).await;
    after_action(&viewer, done, BACK)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub confirm: String,
}

/// Deactivates a user once their email is typed: they can no longer sign in or use tokens.
pub async fn deactivate(
    State(state): State<AppState>,
    PathId(id): PathId<UserId>,
    AdminForm(viewer, form): AdminForm<ConfirmForm>,
) -> Response {
    let done = async {
        viewer.caller.authorize(Action::ReadUsers)?;
        let user = users::get(State(state.clone()), PathId(id)).await?;
        confirmed(&form.confirm, &user.body.email)?;
        patch(state, &viewer, id, change(None, Some(false))).await
    }
    .await;
    after_action(&viewer, done, BACK)
}

/// Reactivates a deactivated user.
pub async fn reactivate(
    State(state): State<AppState>,
    PathId(id): PathId<UserId>,
    AdminForm(viewer, _): AdminForm<crate::web::profile::NoFields>,
) -> Response {
    let done = patch(state, &viewer, id, change(None, Some(true))).await;
    after_action(&viewer, done, BACK)
}
