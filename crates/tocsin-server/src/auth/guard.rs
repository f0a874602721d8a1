//! Every route declares a `Guard`; the router attaches it, so no route exists without a decision.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tocsin_domain::access::Action;

use super::caller::Caller;

/// What a route requires before its handler runs.
#[derive(Debug, Clone)]
pub enum Guard {
    /// Anyone, signed in or not (health, login page, OpenAPI).
    Public,
    /// The policy must allow this action for the caller.
    Allow(Action),
    /// Any signed-in user (not an integration key); the handler then asks the policy about the
    /// specific object, e.g. `Action::ManageTeam(team_of_the_service)`.
    UserThenHandler,
}

/// Middleware enforcing a route's guard.
pub async fn enforce(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let caller = request
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let verdict = match &guard {
        Guard::Public => Ok(()),
        Guard::Allow(action) => caller.authorize(action.clone()),
        // ReadSelf is what every user may do and no integration key may.
        Guard::UserThenHandler => caller.authorize(Action::ReadSelf),
    };
    match verdict {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}
