//! The forms that change a service: add an integration (its secret shown once, with its intake
//! URL), delete the service (the name typed to confirm, checked here), and create or end a
//! one-off maintenance window.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tocsin_domain::access::Action;
use tocsin_domain::id::ServiceId;

use super::detail::KeyRow;
use super::intake_url;
use crate::api::integration_keys::CreateIntegrationKey;
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, PathId};
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::alerts::NoFields;
use crate::web::alerts::input::{instant, path_id};
use crate::web::chrome::{Chrome, Section, Viewer, after_action, api_problem, render, see_other};
use crate::web::form::{WebForm, non_blank};

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/services/{id}/integrations",
            Guard::Public,
            add_integration,
        ),
        route(
            Method::POST,
            "/services/{id}/delete",
            Guard::Public,
            delete_service,
        ),
        route(
            Method::POST,
            "/services/{id}/maintenance",
            Guard::Public,
            create_window,
        ),
        route(
            Method::POST,
            "/services/{id}/maintenance/{window}/end",
            Guard::Public,
            end_window,
        ),
    ]
}

fn back(id: ServiceId) -> String {
    format!("/services/{id}")
}

/// The service id of a path, or the page saying there is none.
fn service_id(viewer: &Viewer, raw: &str) -> Result<ServiceId, Box<Response>> {
    path_id(viewer, raw, "service", "/services").map(ServiceId)
}

#[derive(Debug, Deserialize)]
pub struct NewKeyForm {
    pub name: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "services/key_created.html")]
struct KeyCreatedPage {
    chrome: Chrome,
    service_id: ServiceId,
    key: KeyRow,
}

/// Creates an integration key and shows its secret and URL this once.
pub async fn add_integration(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<NewKeyForm>,
) -> Response {
    let id = match service_id(&viewer, &raw) {
        Ok(id) => id,
        Err(page) => return *page,
    };
    let created = crate::api::integration_keys::create(
        State(state.clone()),
        viewer.caller.clone(),
        PathId(id),
        Json(CreateIntegrationKey {
            name: form.name,
            kind: form.kind,
        }),
    )
    .await;
    match created {
        Ok((_, axum::Json(key))) => {
            let mut page = render(&KeyCreatedPage {
                chrome: viewer.chrome(Section::Services),
                service_id: id,
                key: KeyRow {
                    url: intake_url(&state.config.public_url, &key.kind, &key.secret),
                    name: key.name,
                    kind: key.kind,
                    secret: key.secret,
                    revoked: false,
                },
            });
            *page.status_mut() = StatusCode::CREATED;
            page
        }
        Err(error) => api_problem(&viewer, error, &back(id)),
    }
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub confirm_name: String,
}

/// Deletes a service once its exact name was typed.
pub async fn delete_service(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<DeleteForm>,
) -> Response {
    let id = match service_id(&viewer, &raw) {
        Ok(id) => id,
        Err(page) => return *page,
    };
    let outcome = async {
        let current = crate::api::services::get(State(state.clone()), PathId(id)).await?;
        if form.confirm_name.trim() != current.body.name {
            return Err(ApiError::field(
                "/confirm_name",
                format!(
                    "type the service's name, {}, to confirm the deletion",
                    current.body.name
                ),
            ));
        }
        crate::api::services::delete(
            State(state.clone()),
            viewer.caller.clone(),
            PathId(id),
            IfMatch(Some(current.version)),
        )
        .await
    }
    .await;
    match outcome {
        Ok(_) => see_other("/services"),
        Err(error) => api_problem(&viewer, error, &back(id)),
    }
}

#[derive(Debug, Deserialize)]
pub struct WindowForm {
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    pub description: Option<String>,
}

/// Creates a one-off maintenance window over this service.
pub async fn create_window(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<WindowForm>,
) -> Response {
    let id = match service_id(&viewer, &raw) {
        Ok(id) => id,
        Err(page) => return *page,
    };
    let outcome = async {
        viewer.caller.authorize(Action::ManageAlerting)?;
        let now = state.clock.now();
        let starts_at = instant("starts_at", &form.starts_at, now, &viewer.zone)?;
        let ends_at = instant(
            "ends_at",
            &form.ends_at,
            starts_at + jiff::SignedDuration::from_hours(1),
            &viewer.zone,
        )?;
        let body = json!({
            "services": [id],
            "description": non_blank(&form.description).unwrap_or_default(),
            "schedule": { "kind": "one_off", "starts_at": starts_at, "ends_at": ends_at },
        });
        crate::api::alerting_config::create_window(
            State(state.clone()),
            viewer.caller.clone(),
            Json(body),
        )
        .await
    }
    .await;
    after_action(&viewer, outcome, &back(id))
}

/// Ends a maintenance window now (it is removed; the alerts it held are evaluated again).
pub async fn end_window(
    State(state): State<AppState>,
    Path((raw, window)): Path<(String, String)>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    let id = match service_id(&viewer, &raw) {
        Ok(id) => id,
        Err(page) => return *page,
    };
    let window = match path_id(&viewer, &window, "maintenance window", &back(id)) {
        Ok(window) => window,
        Err(page) => return *page,
    };
    let outcome = async {
        viewer.caller.authorize(Action::ManageAlerting)?;
        crate::api::alerting_config::delete_window(
            State(state.clone()),
            viewer.caller.clone(),
            PathId(window),
        )
        .await
    }
    .await;
    after_action(&viewer, outcome, &back(id))
}
