//! `/api/v1/incident-roles`: the role catalog (incident commander, communications lead ...), each
//! staffed by a schedule with required skills and a named backup, and who fills a role at an
//! instant, and why. The staffing rule is `tocsin_domain::roles`'; this module reads, authorises
//! and names people.
pub mod crud;
pub mod staffing;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;

use crate::auth::Guard;
use crate::router::{Route, route};

const COLLECTION: &str = "/api/v1/incident-roles";
const ONE: &str = "/api/v1/incident-roles/{id}";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadSchedules);
    let user = || Guard::UserThenHandler;
    vec![
        route(Method::GET, COLLECTION, read(), crud::list),
        route(Method::POST, COLLECTION, user(), crud::create),
        route(Method::GET, ONE, read(), crud::get),
        route(Method::PUT, ONE, user(), crud::replace),
        route(Method::DELETE, ONE, user(), crud::delete),
        route(
            Method::GET,
            "/api/v1/incident-roles/{id}/staffing",
            read(),
            staffing::staffing,
        ),
    ]
}
