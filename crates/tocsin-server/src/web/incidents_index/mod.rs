//! The incidents index: the filterable incident list (`/incidents`), the declare form
//! (`/incidents/new`), and the incident rows and lookups the home page shares with them.
pub mod declare;
pub mod list;

use std::collections::HashMap;

use axum::extract::State;
use tocsin_domain::access::Action;

use super::chrome::Viewer;
use super::clock;
use crate::api::incidents::IncidentView;
use crate::api::services::ServiceQuery;
use crate::api::teams;
use crate::extract::{PageQuery, Query};
use crate::router::Route;
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let mut all = list::routes();
    all.extend(declare::routes());
    all
}

/// How many services and teams a picker offers (the API's largest page).
const PICKER_LIMIT: i64 = 200;

/// One incident as a row of a list; the title links to `/incidents/{id}`.
#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: uuid::Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
    /// P1 .. P5, or empty until assessed.
    pub priority: String,
    pub service: String,
    pub created: String,
    pub created_at: String,
    /// Empty when not acknowledged.
    pub acknowledged: String,
}

impl IncidentRow {
    /// The row for `view`, naming its service from `services` (id → name), its times on `zone`.
    pub fn of(
        view: &IncidentView,
        services: &HashMap<uuid::Uuid, String>,
        zone: &jiff::tz::TimeZone,
    ) -> Self {
        Self {
            id: view.id,
            number: view.number,
            title: view.title.clone(),
            status: view.status.clone(),
            priority: view.classification.priority.clone().unwrap_or_default(),
            service: services
                .get(&view.service_id)
                .cloned()
                .unwrap_or_else(|| "another service".to_owned()),
            created: clock::minutes(view.created_at, zone),
            created_at: view.created_at.to_string(),
            acknowledged: view
                .acknowledged_at
                .map(|at| clock::minutes(at, zone))
                .unwrap_or_default(),
        }
    }

    /// The priority's badge class (`p1` .. `p5`).
    pub fn priority_class(&self) -> String {
        self.priority.to_ascii_lowercase()
    }
}

/// An id and a name, for a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// The services the viewer may read (up to [`PICKER_LIMIT`]), by name; none when their role
/// may not read the catalog.
pub async fn services(state: &AppState, viewer: &Viewer) -> Vec<Choice> {
    if viewer.caller.authorize(Action::ReadCatalog).is_err() {
        return Vec::new();
    }
    let query = ServiceQuery {
        team_id: None,
        limit: Some(PICKER_LIMIT),
        cursor: None,
    };
    match crate::api::services::list(State(state.clone()), Query(query)).await {
        Ok(page) => by_name(page.0.items.into_iter().map(|s| (s.id, s.name))),
        Err(_) => Vec::new(),
    }
}

/// The teams the viewer may read (up to [`PICKER_LIMIT`]), by name.
pub async fn teams(state: &AppState, viewer: &Viewer) -> Vec<Choice> {
    if viewer.caller.authorize(Action::ReadCatalog).is_err() {
        return Vec::new();
    }
    let page = PageQuery {
        limit: Some(PICKER_LIMIT),
        cursor: None,
    };
    match teams::list(State(state.clone()), Query(page)).await {
        Ok(page) => by_name(page.0.items.into_iter().map(|t| (t.id, t.name))),
        Err(_) => Vec::new(),
    }
}

/// Choices sorted by name (ignoring case).
fn by_name(items: impl Iterator<Item = (uuid::Uuid, String)>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = items
        .map(|(id, name)| Choice {
            id: id.to_string(),
            name,
        })
        .collect();
    choices.sort_by_key(|c| c.name.to_lowercase());
    choices
}

/// Service names by id, for naming incidents' services.
pub fn names(choices: &[Choice]) -> HashMap<uuid::Uuid, String> {
    choices
        .iter()
        .filter_map(|c| Some((c.id.parse().ok()?, c.name.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_found_by_id() {
        let id = uuid::Uuid::now_v7();
        let choices = vec![Choice {
            id: id.to_string(),
            name: "Payments".into(),
        }];
        assert_eq!(
            names(&choices).get(&id).map(String::as_str),
            Some("Payments")
        );
    }
}
