//! The service catalog pages: `/services` (every service with tier, owning team, a bounded count
//! of open incidents and its integrations, above the whole dependency graph drawn as SVG) and
//! `/services/{id}` (see `detail`); the forms that change a service are in `actions`.
pub mod actions;
pub mod detail;
pub mod graph;

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::{ServiceId, TeamId};
use tocsin_store::access::integration_keys;
use tocsin_store::catalog::{self, Service};

use self::graph::{GraphService, Picture, picture};
use super::chrome::{Chrome, Section, Viewer, api_problem, render};
use crate::api::services::ServiceQuery;
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::Query;
use crate::router::{Route, route};
use crate::state::AppState;

/// Open incidents are counted up to this many; more show as "50+".
pub const OPEN_CAP: i64 = 50;
/// The most services the dependency picture loads.
const GRAPH_CAP: usize = 1000;
const PAGE: i64 = 50;

pub fn routes() -> Vec<Route> {
    let mut all = vec![route(Method::GET, "/services", Guard::Public, catalog_page)];
    all.extend(detail::routes());
    all.extend(actions::routes());
    all
}

/// One row of the catalog.
struct CatalogRow {
    id: ServiceId,
    name: String,
    tier: u8,
    team: Option<String>,
    open: String,
    integrations: Vec<String>,
}

#[derive(Template)]
#[template(path = "services/catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    rows: Vec<CatalogRow>,
    next_cursor: Option<String>,
    picture: Picture,
}

/// `?cursor=`
#[derive(Debug, Deserialize)]
pub struct CatalogQuery {
    pub cursor: Option<String>,
}

/// The catalog and the dependency graph.
pub async fn catalog_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(query): axum::extract::Query<CatalogQuery>,
) -> Response {
    match catalog(&state, &viewer, query).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/services"),
    }
}

async fn catalog(
    state: &AppState,
    viewer: &Viewer,
    query: CatalogQuery,
) -> Result<CatalogPage, ApiError> {
    viewer.caller.authorize(Action::ReadCatalog)?;
    let listed = crate::api::services::list(
        State(state.clone()),
        Query(ServiceQuery {
            team_id: None,
            limit: Some(PAGE),
            cursor: query.cursor.filter(|c| !c.is_empty()),
        }),
    )
    .await?
    .0;
    let teams = team_names(
        state,
        listed.items.iter().filter_map(|s| s.team_id.map(TeamId)),
    )
    .await?;
    let reads_alerts = viewer.caller.authorize(Action::ReadAlerts).is_ok();
    let reader = state.store.reader();
    let mut rows = Vec::with_capacity(listed.items.len());
    for service in listed.items {
        let id = ServiceId(service.id);
        let open = if reads_alerts {
            bounded(catalog::open_incident_count(reader, id, OPEN_CAP + 1).await?)
        } else {
            "—".to_owned()
        };
        let integrations = integration_keys::list(reader, id)
            .await?
            .into_iter()
            .filter(|key| key.revoked_at.is_none())
            .map(|key| key.kind)
            .collect();
        rows.push(CatalogRow {
            id,
            name: service.name,
            tier: service.tier,
            team: service.team_id.and_then(|t| teams.get(&TeamId(t)).cloned()),
            open,
            integrations,
        });
    }
    let services = all_services(state).await?;
    let edges = catalog::dependency_edges(reader).await?;
    let drawn = graph_services(state, viewer, &services).await?;
    Ok(CatalogPage {
        chrome: viewer.chrome(Section::Services),
        rows,
        next_cursor: listed.next_cursor,
        picture: picture("Service dependency graph", &drawn, &edges, None),
    })
}

/// A count shown as-is up to the cap, and as "50+" beyond it.
pub fn bounded(count: i64) -> String {
    if count > OPEN_CAP {
        format!("{OPEN_CAP}+")
    } else {
        count.to_string()
    }
}

/// Every service (up to the picture's cap), in id order.
pub async fn all_services(state: &AppState) -> Result<Vec<Service>, ApiError> {
    let mut services = Vec::new();
    let mut after = None;
    while services.len() < GRAPH_CAP {
        let page = catalog::list_services(state.store.reader(), None, after, 200).await?;
        let Some(last) = page.last().map(|s| s.id.0) else {
            break;
        };
        services.extend(page);
        after = Some(last);
    }
    Ok(services)
}

/// The services to draw, marked down when they have an open incident and the viewer may see
/// incidents at all.
pub async fn graph_services(
    state: &AppState,
    viewer: &Viewer,
    services: &[Service],
) -> Result<Vec<GraphService>, ApiError> {
    let down: HashSet<ServiceId> = if viewer.caller.authorize(Action::ReadAlerts).is_ok() {
        catalog::services_with_open_incidents(state.store.reader())
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    Ok(services
        .iter()
        .map(|s| GraphService {
            id: s.id,
            name: s.name.to_string(),
            down: down.contains(&s.id),
        })
        .collect())
}

/// The names of `teams`, each read once.
pub async fn team_names(
    state: &AppState,
    teams: impl Iterator<Item = TeamId>,
) -> Result<HashMap<TeamId, String>, ApiError> {
    let mut names = HashMap::new();
    for team in teams {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(team) {
            slot.insert(
                catalog::get_team(state.store.reader(), team)
                    .await?
                    .name
                    .to_string(),
            );
        }
    }
    Ok(names)
}

/// Where a monitoring tool sends alerts for a key of `kind`, on this server.
pub fn intake_url(public_url: &str, kind: &str, secret: &str) -> String {
    let base = public_url.trim_end_matches('/');
    match kind {
        "pagerduty" => format!("{base}/v2/enqueue"),
        "opsgenie" => format!("{base}/v2/alerts"),
        "heartbeat" => format!("{base}{}", crate::api::heartbeats::ping_path(secret)),
        other => format!("{base}/api/v1/integrations/{secret}/{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_urls_follow_each_format() {
        let base = "https://tocsin.example/";
        assert_eq!(
            intake_url(base, "generic", "tik_1"),
            "https://tocsin.example/api/v1/integrations/tik_1/generic"
        );
        assert_eq!(
            intake_url(base, "alertmanager", "tik_1"),
            "https://tocsin.example/api/v1/integrations/tik_1/alertmanager"
        );
        assert_eq!(
            intake_url(base, "heartbeat", "tik_1"),
            "https://tocsin.example/api/v1/heartbeats/tik_1/ping"
        );
        assert_eq!(
            intake_url(base, "pagerduty", "tik_1"),
            "https://tocsin.example/v2/enqueue"
        );
        assert_eq!(
            intake_url(base, "opsgenie", "tik_1"),
            "https://tocsin.example/v2/alerts"
        );
    }

    #[test]
    fn open_counts_stop_at_the_cap() {
        assert_eq!(bounded(0), "0");
        assert_eq!(bounded(OPEN_CAP), "50");
        assert_eq!(bounded(OPEN_CAP + 1), "50+");
    }
}
