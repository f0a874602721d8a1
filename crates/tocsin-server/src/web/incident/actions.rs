//! The incident page's forms: each posts to `/incidents/{id}/<action>`, calls the JSON API's
//! handler as the viewer (after the check the API's route guard would make) and answers 303 back
//! to the page, or a readable page naming the field at fault.
use std::future::Future;

use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;

use super::{incident_id, no_such_incident, page_path};
use crate::api::classification::incident::{self as classification, PriorityInput};
use crate::api::common::PathIds;
use crate::api::incident_coordination::{self as coordination, NewEntry};
use crate::api::incident_declare::{self as declare, StatusChange};
use crate::api::incident_paging::{self as paging, Reassign};
use crate::api::incident_people::{self as people, AssignRole};
use crate::api::incident_resolution::{self as resolution, PutResolution};
use crate::api::incident_tasks::{self as tasks, CreateTask, UpdateTask};
use crate::api::incidents;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{Json, PathId};
use crate::router::{Route, route};
use crate::state::AppState;
use crate::web::chrome::{Viewer, after_action};
use crate::web::form::{WebForm, non_blank};

pub fn routes() -> Vec<Route> {
    vec![
        post("/incidents/{id}/acknowledge", acknowledge),
        post("/incidents/{id}/escalate", escalate),
        post("/incidents/{id}/reassign", reassign),
        post("/incidents/{id}/status", change_status),
        post("/incidents/{id}/priority", change_priority),
        post("/incidents/{id}/assign-role", assign_role),
        post("/incidents/{id}/entries", add_entry),
        post("/incidents/{id}/status-update", status_update),
        post("/incidents/{id}/resolve", resolve),
        post("/incidents/{id}/close", close),
        post("/incidents/{id}/tasks", add_task),
        post("/incidents/{id}/tasks/{task_id}/done", complete_task),
    ]
}

/// A form post route; the `WebForm` extractor checks the session and its CSRF token.
fn post<H, T>(path: &'static str, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    route(Method::POST, path, Guard::Public, handler)
}

/// A form with no fields but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// Runs `action` (with the viewer's caller) on the incident the path names when the viewer may respond to incidents, and
/// answers with a redirect back to the page or a readable problem page.
async fn respond<T, F, Fut>(viewer: &Viewer, raw: &str, action: F) -> Response
where
    F: FnOnce(IncidentId, Caller) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let Some(id) = incident_id(raw) else {
        return no_such_incident(viewer);
    };
    let outcome = match viewer.caller.authorize(Action::RespondToAlerts) {
        Ok(()) => action(id, viewer.caller.clone()).await,
        Err(error) => Err(error),
    };
    after_action(viewer, outcome, &page_path(id))
}

/// A person picked in a form.
fn person(field: &str, value: &str) -> Result<uuid::Uuid, ApiError> {
    value
        .trim()
        .parse()
        .map_err(|_| ApiError::field(format!("/{field}"), "choose a person from the list"))
}

async fn acknowledge(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    respond(&viewer, &raw, |id, caller| {
        incidents::acknowledge(State(state), caller, PathId(id))
    })
    .await
}

async fn escalate(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    respond(&viewer, &raw, |id, caller| {
        paging::escalate(State(state), caller, PathId(id))
    })
    .await
}

#[derive(Deserialize)]
pub struct ReassignForm {
    user_id: String,
}

async fn reassign(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<ReassignForm>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        let user_ids = vec![person("user_id", &form.user_id)?];
        paging::reassign(
            State(state),
            caller,
            PathId(id),
            Json(Reassign { user_ids }),
        )
        .await
    })
    .await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    reason: Option<String>,
}

async fn change_status(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<StatusForm>,
) -> Response {
    let change = StatusChange {
        status: form.status.trim().to_owned(),
        reason: non_blank(&form.reason),
    };
    respond(&viewer, &raw, |id, caller| {
        declare::change_status(State(state), caller, PathId(id), Json(change))
    })
    .await
}

#[derive(Deserialize)]
pub struct PriorityForm {
    priority: String,
    reason: String,
}

async fn change_priority(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<PriorityForm>,
) -> Response {
    let input = PriorityInput {
        priority: form.priority.trim().to_owned(),
        reason: form.reason,
    };
    respond(&viewer, &raw, |id, caller| {
        classification::priority(State(state), caller, PathId(id), Json(input))
    })
    .await
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    user_id: String,
    note: Option<String>,
}

async fn assign_role(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<RoleForm>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        let input = AssignRole {
            user_id: person("user_id", &form.user_id)?,
            briefing: non_blank(&form.note),
        };
        let role = form.role.trim().to_owned();
        people::assign_role(State(state), caller, PathIds(id, role), Json(input)).await
    })
    .await
}

#[derive(Deserialize)]
pub struct EntryForm {
    kind: String,
    body: String,
    rationale: Option<String>,
    target: Option<String>,
}

/// A timeline entry of `kind` with `body`, its other fields empty.
fn entry(kind: &str, body: String) -> NewEntry {
    NewEntry {
        kind: kind.to_owned(),
        body,
        rationale: None,
        target: None,
        outcome: None,
        system: None,
        change: None,
        rollback: None,
        audience: None,
        corrects_seq: None,
    }
}

async fn add_entry(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<EntryForm>,
) -> Response {
    let input = NewEntry {
        rationale: non_blank(&form.rationale),
        target: non_blank(&form.target),
        ..entry(form.kind.trim(), form.body)
    };
    respond(&viewer, &raw, |id, caller| {
        coordination::add_entry(State(state), caller, PathId(id), Json(input))
    })
    .await
}

#[derive(Deserialize)]
pub struct UpdateForm {
    message: String,
    audience: Option<String>,
}

async fn status_update(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<UpdateForm>,
) -> Response {
    let input = NewEntry {
        audience: non_blank(&form.audience).or_else(|| Some("internal".to_owned())),
        ..entry("status_update", form.message)
    };
    respond(&viewer, &raw, |id, caller| {
        coordination::add_entry(State(state), caller, PathId(id), Json(input))
    })
    .await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    strategy: Option<String>,
    reasoning: Option<String>,
}

/// Resolves the incident, first recording the resolution when the form gave one (P1, P2 and
/// major incidents need it).
async fn resolve(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<ResolveForm>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        if let Some(strategy) = non_blank(&form.strategy) {
            let record = PutResolution {
                strategy,
                reasoning: form.reasoning.unwrap_or_default(),
            };
            let st = State(state.clone());
            let _recorded = resolution::put(st, caller.clone(), PathId(id), Json(record)).await?;
        }
        incidents::resolve(State(state), caller, PathId(id)).await
    })
    .await
}

#[derive(Deserialize)]
pub struct CloseForm {
    confirm: Option<String>,
}

/// Whether `typed` confirms incident `number` ("42" or "#42").
pub fn confirms(typed: Option<&str>, number: i64) -> bool {
    typed
        .map(|t| t.trim().trim_start_matches('#'))
        .is_some_and(|t| t == number.to_string())
}

/// Closes the incident (without a postmortem): the number must be typed to confirm.
async fn close(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<CloseForm>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        let found = incidents::visible_incident(&state, &caller, id).await?;
        if !confirms(form.confirm.as_deref(), found.number) {
            return Err(ApiError::field(
                "/confirm",
                format!("type the incident number {} to close it", found.number),
            ));
        }
        let change = StatusChange {
            status: "closed".to_owned(),
            reason: None,
        };
        declare::change_status(State(state), caller, PathId(id), Json(change)).await
    })
    .await
}

#[derive(Deserialize)]
pub struct TaskForm {
    title: String,
    owner_user_id: Option<String>,
}

async fn add_task(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<TaskForm>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        let owner = non_blank(&form.owner_user_id)
            .map(|o| person("owner_user_id", &o))
            .transpose()?;
        let input = CreateTask {
            title: form.title,
            owner_user_id: owner,
            due_at: None,
        };
        tasks::create(State(state), caller, PathId(id), Json(input)).await
    })
    .await
}

async fn complete_task(
    State(state): State<AppState>,
    Path((raw, task)): Path<(String, String)>,
    WebForm(viewer, NoFields {}): WebForm<NoFields>,
) -> Response {
    respond(&viewer, &raw, |id, caller| async move {
        let task = task
            .parse::<uuid::Uuid>()
            .map_err(|_| ApiError::not_found("task"))?;
        let done = UpdateTask {
            title: None,
            owner_user_id: None,
            due_at: None,
            status: Some("done".to_owned()),
            reason: None,
        };
        tasks::update(State(state), caller, PathIds(id, task), Json(done)).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_needs_the_incident_number_typed() {
        assert!(confirms(Some("42"), 42));
        assert!(confirms(Some(" #42 "), 42));
        assert!(!confirms(Some("4"), 42));
        assert!(!confirms(Some(""), 42));
        assert!(!confirms(None, 42));
    }

    #[test]
    fn a_picked_person_must_be_an_id() {
        let error = person("user_id", "Ada").expect_err("not an id");
        assert_eq!(error.errors[0].pointer, "/user_id");
        assert!(person("user_id", &uuid::Uuid::nil().to_string()).is_ok());
    }
}
