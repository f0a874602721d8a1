//! The JSON API under `/api/v1`.
pub mod actions;
pub mod alerting_config;
pub mod alerts;
pub mod classification;
mod common;
pub mod contacts;
pub mod escalation;
pub mod events;
pub mod heartbeats;
pub mod incident_cadence;
pub mod incident_coordination;
pub mod incident_cost;
pub mod incident_declare;
pub mod incident_lifecycle;
pub mod incident_live;
pub mod incident_load;
pub mod incident_paging;
pub mod incident_people;
pub mod incident_tasks;
pub mod incidents;
pub mod integration_keys;
pub mod key_mapping;
pub mod me;
pub mod members;
pub mod noise_control;
pub mod notification_templates;
pub mod password;
pub mod regulatory;
pub mod roles;
pub mod schedules;
pub mod services;
pub mod silences;
pub mod simulate;
pub mod teams;
pub mod tokens;
pub mod users;

use crate::router::Route;

/// Every API route.
pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(me::routes());
    all.extend(password::routes());
    all.extend(tokens::routes());
    all.extend(users::routes());
    all.extend(teams::routes());
    all.extend(members::routes());
    all.extend(services::routes());
    all.extend(integration_keys::routes());
    all.extend(key_mapping::routes());
    all.extend(heartbeats::routes());
    all.extend(events::routes());
    all.extend(alerts::routes());
    all.extend(classification::routes());
    all.extend(incidents::routes());
    all.extend(silences::routes());
    all.extend(alerting_config::routes());
    all.extend(incident_lifecycle::routes());
    all.extend(noise_control::routes());
    all.extend(simulate::routes());
    all.extend(schedules::routes());
    all.extend(contacts::routes());
    all.extend(escalation::routes());
    all.extend(roles::routes());
    all.extend(incident_paging::routes());
    all.extend(incident_declare::routes());
    all.extend(incident_cadence::routes());
    all.extend(incident_cost::routes());
    all.extend(incident_people::routes());
    all.extend(incident_coordination::routes());
    all.extend(incident_tasks::routes());
    all.extend(incident_load::routes());
    all.extend(actions::routes());
    all.extend(notification_templates::routes());
    all.extend(regulatory::routes());
    all
}
