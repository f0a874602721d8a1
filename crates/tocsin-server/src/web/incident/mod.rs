//! `/incidents/{id}`: the page an incident commander works in — header, live timeline, panels
//! (roles, participants, tasks, services, regulatory clocks, cost, update cadence, related
//! incidents) and the forms that act on the incident. Data and rules come from the JSON API's
//! handlers, called with the viewer's caller.
pub mod actions;
pub mod live;
pub mod page;
pub mod views;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use tocsin_domain::id::IncidentId;

use super::chrome::{Viewer, problem_page};
use crate::auth::Guard;
use crate::router::{Route, route};

pub fn routes() -> Vec<Route> {
    let mut all = vec![
        route(Method::GET, "/incidents/{id}", Guard::Public, page::page),
        route(
            Method::GET,
            "/incidents/{id}/live",
            Guard::Public,
            live::live,
        ),
    ];
    all.extend(actions::routes());
    all
}

/// The incident a page path names; `None` for a malformed id (see [`no_such_incident`]).
pub fn incident_id(raw: &str) -> Option<IncidentId> {
    raw.parse::<uuid::Uuid>().ok().map(IncidentId)
}

/// The readable 404 for an incident address that names no incident.
pub fn no_such_incident(viewer: &Viewer) -> Response {
    problem_page(
        Some(viewer),
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no incident at this address.",
        "/incidents",
    )
}

/// The incident page's path.
pub fn page_path(id: IncidentId) -> String {
    format!("/incidents/{}", id.0)
}
