//! What the incident role routes answer: roles, and who fills one at an instant and why.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_store::roles::StoredRole;

use crate::api::schedules::views::{Reason, UserRef};

/// An incident role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Stable lowercase key, e.g. `incident_commander`.
    pub slug: String,
    pub name: String,
    /// Markdown: what whoever fills the role does (at most 10 KB).
    pub instructions: String,
    /// The schedule whose on-call people staff the role.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub schedule_id: Option<uuid::Uuid>,
    /// Skills whoever fills the role from the schedule must have (lowercase, sorted).
    pub required_skills: Vec<String>,
    /// Fills the role when nobody qualified is on call.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub backup_user_id: Option<uuid::Uuid>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<StoredRole> for RoleView {
    fn from(stored: StoredRole) -> Self {
        let role = stored.role;
        Self {
            id: stored.id.0,
            slug: role.slug,
            name: role.name.into(),
            instructions: role.instructions,
            schedule_id: role.schedule_id.map(|s| s.0),
            required_skills: role.required_skills,
            backup_user_id: role.backup_user_id.map(|u| u.0),
            version: stored.version,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// A role, by id, slug and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub slug: String,
    pub name: String,
}

/// Why someone is on call in the role's schedule, as the on-call answer says.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OnCallWhy {
    #[schema(value_type = String, format = Uuid)]
    pub schedule_id: uuid::Uuid,
    pub schedule_name: String,
    pub reason: Reason,
    /// The reason in words.
    pub explanation: String,
}

/// Who fills a role at an instant, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffingView {
    pub role: RoleRef,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Nobody when the role is unstaffed.
    pub user: Option<UserRef>,
    /// `{kind: on_call, on_call: OnCallWhy, skipped}`, `{kind: backup, because}` or
    /// `{kind: unstaffed, because, backup}`; `because` is `{kind: no_schedule}`,
    /// `{kind: nobody_on_call}` or `{kind: not_qualified, skipped}`; each of `skipped` is
    /// `{user, because: {kind: deactivated} | {kind: missing_skills, missing}}`; `backup` is
    /// `{kind: no_backup}` or `{kind: deactivated, user}`.
    #[schema(value_type = Object)]
    pub reason: serde_json::Value,
    /// The staffing in words.
    pub explanation: String,
}
