//! `POST /api/v1/me/password`: change one's own password. The current password is required and
//! failures are throttled like sign-ins; every other session of the user is signed out.
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::values::Password;
use tocsin_store::access::sessions;
use tocsin_store::catalog::users;

use crate::auth::{Caller, Guard, password};
use crate::error::{ApiError, ProblemKind};
use crate::extract;
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::POST,
        "/api/v1/me/password",
        Guard::Allow(Action::ReadSelf),
        change,
    )]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Change my password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "access", security(("bearer" = [])),
    request_body = ChangePassword, responses(
    (status = 204, description = "Changed; other sessions were signed out"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 429, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    let Some(user) = caller.user.clone() else {
        return Err(ApiError::unauthenticated());
    };
    let new_password = Password::parse(&input.new_password)
        .map_err(|e| ApiError::field("/new_password", e.to_string()))?;
    let now = state.clock.now();
    const CHANNEL: &str = "password-change";
    if let Some(wait) = state.login_throttle.retry_after(&user.email, CHANNEL, now) {
        return Err(ApiError::new(
            ProblemKind::TooManyRequests,
            "too many wrong current passwords; wait and retry",
        )
        .with_retry_after(wait));
    }
    let stored = password::stored_hash(state.store.reader(), &user.email)
        .await?
        .map(|(_, hash)| hash);
    let current = input.current_password;
    let fresh = new_password.expose().to_owned();
    let checked = tokio::task::spawn_blocking(move || {
        let matches = stored
            .as_deref()
            .is_some_and(|hash| password::verify(&current, hash));
        matches.then(|| password::hash(&fresh))
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let new_hash = match checked {
        None => {
            state
                .login_throttle
                .record_failure(&user.email, CHANNEL, now);
            return Err(ApiError::field(
                "/current_password",
                "is not your current password",
            ));
        }
        Some(hashed) => hashed.map_err(|_| ApiError::internal())?,
    };
    state.login_throttle.record_success(&user.email, CHANNEL);
    let (actor, user_id, keep) = (
        caller.actor(),
        user.user_id,
        caller.session.as_ref().map(|s| s.id),
    );
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                users::set_password_hash(tx, user_id, &new_hash, &actor, now).await?;
                sessions::revoke_all_except(tx, user_id, keep, now).await
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
