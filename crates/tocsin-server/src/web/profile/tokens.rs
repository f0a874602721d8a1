//! The profile's account forms: change password, create an API token (its secret shown once, on
//! the answer page), revoke a token.
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::ApiTokenId;

use super::{BACK, NoFields, show_secret, whole_number};
use crate::api::password::{self, ChangePassword};
use crate::api::tokens::{self, CreateToken};
use crate::error::ApiError;
use crate::extract::{Json, PathId};
use crate::state::AppState;
use crate::web::chrome::{after_action, api_problem};
use crate::web::form::WebForm;

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changes the viewer's password (their other sessions are signed out).
pub async fn change_password(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<PasswordForm>,
) -> Response {
    if form.new_password != form.confirm_password {
        let error = ApiError::field("/confirm_password", "does not match the new password");
        return api_problem(&viewer, error, BACK);
    }
    let input = ChangePassword {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    let changed = password::change(State(state), viewer.caller.clone(), Json(input)).await;
    after_action(&viewer, changed, BACK)
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    pub name: String,
    pub expires_in_days: Option<String>,
}

/// Creates an API token and shows its secret once.
pub async fn create(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<TokenForm>,
) -> Response {
    let created = async {
        viewer.caller.authorize(Action::ManageOwnTokens)?;
        let input = CreateToken {
            name: form.name,
            expires_in_days: whole_number("expires_in_days", &form.expires_in_days)?,
        };
        tokens::create(State(state), viewer.caller.clone(), Json(input)).await
    }
    .await;
    match created {
        Ok((_, axum::Json(token))) => show_secret(
            &viewer,
            format!("API token {} created", token.token.name),
            format!("the secret of the API token {}", token.token.name),
            token.secret,
        ),
        Err(error) => api_problem(&viewer, error, BACK),
    }
}

/// Revokes one of the viewer's tokens.
pub async fn revoke(
    State(state): State<AppState>,
    PathId(id): PathId<ApiTokenId>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let revoked = match viewer.caller.authorize(Action::ManageOwnTokens) {
        Ok(()) => tokens::revoke(State(state), viewer.caller.clone(), PathId(id)).await,
        Err(error) => Err(error),
    };
    after_action(&viewer, revoked, BACK)
}
