//! An incident's tasks: who does what by when, with a status that moves by the domain's rule
//! (`tocsin_domain::incident::tasks`), every change on the timeline; and a person's open tasks
//! across the incidents the caller may see.
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::incident::tasks::TaskStatus;
use tocsin_store::incident::{self, NewTask, Task, TaskChanges};

use super::common::{PathIds, nullable};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::{ApiError, ProblemKind};
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(Method::GET, "/api/v1/incidents/{id}/tasks", read(), list),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/tasks",
            respond(),
            create,
        ),
        route(
            Method::PATCH,
            "/api/v1/incidents/{id}/tasks/{task_id}",
            respond(),
            update,
        ),
        route(Method::GET, "/api/v1/users/{id}/tasks", read(), of_user),
    ]
}

/// A task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub incident_id: uuid::Uuid,
    pub title: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_user_id: Option<uuid::Uuid>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<jiff::Timestamp>,
    /// open, in_progress, done or canceled.
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<jiff::Timestamp>,
}

impl From<Task> for TaskView {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            incident_id: task.incident_id.0,
            title: task.title,
            owner_user_id: task.owner_user_id.map(|o| o.0),
            due_at: task.due_at,
            status: task.status.as_str().to_owned(),
            created_at: task.created_at,
            updated_at: task.updated_at,
            done_at: task.done_at,
        }
    }
}

/// Tasks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskList {
    pub items: Vec<TaskView>,
}

/// The incident's tasks, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/tasks", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = TaskList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<TaskList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let items = incident::tasks(state.store.reader(), id)
        .await?
        .into_iter()
        .map(TaskView::from)
        .collect();
    Ok(Json(TaskList { items }))
}

/// A task to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub title: String,
    /// An active user; they become a participant of the incident.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_user_id: Option<uuid::Uuid>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<jiff::Timestamp>,
}

async fn task_view(
    state: &AppState,
    id: IncidentId,
    task: uuid::Uuid,
) -> Result<TaskView, ApiError> {
    incident::tasks(state.store.reader(), id)
        .await?
        .into_iter()
        .find(|t| t.id == task)
        .map(TaskView::from)
        .ok_or_else(|| ApiError::not_found("task"))
}

/// Create a task (status open); `incident.task_created` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = CreateTask, responses(
    (status = 201, body = TaskView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<CreateTask>,
) -> Result<(StatusCode, Json<TaskView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let task = NewTask {
        title: input.title,
        owner: input.owner_user_id.map(UserId),
        due_at: input.due_at,
    };
    let task_id = state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::create_task(tx, id, task, &actor, now).await })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(task_view(&state, id, task_id).await?),
    ))
}

/// Changes to a task; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    pub title: Option<String>,
    /// An active user, or null for nobody.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_user_id: Option<Option<uuid::Uuid>>,
    /// A due time, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Option<jiff::Timestamp>>,
    /// open, in_progress, done or canceled (done and canceled are final).
    pub status: Option<String>,
    /// Why: required to send a task in progress back to open, or to cancel it.
    pub reason: Option<String>,
}

/// Change a task's title, owner, due time or status; `incident.task_updated` lists the changes.
#[utoipa::path(patch, path = "/api/v1/incidents/{id}/tasks/{task_id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("task_id" = String, Path, format = Uuid)),
    request_body = UpdateTask, responses(
    (status = 200, body = TaskView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, task_id): PathIds<IncidentId, uuid::Uuid>,
    extract::Json(input): extract::Json<UpdateTask>,
) -> Result<Json<TaskView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let status = match input.status.as_deref() {
        None => None,
        Some(text) => Some(TaskStatus::parse(text).ok_or_else(|| {
            ApiError::field("/status", "must be open, in_progress, done or canceled")
        })?),
    };
    let changes = TaskChanges {
        title: input.title,
        owner: input.owner_user_id.map(|o| o.map(UserId)),
        due_at: input.due_at,
        status,
        reason: input.reason,
    };
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::update_task(tx, id, task_id, changes, &actor, now).await },
            )
        })
        .await?;
    Ok(Json(task_view(&state, id, task_id).await?))
}

/// `?status=open,in_progress`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// Statuses to list, comma-separated (default `open,in_progress`).
    pub status: Option<String>,
}

/// A person's tasks across the incidents the caller may see (restricted incidents the caller
/// may not see are left out), soonest due first.
#[utoipa::path(get, path = "/api/v1/users/{id}/tasks", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), TaskQuery), responses(
    (status = 200, body = TaskList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn of_user(
    State(state): State<AppState>,
    caller: Caller,
    PathId(user): PathId<UserId>,
    Query(query): Query<TaskQuery>,
) -> Result<Json<TaskList>, ApiError> {
    let statuses = match query.status.as_deref() {
        None => vec![TaskStatus::Open, TaskStatus::InProgress],
        Some(text) => text
            .split(',')
            .map(|s| TaskStatus::parse(s.trim()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::field("/status", "must list open, in_progress, done or canceled")
            })?,
    };
    tocsin_store::catalog::users::get_user(state.store.reader(), user).await?;
    let mut items = Vec::new();
    for task in incident::tasks_of_user(state.store.reader(), user, &statuses).await? {
        match visible_incident(&state, &caller, task.incident_id).await {
            Ok(_) => items.push(TaskView::from(task)),
            Err(error) if matches!(error.kind, ProblemKind::NotFound) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(Json(TaskList { items }))
}
