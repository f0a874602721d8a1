//! `/api/v1/schedules`, `/api/v1/oncall` and calendar feeds: on-call schedules made of layered
//! rotations, temporary schedules and overrides; their timelines, gaps and gap warnings; who is on
//! call at an instant and why; secret iCalendar subscriptions. The calculating is
//! `tocsin_domain::oncall`'s; this module reads, authorises and names people.
pub mod budget;
pub mod calendar;
pub mod crud;
pub mod input;
pub mod oncall;
pub mod overrides;
pub mod range;
pub mod timeline;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;

use crate::auth::Guard;
use crate::router::{Route, route};

const ONE: &str = "/api/v1/schedules/{id}";
const OVERRIDES: &str = "/api/v1/schedules/{id}/overrides";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadSchedules);
    let user = || Guard::UserThenHandler;
    vec![
        route(Method::GET, "/api/v1/schedules", read(), crud::list),
        route(Method::POST, "/api/v1/schedules", user(), crud::create),
        route(Method::GET, ONE, read(), crud::get),
        route(Method::PUT, ONE, user(), crud::replace),
        route(Method::DELETE, ONE, user(), crud::delete),
        route(Method::GET, OVERRIDES, read(), overrides::list),
        route(Method::POST, OVERRIDES, user(), overrides::create),
        route(
            Method::DELETE,
            "/api/v1/schedules/{id}/overrides/{override_id}",
            user(),
            overrides::delete,
        ),
        route(
            Method::GET,
            "/api/v1/schedules/{id}/shifts",
            read(),
            timeline::shifts,
        ),
        route(
            Method::GET,
            "/api/v1/schedules/{id}/gaps",
            read(),
            timeline::gaps,
        ),
        route(Method::GET, "/api/v1/oncall", read(), oncall::on_call),
        route(
            Method::POST,
            "/api/v1/schedules/{id}/calendar-subscription",
            read(),
            calendar::subscribe_schedule,
        ),
        route(
            Method::POST,
            "/api/v1/users/{id}/calendar-subscription",
            user(),
            calendar::subscribe_user,
        ),
        // The secret token in the path is the only credential.
        route(
            Method::GET,
            "/api/v1/calendars/{file}",
            Guard::Public,
            calendar::serve,
        ),
    ]
}
