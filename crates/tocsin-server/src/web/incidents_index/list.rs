//! `/incidents`: the incident list, filtered by status, priority, service, team and creation
//! dates through a plain GET form, 50 a page with a "Next page" link; the first page refreshes
//! itself live (`/fragments/incidents`). The filters are the API's (`GET /api/v1/incidents`), so
//! page and API always agree.
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::priority::Priority;

use super::{Choice, IncidentRow, names, services, teams};
use crate::api::incidents::{self, IncidentQuery};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::Query;
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, api_problem, problem_page, render};
use crate::web::form::non_blank;

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/incidents", Guard::Public, page),
        route(Method::GET, "/fragments/incidents", Guard::Public, fragment),
    ]
}

/// Rows a page shows.
const PAGE_SIZE: i64 = 50;

/// The filter form as the browser sends it: every field a string, empty when not chosen.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl Filters {
    /// Reads a query string; unknown fields are ignored, blank ones dropped.
    fn read(raw: Option<&str>) -> Result<Self, String> {
        let read: Filters = serde_urlencoded::from_str(raw.unwrap_or_default())
            .map_err(|error| format!("the filters could not be read: {error}"))?;
        Ok(Filters {
            status: non_blank(&read.status),
            priority: non_blank(&read.priority),
            service_id: non_blank(&read.service_id),
            team_id: non_blank(&read.team_id),
            created_from: non_blank(&read.created_from),
            created_to: non_blank(&read.created_to),
            cursor: non_blank(&read.cursor),
        })
    }

    /// The API query these filters ask for; an id that is not one names its field.
    fn query(&self) -> Result<IncidentQuery, ApiError> {
        Ok(IncidentQuery {
            status: self.status.clone(),
            priority: self.priority.clone(),
            service_id: id("service_id", self.service_id.as_deref())?,
            team_id: id("team_id", self.team_id.as_deref())?,
            created_from: self.created_from.clone(),
            created_to: self.created_to.clone(),
            limit: Some(PAGE_SIZE),
            cursor: self.cursor.clone(),
        })
    }

    /// The query string of these filters with `cursor` instead of the current one.
    fn with_cursor(&self, cursor: Option<&str>) -> String {
        let filters = Filters {
            cursor: cursor.map(str::to_owned),
            ..self.clone()
        };
        serde_urlencoded::to_string(&filters).unwrap_or_default()
    }
}

fn id(field: &str, text: Option<&str>) -> Result<Option<uuid::Uuid>, ApiError> {
    text.map(|text| {
        text.parse()
            .map_err(|_| ApiError::field(format!("/{field}"), "must be chosen from the list"))
    })
    .transpose()
}

/// The list of rows, live on the first page.
#[derive(Debug, Clone)]
pub struct RowsSection {
    pub rows: Vec<IncidentRow>,
    /// `/incidents?...cursor=` of the next page, when there is one.
    pub next_page: Option<String>,
    /// `/fragments/incidents?...` when the section refreshes itself (first page only).
    pub live_source: Option<String>,
    /// Whether any filter is set (the empty state says so).
    pub filtered: bool,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    chrome: Chrome,
    filters: Filters,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    services: Vec<Choice>,
    teams: Vec<Choice>,
    section: RowsSection,
    can_declare: bool,
}

#[derive(Template)]
#[template(path = "incidents/_rows.html")]
struct RowsFragment {
    section: RowsSection,
}

/// The list page.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let filters = match Filters::read(raw.as_deref()) {
        Ok(filters) => filters,
        Err(message) => return unreadable(&viewer, &message),
    };
    let services = services(&state, &viewer).await;
    let section = match section(&state, &viewer, &filters, &services).await {
        Ok(section) => section,
        Err(error) => return api_problem(&viewer, error, "/incidents"),
    };
    render(&ListPage {
        chrome: viewer.chrome(Section::Incidents),
        statuses: IncidentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
        teams: teams(&state, &viewer).await,
        can_declare: viewer.caller.authorize(Action::RespondToAlerts).is_ok(),
        services,
        section,
        filters,
    })
}

/// Just the rows section, for the live refresh of the first page.
pub async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let filters = match Filters::read(raw.as_deref()) {
        Ok(filters) => filters,
        Err(message) => return unreadable(&viewer, &message),
    };
    let services = services(&state, &viewer).await;
    match section(&state, &viewer, &filters, &services).await {
        Ok(section) => render(&RowsFragment { section }),
        Err(error) => api_problem(&viewer, error, "/incidents"),
    }
}

fn unreadable(viewer: &Viewer, message: &str) -> Response {
    problem_page(
        Some(viewer),
        StatusCode::BAD_REQUEST,
        "Please check the filters",
        message,
        "/incidents",
    )
}

/// One page of rows for `filters`, through the API's list.
async fn section(
    state: &AppState,
    viewer: &Viewer,
    filters: &Filters,
    services: &[Choice],
) -> Result<RowsSection, ApiError> {
    viewer.caller.authorize(Action::ReadAlerts)?;
    let query = filters.query()?;
    let page = incidents::list(State(state.clone()), viewer.caller.clone(), Query(query))
        .await?
        .0;
    let names = names(services);
    let first_page = filters.cursor.is_none();
    Ok(RowsSection {
        rows: page
            .items
            .iter()
            .map(|i| IncidentRow::of(i, &names, &viewer.zone))
            .collect(),
        next_page: page
            .next_cursor
            .as_deref()
            .map(|cursor| format!("/incidents?{}", filters.with_cursor(Some(cursor)))),
        live_source: first_page
            .then(|| format!("/fragments/incidents?{}", filters.with_cursor(None))),
        filtered: !filters.with_cursor(None).is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_filters_are_dropped_and_unknown_ones_ignored() {
        let filters = Filters::read(Some("status=&priority=P1&service_id=+&utm=x")).expect("valid");
        assert_eq!(filters.status, None);
        assert_eq!(filters.priority.as_deref(), Some("P1"));
        assert_eq!(filters.service_id, None);
        assert_eq!(filters.with_cursor(Some("abc")), "priority=P1&cursor=abc");
        assert_eq!(filters.with_cursor(None), "priority=P1");
    }

    #[test]
    fn an_id_that_is_not_one_names_its_field() {
        let filters = Filters::read(Some("team_id=payments")).expect("valid");
        let error = filters.query().expect_err("not an id");
        assert_eq!(error.errors[0].pointer, "/team_id");
    }
}
