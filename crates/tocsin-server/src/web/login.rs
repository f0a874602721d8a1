//! Sign in, sign out and the home page. The login form is protected by a double-submit CSRF
//! cookie; a successful login always starts a fresh session (rotation) and revokes the one the
//! browser held; sign-out revokes the session server-side.
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tocsin_store::access::sessions;

use crate::auth::caller::{SESSION_COOKIE, cookie};
use crate::auth::secrets::{hash_secret, random_secret, same_secret};
use crate::auth::{Caller, Guard, password};
use crate::router::{Route, route};
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "tocsin_login_csrf";

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/", Guard::Public, home),
        route(Method::GET, "/login", Guard::Public, login_form),
        route(Method::POST, "/login", Guard::Public, login),
        route(Method::POST, "/logout", Guard::Public, logout),
        route(Method::GET, "/assets/app.css", Guard::Public, stylesheet),
    ]
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf_token: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    name: String,
    email: String,
    role: &'static str,
    csrf_token: String,
}

fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
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

/// The home page for signed-in users; others are sent to sign in.
pub async fn home(caller: Caller) -> Response {
    match (&caller.user, &caller.session) {
        (Some(user), Some(session)) => render(&HomePage {
            name: user.name.clone(),
            email: user.email.clone(),
            role: user.role.as_str(),
            csrf_token: session.csrf_token.clone(),
        }),
        _ => Redirect::to("/login").into_response(),
    }
}

/// The sign-in form, with a fresh double-submit CSRF token. A signed-in browser may sign in again
/// (to switch accounts); the new session replaces the old one.
pub async fn login_form(State(state): State<AppState>) -> Response {
    login_page(&state, StatusCode::OK, String::new(), None)
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Response {
    let csrf_token = random_secret("");
    let mut response = render(&LoginPage {
        csrf_token: csrf_token.clone(),
        email,
        error,
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
}

/// Checks the credentials; the same answer whether the account exists or not.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&form.csrf_token, expected) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            form.email,
            Some("The form expired; please try again.".into()),
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
    let mut response = Redirect::to("/").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
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

/// The one stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
        .into_response()
}
