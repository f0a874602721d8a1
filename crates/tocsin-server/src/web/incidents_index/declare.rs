//! `/incidents/new`: declaring an incident by hand (title, summary, service, severity, type),
//! through the API's declare handler; on success the browser goes to the new incident's page.
use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;

use super::{Choice, services};
use crate::api::incident_declare::{self, Declare};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract;
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, api_problem, problem_page, render, see_other};
use crate::web::form::{WebForm, non_blank};

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/incidents/new", Guard::Public, form),
        route(Method::POST, "/incidents/new", Guard::Public, submit),
    ]
}

/// The severities an incident may have, most severe first.
const SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];
/// Common incident types (security and HR cases start restricted).
const TYPES: [&str; 4] = ["default", "outage", "security", "hr"];

#[derive(Template)]
#[template(path = "incidents/new.html")]
struct DeclarePage {
    chrome: Chrome,
    services: Vec<Choice>,
    severities: [&'static str; 4],
    types: [&'static str; 4],
}

/// The declare form as posted.
#[derive(Debug, Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    pub title: String,
    pub summary: Option<String>,
    pub service_id: Option<String>,
    pub severity: Option<String>,
    pub incident_type: Option<String>,
}

impl DeclareForm {
    /// The API's declaration; a missing or unknown service names its field.
    fn declaration(&self) -> Result<Declare, ApiError> {
        let service_id = non_blank(&self.service_id)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| ApiError::field("/service_id", "choose the service it is on"))?;
        Ok(Declare {
            title: self.title.trim().to_owned(),
            summary: non_blank(&self.summary),
            service_id,
            severity: non_blank(&self.severity),
            incident_type: non_blank(&self.incident_type),
            visibility: None,
            tags: Vec::new(),
            impact_started_at: None,
            affected_service_ids: Vec::new(),
            parent_id: None,
            participant_ids: Vec::new(),
            page: None,
        })
    }
}

/// Only roles the API lets declare get the form.
fn refused(viewer: &Viewer) -> Option<Response> {
    viewer.caller.authorize(Action::RespondToAlerts).err().map(|_| {
        problem_page(
            Some(viewer),
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role may follow incidents but not declare them. Ask a responder to declare it.",
            "/incidents",
        )
    })
}

/// The declare form.
pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refusal) = refused(&viewer) {
        return refusal;
    }
    render(&DeclarePage {
        chrome: viewer.chrome(Section::Incidents),
        services: services(&state, &viewer).await,
        severities: SEVERITIES,
        types: TYPES,
    })
}

/// Declares the incident and goes to its page.
pub async fn submit(
    State(state): State<AppState>,
    WebForm(viewer, fields): WebForm<DeclareForm>,
) -> Response {
    if let Some(refusal) = refused(&viewer) {
        return refusal;
    }
    let declared = match fields.declaration() {
        Ok(declaration) => {
            incident_declare::declare_incident(
                State(state),
                viewer.caller.clone(),
                extract::Json(declaration),
            )
            .await
        }
        Err(error) => Err(error),
    };
    match declared {
        Ok(incident) => see_other(&format!("/incidents/{}", incident.0.id)),
        Err(error) => api_problem(&viewer, error, "/incidents/new"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_needs_a_service() {
        let form = DeclareForm {
            title: " Checkout down ".into(),
            summary: Some(String::new()),
            service_id: Some(String::new()),
            severity: Some("error".into()),
            incident_type: None,
        };
        let error = form.declaration().expect_err("no service");
        assert_eq!(error.errors[0].pointer, "/service_id");
        let id = uuid::Uuid::now_v7();
        let form = DeclareForm {
            service_id: Some(id.to_string()),
            ..form
        };
        let declare = form.declaration().expect("complete");
        assert_eq!(declare.title, "Checkout down");
        assert_eq!(declare.summary, None);
        assert_eq!(declare.service_id, id);
        assert_eq!(declare.severity.as_deref(), Some("error"));
    }
}
