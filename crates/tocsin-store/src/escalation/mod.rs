//! Escalation policies' persistence: a policy's definition with its name and owning team, the
//! users, schedules, teams and incident roles it names (so none is removed from under it), each service's default
//! policy and routing rules, round-robin cursors, users' skills, and, for the engine, choosing an
//! alert's policy and resolving a step to people against the database. Every change appends an
//! event in the same transaction that updates these tables.
mod directory;
mod reads;
mod refs;
mod routing;
mod skills;
mod writes;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::escalation::EscalationPolicy;
use tocsin_domain::id::EscalationPolicyId;

pub(crate) use directory::Db;
pub use directory::{preview_step, resolve_step};
pub use reads::{get_policy, list_all_policies, list_policies, load as load_policy};
pub use refs::{RefKind, policies_naming};
pub(crate) use routing::service_escalates;
pub use routing::{
    get_routes, policy_for_alert, policy_for_service, put_routes, services_using_policy,
    set_service_policy,
};
pub use skills::{get_skills, set_skills};
pub use writes::{create_policy, delete_policy, update_policy};

/// A policy as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPolicy {
    pub id: EscalationPolicyId,
    #[serde(flatten)]
    pub policy: EscalationPolicy,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
