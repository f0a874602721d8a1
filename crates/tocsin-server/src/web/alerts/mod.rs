//! The alert pages: `/alerts` (filtered by state and service, 50 a page with a cursor) and
//! `/alerts/{id}` (every decision taken on the alert in words, its fields and raw payload, and
//! the acknowledge / resolve forms); silences are in `silences`.
pub mod input;
pub mod silences;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{AlertId, ServiceId};
use tocsin_store::catalog;

use self::input::path_id;
use super::chrome::{Chrome, Section, Viewer, after_action, api_problem, render};
use super::form::WebForm;
use crate::api::alerts::{AlertQuery, AlertView};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

/// The states an alert can be in, for the filter.
const STATES: [&str; 4] = ["triggered", "acknowledged", "resolved", "suppressed"];
/// Services offered in the filter.
const SERVICE_CHOICES: i64 = 200;

pub fn routes() -> Vec<Route> {
    let mut all = vec![
        route(Method::GET, "/alerts", Guard::Public, list_page),
        route(Method::GET, "/alerts/{id}", Guard::Public, alert_page),
        route(
            Method::POST,
            "/alerts/{id}/acknowledge",
            Guard::Public,
            acknowledge,
        ),
        route(Method::POST, "/alerts/{id}/resolve", Guard::Public, resolve),
    ];
    all.extend(silences::routes());
    all
}

/// A form without fields of its own (just the CSRF token).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// `?state=&service_id=&cursor=`; blank values mean "any".
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub state: Option<String>,
    pub service_id: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct ListPage {
    chrome: Chrome,
    alerts: Vec<AlertView>,
    names: HashMap<uuid::Uuid, String>,
    states: [&'static str; 4],
    state: String,
    service_id: String,
    services: Vec<(uuid::Uuid, String)>,
    next: Option<String>,
}

impl ListPage {
    fn service_name(&self, id: &uuid::Uuid) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> Response {
    match list(&state, &viewer, query).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/alerts"),
    }
}

fn blank_is_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

async fn list(state: &AppState, viewer: &Viewer, query: ListQuery) -> Result<ListPage, ApiError> {
    viewer.caller.authorize(Action::ReadAlerts)?;
    let state_filter = blank_is_none(query.state);
    let service_filter = blank_is_none(query.service_id);
    let service_id = match &service_filter {
        None => None,
        Some(text) => Some(
            text.parse::<uuid::Uuid>()
                .map_err(|_| ApiError::field("/service_id", "choose a service from the list"))?,
        ),
    };
    let page = crate::api::alerts::list(
        State(state.clone()),
        Query(AlertQuery {
            state: state_filter.clone(),
            service_id,
            incident_id: None,
            transient: None,
            limit: Some(50),
            cursor: blank_is_none(query.cursor),
        }),
    )
    .await?
    .0;
    let reader = state.store.reader();
    let choices = catalog::list_services(reader, None, None, SERVICE_CHOICES).await?;
    let mut names: HashMap<uuid::Uuid, String> = choices
        .iter()
        .map(|s| (s.id.0, s.name.to_string()))
        .collect();
    for alert in &page.items {
        if !names.contains_key(&alert.service_id)
            && let Ok(service) = catalog::get_service(reader, ServiceId(alert.service_id)).await
        {
            names.insert(alert.service_id, service.name.to_string());
        }
    }
    let next = page.next_cursor.map(|cursor| {
        serde_urlencoded::to_string([
            ("state", state_filter.clone().unwrap_or_default()),
            ("service_id", service_filter.clone().unwrap_or_default()),
            ("cursor", cursor),
        ])
        .unwrap_or_default()
    });
    Ok(ListPage {
        chrome: viewer.chrome(Section::Alerts),
        alerts: page.items,
        services: choices
            .into_iter()
            .map(|s| (s.id.0, s.name.to_string()))
            .collect(),
        names,
        states: STATES,
        state: state_filter.unwrap_or_default(),
        service_id: service_filter.unwrap_or_default(),
        next,
    })
}

#[derive(Template)]
#[template(path = "alerts/detail.html")]
struct AlertPage {
    chrome: Chrome,
    alert: AlertView,
    service_name: String,
    fields: Vec<(String, String)>,
    can_respond: bool,
}

pub async fn alert_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Response {
    let id = match path_id(&viewer, &raw, "alert", "/alerts") {
        Ok(id) => AlertId(id),
        Err(page) => return *page,
    };
    match alert(&state, &viewer, id).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/alerts"),
    }
}

async fn alert(state: &AppState, viewer: &Viewer, id: AlertId) -> Result<AlertPage, ApiError> {
    viewer.caller.authorize(Action::ReadAlerts)?;
    let alert = crate::api::alerts::get(State(state.clone()), PathId(id))
        .await?
        .0;
    let service_name = catalog::get_service(state.store.reader(), ServiceId(alert.service_id))
        .await
        .map(|s| s.name.to_string())
        .unwrap_or_else(|_| alert.service_id.to_string());
    let fields = alert
        .fields
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(AlertPage {
        chrome: viewer.chrome(Section::Alerts),
        can_respond: viewer.at_least(OrgRole::Responder),
        service_name,
        fields,
        alert,
    })
}

/// What a responder does to an alert from its page.
#[derive(Debug, Clone, Copy)]
enum Respond {
    Acknowledge,
    Resolve,
}

async fn respond(state: AppState, raw: String, viewer: Viewer, action: Respond) -> Response {
    let id = match path_id(&viewer, &raw, "alert", "/alerts") {
        Ok(id) => AlertId(id),
        Err(page) => return *page,
    };
    let back = format!("/alerts/{id}");
    let outcome = async {
        viewer.caller.authorize(Action::RespondToAlerts)?;
        let (state, caller) = (State(state), viewer.caller.clone());
        match action {
            Respond::Acknowledge => {
                crate::api::alerts::acknowledge(state, caller, PathId(id)).await
            }
            Respond::Resolve => crate::api::alerts::resolve(state, caller, PathId(id)).await,
        }
    }
    .await;
    after_action(&viewer, outcome, &back)
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    respond(state, raw, viewer, Respond::Acknowledge).await
}

pub async fn resolve(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    respond(state, raw, viewer, Respond::Resolve).await
}
