//! Incident classification and priority over HTTP: the priority policy (`/api/v1/priority-policy`,
//! with a preview that writes nothing), an incident's impact, priority, classification and
//! temporary P1, the taxonomy and its second-admin approval, the triage review queue and the
//! classification accuracy report. The rules are `tocsin_domain::priority`'s; the changes are
//! `tocsin_store::classification`'s.
pub mod incident;
pub mod policy;
pub mod reports;
pub mod taxonomy;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;

use crate::auth::Guard;
use crate::router::{Route, route};

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    let admin_policy = || Guard::Allow(Action::ManagePriorityPolicy);
    let admin_taxonomy = || Guard::Allow(Action::ManageTaxonomy);
    vec![
        route(Method::GET, "/api/v1/priority-policy", read(), policy::get),
        route(
            Method::PUT,
            "/api/v1/priority-policy",
            admin_policy(),
            policy::put,
        ),
        route(
            Method::POST,
            "/api/v1/priority-policy/preview",
            read(),
            policy::preview,
        ),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/impact",
            respond(),
            incident::impact,
        ),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/priority",
            respond(),
            incident::priority,
        ),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/classification",
            respond(),
            incident::classification,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/temporary-p1",
            Guard::UserThenHandler,
            incident::temporary_p1,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/temporary-p1/confirm",
            Guard::UserThenHandler,
            incident::confirm_temporary_p1,
        ),
        route(Method::GET, "/api/v1/taxonomy", read(), taxonomy::get),
        route(
            Method::POST,
            "/api/v1/taxonomy/proposals",
            admin_taxonomy(),
            taxonomy::propose,
        ),
        route(
            Method::POST,
            "/api/v1/taxonomy/proposals/{version}/approve",
            admin_taxonomy(),
            taxonomy::approve,
        ),
        route(
            Method::GET,
            "/api/v1/incidents/triage-queue",
            read(),
            reports::triage_queue,
        ),
        route(
            Method::GET,
            "/api/v1/reports/classification-accuracy",
            read(),
            reports::accuracy,
        ),
    ]
}
