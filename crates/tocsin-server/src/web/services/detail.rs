//! `/services/{id}`: a service's details, owners, integrations with copyable intake URLs (for
//! the managers who may see them), dependencies both ways with the neighbourhood drawn as SVG,
//! maintenance windows, and the forms a manager uses to change them.
use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::maintenance::{MaintenanceSchedule, MaintenanceWindow};
use tocsin_domain::id::{ServiceId, TeamId};
use tocsin_store::catalog;

use super::graph::{Picture, picture};
use super::{OPEN_CAP, all_services, bounded, graph_services, intake_url};
use crate::api::integration_keys::KINDS;
use crate::api::services::{ServiceView, authorize_owner};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::PathId;
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::alerts::input::{local_value, path_id};
use crate::web::chrome::{Chrome, Section, Viewer, api_problem, render};
use crate::web::clock;

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::GET,
        "/services/{id}",
        Guard::Public,
        service_page,
    )]
}

/// An integration key as its managers see it.
pub struct KeyRow {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub secret: String,
    pub revoked: bool,
}

/// A maintenance window of this service.
struct WindowRow {
    id: uuid::Uuid,
    description: String,
    when: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "services/detail.html")]
struct ServicePage {
    chrome: Chrome,
    service: ServiceView,
    team: Option<(TeamId, String)>,
    owners: Vec<(String, &'static str)>,
    open: String,
    integrations: Option<Vec<KeyRow>>,
    kinds: [&'static str; 5],
    can_manage: bool,
    can_maintain: bool,
    reads_alerts: bool,
    depends_on: Vec<(ServiceId, String)>,
    dependents: Vec<(ServiceId, String)>,
    picture: Picture,
    windows: Vec<WindowRow>,
    starts_default: String,
    ends_default: String,
}

pub async fn service_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Response {
    let id = match path_id(&viewer, &raw, "service", "/services") {
        Ok(id) => ServiceId(id),
        Err(page) => return *page,
    };
    match service(&state, &viewer, id).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/services"),
    }
}

async fn service(
    state: &AppState,
    viewer: &Viewer,
    id: ServiceId,
) -> Result<ServicePage, ApiError> {
    viewer.caller.authorize(Action::ReadCatalog)?;
    let service = crate::api::services::get(State(state.clone()), PathId(id))
        .await?
        .body;
    let reader = state.store.reader();
    let team_id = service.team_id.map(TeamId);
    let (team, owners) = match team_id {
        Some(team) => {
            let name = catalog::get_team(reader, team).await?.name.to_string();
            let members = catalog::list_members(reader, team).await?;
            let owners = members
                .into_iter()
                .map(|m| (m.name.to_string(), m.role.as_str()))
                .collect();
            (Some((team, name)), owners)
        }
        None => (None, Vec::new()),
    };
    let can_manage = authorize_owner(&viewer.caller, team_id).is_ok();
    let integrations = if can_manage {
        let keys = crate::api::integration_keys::list(
            State(state.clone()),
            viewer.caller.clone(),
            PathId(id),
        )
        .await?
        .0;
        Some(
            keys.items
                .into_iter()
                .map(|key| KeyRow {
                    url: intake_url(&state.config.public_url, &key.kind, &key.secret),
                    name: key.name,
                    kind: key.kind,
                    secret: key.secret,
                    revoked: key.revoked_at.is_some(),
                })
                .collect(),
        )
    } else {
        None
    };
    let reads_alerts = viewer.caller.authorize(Action::ReadAlerts).is_ok();
    let open = if reads_alerts {
        bounded(catalog::open_incident_count(reader, id, OPEN_CAP + 1).await?)
    } else {
        "—".to_owned()
    };
    let services = all_services(state).await?;
    let names: HashMap<ServiceId, String> = services
        .iter()
        .map(|s| (s.id, s.name.to_string()))
        .collect();
    let edges = catalog::dependency_edges(reader).await?;
    let near = neighbourhood(id, &edges);
    let named = |ids: Vec<ServiceId>| -> Vec<(ServiceId, String)> {
        ids.into_iter()
            .map(|s| (s, names.get(&s).cloned().unwrap_or_else(|| s.to_string())))
            .collect()
    };
    let depends_on = named(service.depends_on.iter().copied().map(ServiceId).collect());
    let dependents = named(
        edges
            .iter()
            .filter(|(_, to)| *to == id)
            .map(|(from, _)| *from)
            .collect(),
    );
    let shown: Vec<_> = services
        .into_iter()
        .filter(|s| near.contains(&s.id))
        .collect();
    let drawn = graph_services(state, viewer, &shown).await?;
    let windows = if reads_alerts {
        windows_of(state, id, &viewer.zone).await?
    } else {
        Vec::new()
    };
    let now = state.clock.now();
    Ok(ServicePage {
        chrome: viewer.chrome(Section::Services),
        picture: picture(
            &format!("What {} depends on and what depends on it", service.name),
            &drawn,
            &edges,
            Some(id),
        ),
        service,
        team,
        owners,
        open,
        integrations,
        kinds: KINDS,
        can_manage,
        can_maintain: viewer.caller.authorize(Action::ManageAlerting).is_ok(),
        reads_alerts,
        depends_on,
        dependents,
        windows,
        starts_default: local_value(now, &viewer.zone),
        ends_default: local_value(now + jiff::SignedDuration::from_hours(1), &viewer.zone),
    })
}

/// The maintenance windows that cover `service`.
async fn windows_of(
    state: &AppState,
    service: ServiceId,
    zone: &jiff::tz::TimeZone,
) -> Result<Vec<WindowRow>, ApiError> {
    let all = crate::api::alerting_config::list_windows(State(state.clone()))
        .await?
        .0;
    Ok(all
        .items
        .into_iter()
        .filter_map(|view| {
            let window: MaintenanceWindow = serde_json::from_value(view.window).ok()?;
            window.applies_to(service).then(|| WindowRow {
                id: view.id,
                when: describe(&window.schedule, zone),
                description: window.description,
                active: view.active,
            })
        })
        .collect())
}

/// A schedule in words.
fn describe(schedule: &MaintenanceSchedule, zone: &jiff::tz::TimeZone) -> String {
    match schedule {
        MaintenanceSchedule::OneOff { starts_at, ends_at } => format!(
            "from {} to {}",
            clock::minutes(*starts_at, zone),
            clock::minutes(*ends_at, zone)
        ),
        MaintenanceSchedule::Weekly {
            days,
            start,
            duration_minutes,
            time_zone,
        } => {
            let days: Vec<String> = days
                .iter()
                .map(|d| format!("{d:?}").to_lowercase())
                .collect();
            format!(
                "every {} at {} ({}) for {duration_minutes} minutes",
                days.join(", "),
                start.strftime("%H:%M"),
                time_zone.as_str()
            )
        }
    }
}

/// `center` with everything it depends on and everything depending on it, transitively.
pub fn neighbourhood(center: ServiceId, edges: &[(ServiceId, ServiceId)]) -> HashSet<ServiceId> {
    let mut seen = HashSet::from([center]);
    for downwards in [true, false] {
        let mut frontier = vec![center];
        while let Some(node) = frontier.pop() {
            for (from, to) in edges {
                let (here, next) = if downwards { (from, to) } else { (to, from) };
                if *here == node && seen.insert(*next) {
                    frontier.push(*next);
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> ServiceId {
        ServiceId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn the_neighbourhood_is_everything_upstream_and_downstream_only() {
        // 1 -> 2 -> 3, 4 -> 2, 5 -> 6 (unrelated), 3 <- 7.
        let edges = [
            (id(1), id(2)),
            (id(2), id(3)),
            (id(4), id(2)),
            (id(5), id(6)),
            (id(7), id(3)),
        ];
        let near = neighbourhood(id(2), &edges);
        let expected: HashSet<ServiceId> = [1, 2, 3, 4].into_iter().map(id).collect();
        assert_eq!(near, expected);
    }

    #[test]
    fn one_off_windows_are_described_on_the_viewers_clock() {
        let schedule = MaintenanceSchedule::OneOff {
            starts_at: "2026-11-27T12:00:00Z".parse().expect("test"),
            ends_at: "2026-11-27T13:00:00Z".parse().expect("test"),
        };
        assert_eq!(
            describe(&schedule, &clock::zone_named("America/New_York")),
            "from 2026-11-27 07:00 EST to 2026-11-27 08:00 EST"
        );
    }
}
