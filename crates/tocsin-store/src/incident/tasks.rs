//! An incident's tasks (table `incident_tasks`): created and changed in the same transaction as
//! the timeline event that records it (`incident.task_created`, `incident.task_updated` listing
//! each change). An owner must be an active user and becomes a participant of the incident.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::ValidationError;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::incident::tasks::{self, TaskStatus};
use uuid::Uuid;

use super::{add_participant, event};
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A task as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Task {
    pub id: Uuid,
    pub incident_id: IncidentId,
    pub title: String,
    pub owner_user_id: Option<UserId>,
    pub due_at: Option<Timestamp>,
    pub status: TaskStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub done_at: Option<Timestamp>,
}

type Row = (
    Uuid,
    Uuid,
    String,
    Option<Uuid>,
    Option<i64>,
    String,
    i64,
    i64,
    Option<i64>,
);

/// The task columns, in `Row` order, followed by `$tail`.
macro_rules! select_tasks {
    ($tail:literal) => {
        concat!(
            "SELECT id, incident_id, title, owner_user_id, due_at, status, created_at, ",
            "updated_at, done_at FROM incident_tasks",
            $tail
        )
    };
}

fn task_of(row: Row) -> Task {
    let (id, incident, title, owner, due, status, created, updated, done) = row;
    Task {
        id,
        incident_id: IncidentId(incident),
        title,
        owner_user_id: owner.map(UserId),
        due_at: due.map(from_micros),
        status: TaskStatus::parse(&status).unwrap_or(TaskStatus::Open),
        created_at: from_micros(created),
        updated_at: from_micros(updated),
        done_at: done.map(from_micros),
    }
}

/// The incident's tasks, oldest first.
pub async fn tasks(reader: Reader<'_>, incident: IncidentId) -> Result<Vec<Task>, StoreError> {
    const SQL: &str = select_tasks!(" WHERE incident_id = $1 ORDER BY created_at, id");
    let rows: Vec<Row> = reader.fetch_all(SQL, crate::args![incident.0]).await?;
    Ok(rows.into_iter().map(task_of).collect())
}

/// The tasks `user` owns in `statuses`, across incidents, soonest due first.
pub async fn tasks_of_user(
    reader: Reader<'_>,
    user: UserId,
    statuses: &[TaskStatus],
) -> Result<Vec<Task>, StoreError> {
    const SQL: &str =
        select_tasks!(" WHERE owner_user_id = $1 ORDER BY due_at IS NULL, due_at, created_at, id");
    let rows: Vec<Row> = reader.fetch_all(SQL, crate::args![user.0]).await?;
    Ok(rows
        .into_iter()
        .map(task_of)
        .filter(|t| statuses.contains(&t.status))
        .collect())
}

async fn require_active_owner(tx: &mut Tx, owner: UserId) -> Result<(), StoreError> {
    let active: Option<bool> = tx
        .scalar_optional(
            "SELECT active FROM users WHERE id = $1",
            crate::args![owner.0],
        )
        .await?;
    if active == Some(true) {
        Ok(())
    } else {
        Err(StoreError::Invalid(ValidationError::field(
            "/owner_user_id",
            "no such active user",
        )))
    }
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub owner: Option<UserId>,
    pub due_at: Option<Timestamp>,
}

/// Creates a task; answers its id.
pub async fn create_task(
    tx: &mut Tx,
    incident: IncidentId,
    task: NewTask,
    actor: &str,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let title =
        tasks::title(&task.title).map_err(|e| StoreError::Invalid(ValidationError(vec![e])))?;
    let exists: Option<i64> = tx
        .scalar_optional(
            "SELECT number FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("incident"));
    }
    if let Some(owner) = task.owner {
        require_active_owner(tx, owner).await?;
    }
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO incident_tasks (id, incident_id, title, owner_user_id, due_at, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)",
        crate::args![
            id,
            incident.0,
            title.clone(),
            task.owner.map(|o| o.0),
            task.due_at.map(to_micros),
            to_micros(now)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "task_id": id, "title": title, "owner_user_id": task.owner, "due_at": task.due_at,
        "status": "open",
    });
    tx.append(event(
        incident,
        "incident.task_created",
        actor,
        now,
        payload,
    ))
    .await?;
    if let Some(owner) = task.owner {
        add_participant(tx, incident, owner, actor, now).await?;
    }
    Ok(id)
}

/// Changes to a task: `None` leaves a field alone; `Some(None)` clears owner or due time.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub owner: Option<Option<UserId>>,
    pub due_at: Option<Option<Timestamp>>,
    pub status: Option<TaskStatus>,
    pub reason: Option<String>,
}

/// Applies `changes` to the task (only what differs is recorded); answers whether anything changed.
pub async fn update_task(
    tx: &mut Tx,
    incident: IncidentId,
    task_id: Uuid,
    changes: TaskChanges,
    actor: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    const SQL: &str = select_tasks!(" WHERE id = $1 AND incident_id = $2");
    let row: Option<Row> = tx
        .fetch_optional(SQL, crate::args![task_id, incident.0])
        .await?;
    let task = task_of(row.ok_or(StoreError::NotFound("task"))?);
    let mut errors = Collector::default();
    let mut listed = Vec::new();
    let mut next = task.clone();
    if let Some(title) = &changes.title {
        match tasks::title(title).and_then(|t| tasks::editable(task.status, "/title").map(|()| t)) {
            Ok(title) if title != task.title => {
                listed.push(serde_json::json!({"field": "title", "from": task.title, "to": title}));
                next.title = title;
            }
            Ok(_) => {}
            Err(error) => errors.push(error),
        }
    }
    if let Some(owner) = changes.owner
        && owner != task.owner_user_id
    {
        match tasks::editable(task.status, "/owner_user_id") {
            Ok(()) => {
                listed.push(serde_json::json!({"field": "owner_user_id", "from": task.owner_user_id, "to": owner}));
                next.owner_user_id = owner;
            }
            Err(error) => errors.push(error),
        }
    }
    if let Some(due) = changes.due_at
        && due != task.due_at
    {
        match tasks::editable(task.status, "/due_at") {
            Ok(()) => {
                listed.push(serde_json::json!({"field": "due_at", "from": task.due_at, "to": due}));
                next.due_at = due;
            }
            Err(error) => errors.push(error),
        }
    }
    if let Some(status) = changes.status
        && status != task.status
    {
        match tasks::transition(task.status, status, changes.reason.as_deref()) {
            Ok(()) => {
                listed.push(
                    serde_json::json!({"field": "status", "from": task.status, "to": status}),
                );
                next.status = status;
                next.done_at = (status == TaskStatus::Done).then_some(now);
            }
            Err(error) => errors.push(error),
        }
    }
    errors.finish().map_err(StoreError::Invalid)?;
    if listed.is_empty() {
        return Ok(false);
    }
    let new_owner = next
        .owner_user_id
        .filter(|o| Some(*o) != task.owner_user_id);
    if let Some(owner) = new_owner {
        require_active_owner(tx, owner).await?;
    }
    tx.execute(
        "UPDATE incident_tasks SET title = $2, owner_user_id = $3, due_at = $4, status = $5, \
         updated_at = $6, done_at = $7 WHERE id = $1",
        crate::args![
            task_id,
            next.title.clone(),
            next.owner_user_id.map(|o| o.0),
            next.due_at.map(to_micros),
            next.status.as_str(),
            to_micros(now),
            next.done_at.map(to_micros)
        ],
    )
    .await?;
    let reason = changes
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let payload = serde_json::json!({
        "task_id": task_id, "title": next.title, "changes": listed, "reason": reason,
    });
    tx.append(event(
        incident,
        "incident.task_updated",
        actor,
        now,
        payload,
    ))
    .await?;
    if let Some(owner) = new_owner {
        add_participant(tx, incident, owner, actor, now).await?;
    }
    Ok(true)
}
