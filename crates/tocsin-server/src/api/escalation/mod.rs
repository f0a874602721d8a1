//! `/api/v1/escalation-policies`, a service's escalation policy and routing rules, and users'
//! skills: who is paged for an incident, in which order, and why. The rules are
//! `tocsin_domain::escalation`'s; this module reads, authorises and names people.
pub mod crud;
pub mod input;
pub mod preview;
pub mod routing;
pub mod skills;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;

use crate::auth::Guard;
use crate::router::{Route, route};

const COLLECTION: &str = "/api/v1/escalation-policies";
const ONE: &str = "/api/v1/escalation-policies/{id}";
const ROUTES: &str = "/api/v1/services/{id}/escalation-routes";
const SKILLS: &str = "/api/v1/users/{id}/skills";

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
            "/api/v1/escalation-policies/{id}/preview",
            read(),
            preview::preview,
        ),
        route(
            Method::PUT,
            "/api/v1/services/{id}/escalation-policy",
            user(),
            routing::set_policy,
        ),
        route(Method::GET, ROUTES, read(), routing::get_routes),
        route(Method::PUT, ROUTES, user(), routing::put_routes),
        route(
            Method::GET,
            SKILLS,
            Guard::Allow(Action::ReadUsers),
            skills::get,
        ),
        route(Method::PUT, SKILLS, user(), skills::put),
    ]
}
