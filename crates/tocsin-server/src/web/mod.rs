//! The web console: pages rendered on the server (askama, auto-escaped), forms that work without
//! JavaScript, a little vendored htmx for progressive enhancement, and live updates by
//! server-sent events. `chrome` holds what every page shares; each section has its own module.
pub mod admin;
pub mod alerts;
pub mod assets;
pub mod chrome;
pub mod clock;
pub mod form;
pub mod home;
pub mod home_oncall;
pub mod incident;
pub mod incidents_index;
pub mod live;
pub mod login;
pub mod oncall;
pub mod profile;
pub mod services;

use crate::router::Route;

pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(assets::routes());
    all.extend(login::routes());
    all.extend(home::routes());
    all.extend(incidents_index::routes());
    all.extend(live::routes());
    all.extend(alerts::routes());
    all.extend(services::routes());
    all.extend(incident::routes());
    all.extend(profile::routes());
    all.extend(admin::routes());
    all.extend(oncall::routes());
    all
}
