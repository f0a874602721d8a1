//! The incident page's panel lines: roles, tasks, regulatory clocks, cost, services and related
//! incidents, turned from the API's views into what the templates show.
use crate::api::incident_cost::CostView;
use crate::api::incident_people::RoleAssignmentView;
use crate::api::incident_tasks::TaskView;
use crate::api::regulatory::views::ObligationView;

use super::super::clock;
use super::views;

/// A service the incident affects.
pub struct ServiceLine {
    pub name: String,
    pub team: String,
    pub primary: bool,
}

/// Another incident linked to this one.
pub struct LinkLine {
    pub href: String,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub relation: &'static str,
}

/// A current role holder.
pub struct RoleLine {
    pub role: String,
    pub holder: String,
    pub since: String,
    pub held: String,
    pub briefing: String,
}

/// A task as the panel shows it.
pub struct TaskLine {
    pub id: uuid::Uuid,
    pub title: String,
    pub status: String,
    pub owner: String,
    pub due: Option<String>,
    pub open: bool,
}

/// A regulatory clock.
pub struct ClockLine {
    pub title: String,
    pub regime: String,
    pub due_at: String,
    pub due_text: String,
    pub state: String,
    pub running: bool,
}

/// A role holding, since when on `zone`.
pub fn role_line(a: RoleAssignmentView, zone: &jiff::tz::TimeZone) -> RoleLine {
    RoleLine {
        role: views::role_words(&a.role),
        holder: a.user_name,
        since: clock::seconds(a.started_at, zone),
        held: views::span(a.held_seconds),
        briefing: a.briefing,
    }
}

pub fn task_line(task: TaskView, people: &[(uuid::Uuid, String)]) -> TaskLine {
    let owner = task
        .owner_user_id
        .map(|id| {
            people
                .iter()
                .find(|(p, _)| *p == id)
                .map_or_else(|| "someone".to_owned(), |(_, name)| name.clone())
        })
        .unwrap_or_else(|| "nobody yet".to_owned());
    TaskLine {
        id: task.id,
        open: matches!(task.status.as_str(), "open" | "in_progress"),
        status: task.status.replace('_', " "),
        title: task.title,
        owner,
        due: task.due_at.map(|d| d.to_string()),
    }
}

/// A regulatory clock, due when on `zone`.
pub fn clock_line(o: ObligationView, zone: &jiff::tz::TimeZone) -> ClockLine {
    let state = serde_json::to_value(o.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    ClockLine {
        running: o.filed_at.is_none() && state != "withdrawn",
        title: o.title,
        regime: o.regime_title,
        due_at: o.due_at.to_string(),
        due_text: clock::seconds(o.due_at, zone),
        state: state.replace('_', " "),
    }
}

/// (total, people, revenue) in words.
pub fn cost_line(cost: CostView) -> (String, String, String) {
    (
        views::money(cost.total_minor, &cost.currency),
        views::money(cost.people_minor, &cost.currency),
        views::money(cost.revenue_minor, &cost.currency),
    )
}
