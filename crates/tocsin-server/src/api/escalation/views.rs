//! What the escalation routes answer: policies, and each step with the people it would page and
//! why.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use tocsin_domain::escalation::ResolvedStep;
use tocsin_store::escalation::StoredPolicy;

use crate::api::schedules::views::Names;

/// An escalation policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    /// In order: `{delay_minutes, targets: [{kind: user, user_id} | {kind: schedule, schedule_id}
    /// | {kind: team, team_id, round_robin} | {kind: skill, skill} | {kind: role, role_id}]}`.
    #[schema(value_type = Vec<Object>)]
    pub steps: Value,
    /// How many more times the whole policy runs after its last step (0 to 9).
    pub repeat: u8,
    /// An acknowledged incident not resolved within this many minutes escalates again.
    pub ack_timeout_minutes: Option<u16>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<StoredPolicy> for PolicyView {
    fn from(stored: StoredPolicy) -> Self {
        let policy = stored.policy;
        Self {
            id: stored.id.0,
            name: policy.name.into(),
            description: policy.description.into(),
            team_id: policy.team_id.map(|t| t.0),
            steps: serde_json::to_value(&policy.steps).unwrap_or_default(),
            repeat: policy.repeat,
            ack_timeout_minutes: policy.ack_timeout_minutes,
            version: stored.version,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// One person a step would page, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PagedView {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    pub name: String,
    pub reason: String,
}

/// One step: whom it would page at the instant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepView {
    /// The step's index, from 0.
    pub step: usize,
    pub delay_minutes: u16,
    pub users: Vec<PagedView>,
    /// Targets that would page nobody.
    pub warnings: Vec<String>,
}

impl StepView {
    pub fn new(step: usize, delay_minutes: u16, resolved: ResolvedStep, names: &Names) -> Self {
        Self {
            step,
            delay_minutes,
            users: resolved
                .users
                .into_iter()
                .map(|paged| PagedView {
                    user_id: paged.user_id.0,
                    name: names.name(paged.user_id).to_owned(),
                    reason: paged.reason,
                })
                .collect(),
            warnings: resolved.warnings,
        }
    }
}

/// A policy's steps at an instant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyOnCall {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub steps: Vec<StepView>,
}
