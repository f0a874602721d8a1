//! `/api/v1/users/{id}/contact-methods`, `/notification-rules`, `/quiet-hours`,
//! `/handoff-notices`, `/notification-plan` and `/time-zone`: how a person is reached and on
//! which clock. Only the person themselves or an admin may read
//! or change any of it (`Action::ManageContacts`). Verification and test messages go out
//! synchronously through the delivery `Sender`; the rules are `tocsin_domain::contact`'s.
pub mod delivery;
pub mod handoff;
pub mod methods;
pub mod plan;
pub mod quiet;
pub mod rules;
pub mod time_zone;
pub mod verification;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;
use tocsin_domain::id::UserId;

use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::router::{Route, route};

const METHODS: &str = "/api/v1/users/{id}/contact-methods";
const METHOD: &str = "/api/v1/users/{id}/contact-methods/{method_id}";
const RULES: &str = "/api/v1/users/{id}/notification-rules";
const QUIET: &str = "/api/v1/users/{id}/quiet-hours";
const HANDOFF: &str = "/api/v1/users/{id}/handoff-notices";

/// The person or an admin; everyone else 403.
pub(crate) fn authorize(caller: &Caller, user: UserId) -> Result<(), ApiError> {
    caller.authorize(Action::ManageContacts(user))
}

pub fn routes() -> Vec<Route> {
    let user = || Guard::UserThenHandler;
    vec![
        route(Method::GET, METHODS, user(), methods::list),
        route(Method::POST, METHODS, user(), methods::create),
        route(Method::GET, METHOD, user(), methods::get),
        route(Method::PATCH, METHOD, user(), methods::update),
        route(Method::DELETE, METHOD, user(), methods::delete),
        route(
            Method::POST,
            "/api/v1/users/{id}/contact-methods/{method_id}/verification",
            user(),
            verification::request,
        ),
        route(
            Method::POST,
            "/api/v1/users/{id}/contact-methods/{method_id}/verify",
            user(),
            verification::verify,
        ),
        route(
            Method::POST,
            "/api/v1/users/{id}/contact-methods/{method_id}/test",
            user(),
            verification::test,
        ),
        route(Method::GET, RULES, user(), rules::list),
        route(Method::POST, RULES, user(), rules::create),
        route(
            Method::DELETE,
            "/api/v1/users/{id}/notification-rules/{rule_id}",
            user(),
            rules::delete,
        ),
        route(Method::GET, QUIET, user(), quiet::get),
        route(Method::PUT, QUIET, user(), quiet::put),
        route(Method::DELETE, QUIET, user(), quiet::delete),
        route(
            Method::PUT,
            "/api/v1/users/{id}/time-zone",
            user(),
            time_zone::put,
        ),
        route(Method::GET, HANDOFF, user(), handoff::get),
        route(Method::PUT, HANDOFF, user(), handoff::put),
        route(
            Method::GET,
            "/api/v1/users/{id}/notification-plan",
            user(),
            plan::preview,
        ),
    ]
}
