//! `/alerts/silences`: the silences with "Expire silence" buttons, and the form that creates one
//! from matcher lines (`name=value`, `name!=value`, `name=~regex`), a start, an end and a
//! comment, whose "Preview" button lists the firing alerts it would match without creating it.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tocsin_domain::access::Action;
use tocsin_domain::alerting::MatchOp;
use tocsin_domain::catalog::OrgRole;

use super::NoFields;
use super::input::{instant, local_value, matcher_lines, path_id};
use crate::api::alerts::AlertView;
use crate::api::silences::SilenceView;
use crate::auth::Guard;
use crate::error::ApiError;
use crate::extract::{Json, PathId};
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, after_action, api_problem, render};
use crate::web::form::WebForm;

const BACK: &str = "/alerts/silences";
/// Silences listed, newest first.
const SHOWN: usize = 100;

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/alerts/silences",
            Guard::Public,
            silences_page,
        ),
        route(Method::POST, "/alerts/silences", Guard::Public, submit),
        route(
            Method::POST,
            "/alerts/silences/{id}/expire",
            Guard::Public,
            expire,
        ),
    ]
}

/// The silence form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SilenceForm {
    #[serde(default)]
    pub matchers: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub comment: String,
    /// `preview` or `create`.
    #[serde(default)]
    pub intent: String,
}

/// A silence as listed.
struct SilenceRow {
    id: uuid::Uuid,
    state: String,
    matchers: String,
    starts_at: jiff::Timestamp,
    ends_at: jiff::Timestamp,
    created_by: String,
    comment: String,
}

impl From<SilenceView> for SilenceRow {
    fn from(view: SilenceView) -> Self {
        let matchers: Vec<String> = view
            .matchers
            .iter()
            .map(|m| {
                let op = MatchOp::from_flags(m.is_regex, m.is_equal);
                format!("{}{}{}", m.name, op.as_str(), m.value)
            })
            .collect();
        Self {
            id: view.id,
            state: view.status.state,
            matchers: matchers.join(", "),
            starts_at: view.starts_at,
            ends_at: view.ends_at,
            created_by: view.created_by,
            comment: view.comment,
        }
    }
}

#[derive(Template)]
#[template(path = "alerts/silences.html")]
struct SilencesPage {
    chrome: Chrome,
    silences: Vec<SilenceRow>,
    can_create: bool,
    form: SilenceForm,
    /// The matchers as understood and the firing alerts they match, after "Preview".
    preview: Option<(String, Vec<AlertView>)>,
}

pub async fn silences_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let now = state.clock.now();
    let form = SilenceForm {
        starts_at: local_value(now, &viewer.zone),
        ends_at: local_value(now + jiff::SignedDuration::from_hours(2), &viewer.zone),
        ..SilenceForm::default()
    };
    match page(&state, &viewer, form, None).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, BACK),
    }
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    form: SilenceForm,
    preview: Option<(String, Vec<AlertView>)>,
) -> Result<SilencesPage, ApiError> {
    viewer.caller.authorize(Action::ReadAlerts)?;
    let listed = crate::api::silences::list(State(state.clone())).await?.0;
    Ok(SilencesPage {
        chrome: viewer.chrome(Section::Alerts),
        silences: listed
            .items
            .into_iter()
            .take(SHOWN)
            .map(SilenceRow::from)
            .collect(),
        can_create: viewer.at_least(OrgRole::Responder),
        form,
        preview,
    })
}

/// "Preview" renders the page with the alerts the matchers would silence; "Create silence"
/// creates it and goes back to the list.
pub async fn submit(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<SilenceForm>,
) -> Response {
    if form.intent == "preview" {
        let outcome = async {
            viewer.caller.authorize(Action::ReadAlerts)?;
            let body = json!({ "matchers": matcher_lines(&form.matchers) });
            let preview = crate::api::silences::preview(State(state.clone()), Json(body))
                .await?
                .0;
            page(
                &state,
                &viewer,
                form,
                Some((preview.matchers, preview.items)),
            )
            .await
        }
        .await;
        return match outcome {
            Ok(page) => render(&page),
            Err(error) => api_problem(&viewer, error, BACK),
        };
    }
    let outcome = async {
        viewer.caller.authorize(Action::RespondToAlerts)?;
        let now = state.clock.now();
        let starts_at = instant("starts_at", &form.starts_at, now, &viewer.zone)?;
        let ends_at = instant(
            "ends_at",
            &form.ends_at,
            starts_at + jiff::SignedDuration::from_hours(2),
            &viewer.zone,
        )?;
        let body = json!({
            "matchers": matcher_lines(&form.matchers),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "comment": form.comment,
        });
        crate::api::silences::create(State(state.clone()), viewer.caller.clone(), Json(body)).await
    }
    .await;
    after_action(&viewer, outcome, BACK)
}

/// Ends a silence now; the alerts it held are evaluated again.
pub async fn expire(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    let id = match path_id(&viewer, &raw, "silence", BACK) {
        Ok(id) => id,
        Err(page) => return *page,
    };
    let outcome = async {
        viewer.caller.authorize(Action::RespondToAlerts)?;
        crate::api::silences::expire(State(state.clone()), viewer.caller.clone(), PathId(id)).await
    }
    .await;
    after_action(&viewer, outcome, BACK)
}
