//! The on-call pages: schedules and escalation policies at a glance with "who is on call at",
//! a schedule drawn as a timeline (layers, overrides, gaps in red) where overrides are added and
//! removed, and an escalation policy's steps. Data comes from the schedule and escalation API
//! functions, called with the viewer's caller.
pub mod overrides;
pub mod overview;
pub mod picture;
pub mod policy;
pub mod schedule;
pub mod time;

use axum::http::Method;
use axum::response::Response;
use serde::de::DeserializeOwned;
use tocsin_domain::id::TeamId;
use tocsin_store::catalog::teams;

use super::chrome::{Viewer, api_problem, render};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let page = || Guard::Public;
    vec![
        route(Method::GET, "/on-call", page(), overview::page),
        route(
            Method::GET,
            "/on-call/schedules/{id}",
            page(),
            schedule::page,
        ),
        route(
            Method::POST,
            "/on-call/schedules/{id}/overrides",
            page(),
            overrides::create,
        ),
        route(
            Method::POST,
            "/on-call/schedules/{id}/overrides/{override_id}/remove",
            page(),
            overrides::remove,
        ),
        route(
            Method::GET,
            "/on-call/escalation-policies/{id}",
            page(),
            policy::page,
        ),
    ]
}

/// A page's query string read into `T` (whose fields are optional text); a malformed one is a 400.
fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|error| ApiError::parameter("query", error.to_string()))
}

/// An id from the path; anything else is "no such `what`".
fn path_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

/// The owning team's name (none for an unowned schedule or policy).
async fn team_name(state: &AppState, team: Option<TeamId>) -> Result<Option<String>, ApiError> {
    match team {
        Some(team) => Ok(Some(
            teams::get_team(state.store.reader(), team)
                .await?
                .name
                .into(),
        )),
        None => Ok(None),
    }
}

/// Renders a built page, or the readable problem page for what stopped it.
fn page_or_problem(
    viewer: &Viewer,
    built: Result<impl askama::Template, ApiError>,
    back: &str,
) -> Response {
    match built {
        Ok(page) => render(&page),
        Err(error) => api_problem(viewer, error, back),
    }
}
