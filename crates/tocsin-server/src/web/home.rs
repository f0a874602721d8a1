//! The home page, where a signed-in responder starts: their open incidents (refreshing live from
//! `/fragments/home/incidents`), who is on call now for their teams, alerts needing attention and
//! their open tasks.
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::visibility;
use tocsin_store::incident;

use super::chrome::{Chrome, Section, Viewer, api_problem, render};
use super::home_oncall::{OnCallRow, on_call_for_teams};
use super::incidents_index::{IncidentRow, names, services};
use crate::api::alerts::{self, AlertQuery};
use crate::api::incident_tasks::{self, TaskQuery};
use crate::api::incidents::IncidentView;
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/", Guard::Public, home),
        route(
            Method::GET,
            "/fragments/home/incidents",
            Guard::Public,
            incidents_fragment,
        ),
    ]
}

/// Open incidents the panel lists at most.
const INCIDENTS_SHOWN: i64 = 20;
/// Triggered alerts the panel lists at most.
const ALERTS_SHOWN: i64 = 10;
/// Tasks the panel lists at most.
const TASKS_SHOWN: usize = 20;

/// An open incident on the home page; `involved`: the viewer takes part, holds a role, was
/// paged, or their team owns its service.
#[derive(Debug, Clone)]
pub struct HomeIncident {
    pub row: IncidentRow,
    pub involved: bool,
}

/// The incidents panel; `None` rows: the viewer's role may not read incidents.
#[derive(Debug, Clone)]
pub struct IncidentsPanel {
    pub rows: Option<Vec<HomeIncident>>,
}

/// A triggered alert.
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub summary: String,
    pub severity: String,
    pub service: String,
    pub seen: String,
    pub incident_id: Option<uuid::Uuid>,
}

/// An open task of the viewer's, with its incident.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub title: String,
    pub status: String,
    pub due: String,
    pub incident_id: uuid::Uuid,
    pub incident: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    incidents: IncidentsPanel,
    on_call: Option<Vec<OnCallRow>>,
    alerts: Option<Vec<AlertRow>>,
    tasks: Vec<TaskRow>,
    can_declare: bool,
}

#[derive(Template)]
#[template(path = "home/_incidents.html")]
struct IncidentsFragment {
    incidents: IncidentsPanel,
}

/// The home page for signed-in users; others are sent to sign in.
pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    match home_page(&state, &viewer).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/"),
    }
}

async fn home_page(state: &AppState, viewer: &Viewer) -> Result<HomePage, ApiError> {
    let service_names = names(&services(state, viewer).await);
    Ok(HomePage {
        chrome: viewer.chrome(Section::Home),
        name: viewer.name.clone(),
        incidents: incidents_panel(state, viewer, &service_names).await?,
        on_call: on_call_for_teams(state, viewer).await?,
        alerts: alerts_panel(state, viewer, &service_names).await?,
        tasks: tasks_panel(state, viewer).await?,
        can_declare: viewer.caller.authorize(Action::RespondToAlerts).is_ok(),
    })
}

/// Just the incidents panel, for its live refresh.
pub async fn incidents_fragment(State(state): State<AppState>, viewer: Viewer) -> Response {
    let service_names = names(&services(&state, &viewer).await);
    match incidents_panel(&state, &viewer, &service_names).await {
        Ok(incidents) => render(&IncidentsFragment { incidents }),
        Err(error) => api_problem(&viewer, error, "/"),
    }
}

/// Open incidents the viewer may see, those they are involved in first.
async fn incidents_panel(
    state: &AppState,
    viewer: &Viewer,
    service_names: &HashMap<uuid::Uuid, String>,
) -> Result<IncidentsPanel, ApiError> {
    if viewer.caller.authorize(Action::ReadAlerts).is_err() {
        return Ok(IncidentsPanel { rows: None });
    }
    let rule = visibility::Viewer {
        user: Some(viewer.user_id),
        role: viewer.role,
    };
    let open = incident::open_for_user(state.store.reader(), viewer.user_id, rule, INCIDENTS_SHOWN)
        .await?;
    let rows = open
        .into_iter()
        .map(|o| HomeIncident {
            row: IncidentRow::of(&IncidentView::from(o.incident), service_names, &viewer.zone),
            involved: o.involved,
        })
        .collect();
    Ok(IncidentsPanel { rows: Some(rows) })
}

/// The newest triggered alerts; `None`: the viewer's role may not read alerts.
async fn alerts_panel(
    state: &AppState,
    viewer: &Viewer,
    service_names: &HashMap<uuid::Uuid, String>,
) -> Result<Option<Vec<AlertRow>>, ApiError> {
    if viewer.caller.authorize(Action::ReadAlerts).is_err() {
        return Ok(None);
    }
    let query = AlertQuery {
        state: Some("triggered".to_owned()),
        service_id: None,
        incident_id: None,
        transient: None,
        limit: Some(ALERTS_SHOWN),
        cursor: None,
    };
    let page = alerts::list(State(state.clone()), Query(query)).await?.0;
    Ok(Some(
        page.items
            .into_iter()
            .map(|alert| AlertRow {
                service: service_names
                    .get(&alert.service_id)
                    .cloned()
                    .unwrap_or_else(|| "another service".to_owned()),
                summary: alert.summary,
                severity: alert.severity,
                seen: viewer.when(alert.last_seen_at),
                incident_id: alert.incident_id,
            })
            .collect(),
    ))
}

/// The viewer's open tasks across the incidents they may see, soonest due first.
async fn tasks_panel(state: &AppState, viewer: &Viewer) -> Result<Vec<TaskRow>, ApiError> {
    if viewer.caller.authorize(Action::ReadAlerts).is_err() {
        return Ok(Vec::new());
    }
    let tasks = incident_tasks::of_user(
        State(state.clone()),
        viewer.caller.clone(),
        PathId(viewer.user_id),
        axum::extract::Query(TaskQuery { status: None }),
    )
    .await?
    .0
    .items;
    let mut incidents: HashMap<uuid::Uuid, String> = HashMap::new();
    let mut rows = Vec::new();
    for task in tasks.into_iter().take(TASKS_SHOWN) {
        let incident = match incidents.get(&task.incident_id) {
            Some(label) => label.clone(),
            None => {
                let found =
                    incident::get(state.store.reader(), IncidentId(task.incident_id)).await?;
                let label = format!("#{} {}", found.number, found.title);
                incidents.insert(task.incident_id, label.clone());
                label
            }
        };
        rows.push(TaskRow {
            incident,
            incident_id: task.incident_id,
            title: task.title,
            status: task.status.replace('_', " "),
            due: task.due_at.map(|at| viewer.when(at)).unwrap_or_default(),
        });
    }
    Ok(rows)
}
