//! Sign in and sign out. The login form is protected by a double-submit CSRF
//! cookie; a successful login always starts a fresh session (rotation) and revokes the one the
//! browser held; sign-out revokes the session server-side.
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tocsin_store::access::sessions;

use super::chrome::{local_path, render, see_other};
use crate::auth::caller::{SESSION_COOKIE, cookie};
use crate::auth::secrets::{hash_secret, random_secret, same_secret};
use crate::auth::{Caller, Guard, password};
use crate::router::{Route, route};
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "tocsin_login_csrf";

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/login", Guard::Public, login_form),
        route(Method::POST, "/login", Guard::Public, login),
        route(Method::POST, "/logout", Guard::Public, logout),
    ]
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf_token: String,
    email: String,
    error: Option<String>,
    /// Where to go after signing in (a local path).
    next: String,
    expired: bool,
}

/// `/login?next=/incidents&expired=1`
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

fn cookie_header(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
    same_site: &str,
) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}

/// The sign-in form, with a fresh double-submit CSRF token. A signed-in browser may sign in again
/// (to switch accounts); the new session replaces the old one.
pub async fn login_form(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
) -> Response {
    let next = local_path(query.next.as_deref()).to_owned();
    let expired = query.expired.is_some();
    login_page(&state, StatusCode::OK, String::new(), None, next, expired)
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    email: String,
    error: Option<String>,
    next: String,
    expired: bool,
) -> Response {
    let csrf_token = random_secret("");
    let mut response = render(&LoginPage {
        csrf_token: csrf_token.clone(),
        email,
        error,
        next,
        expired,
    });
    *response.status_mut() = status;
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            state,
            LOGIN_CSRF_COOKIE,
            &csrf_token,
            "/login",
            3600,
            "Strict",
        ),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

/// Checks the credentials; the same answer whether the account exists or not.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = local_path(form.next.as_deref()).to_owned();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&form.csrf_token, expected) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            form.email,
            Some("The form expired; please try again.".into()),
            next,
            false,
        );
    }
    let now = state.clock.now();
    let address = peer.ip().to_string();
    let email = form.email.trim().to_lowercase();
    if let Some(wait) = state.login_throttle.retry_after(&email, &address, now) {
        let mut response = login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            form.email,
            Some(format!(
                "Too many failed sign-ins. Try again in {wait} seconds."
            )),
            next,
            false,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    let candidate = match password::stored_hash(state.store.reader(), &email).await {
        Ok(candidate) => candidate,
        Err(error) => return crate::error::ApiError::from(error).into_response(),
    };
    let password_text = form.password;
    let verified = tokio::task::spawn_blocking(move || match &candidate {
        Some((user_id, hash)) => password::verify(&password_text, hash).then_some(*user_id),
        _ => {
            password::verify_against_nobody(&password_text);
            None
        }
    })
    .await
    .ok()
    .flatten();
    let Some(user_id) = verified else {
        state.login_throttle.record_failure(&email, &address, now);
        tracing::info!(client = %address, "failed sign-in");
        return login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            form.email,
            Some("Invalid email or password.".into()),
            next,
            false,
        );
    };
    state.login_throttle.record_success(&email, &address);
    let secret = random_secret("");
    let csrf_token = random_secret("");
    let max_age = state.config.session_max_age;
    let expires_at = now
        + jiff::SignedDuration::try_from(max_age).unwrap_or(jiff::SignedDuration::from_hours(168));
    let previous = cookie(&headers, SESSION_COOKIE).map(hash_secret);
    let new_session = sessions::NewSession {
        token_hash: hash_secret(&secret),
        user_id,
        csrf_token,
        expires_at,
    };
    let created = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                if let Some(previous) = previous {
                    sessions::revoke(tx, previous, now).await?;
                }
                sessions::create(tx, new_session, now).await
            })
        })
        .await;
    if let Err(error) = created {
        return crate::error::ApiError::from(error).into_response();
    }
    let mut response = see_other(&next);
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookie_header(
            &state,
            SESSION_COOKIE,
            &secret,
            "/",
            max_age.as_secs(),
            "Lax",
        ),
    );
    headers.append(
        header::SET_COOKIE,
        cookie_header(&state, LOGIN_CSRF_COOKIE, "", "/login", 0, "Strict"),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

/// Ends the session server-side and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LogoutForm>,
) -> Response {
    let Some(session) = caller.session else {
        return Redirect::to("/login").into_response();
    };
    if !same_secret(&form.csrf_token, &session.csrf_token) {
        return crate::error::ApiError::new(
            crate::error::ProblemKind::CsrfRejected,
            "the sign-out form is stale",
        )
        .into_response();
    }
    let now = state.clock.now();
    let hash = session.token_hash;
    if let Err(error) = state
        .store
        .write(move |tx| Box::pin(async move { sessions::revoke(tx, hash, now).await }))
        .await
    {
        return crate::error::ApiError::from(error).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&state, SESSION_COOKIE, "", "/", 0, "Lax"),
    );
    response
}
