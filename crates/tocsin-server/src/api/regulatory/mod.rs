//! Regulatory clocks on incidents: `/api/v1/incidents/{id}/regulatory` (the profile, obligations
//! with their countdowns, filings) and `/api/v1/holiday-calendars/{name}`. The rules are
//! `tocsin_domain::regulatory`'s; the reminders are the engine's (`tocsin_engine::regulatory`).
pub mod calendars;
pub mod filing;
pub mod profile;
pub mod views;

use axum::http::Method;
use tocsin_domain::access::Action;

use crate::auth::Guard;
use crate::router::{Route, route};

const PROFILE: &str = "/api/v1/incidents/{id}/regulatory";
const FILING: &str = "/api/v1/incidents/{id}/regulatory/obligations/{obligation_id}/filing";
const CALENDAR: &str = "/api/v1/holiday-calendars/{name}";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let manage = || Guard::Allow(Action::ManageRegulatory);
    vec![
        route(Method::GET, PROFILE, read(), profile::get_regulatory),
        route(Method::PUT, PROFILE, manage(), profile::put_regulatory),
        route(Method::POST, FILING, manage(), filing::record_filing),
        route(Method::GET, CALENDAR, read(), calendars::get_calendar),
        route(
            Method::PUT,
            CALENDAR,
            Guard::Allow(Action::ManageHolidayCalendars),
            calendars::put_calendar,
        ),
    ]
}
