//! Incident roles' persistence: a role's slug, name, instructions, staffing schedule, required
//! skills and backup; what staffing needs to know about people (active, skills, name). Every
//! change appends an event to the role's stream in the same transaction that updates the table.
mod reads;
mod writes;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::IncidentRoleId;
use tocsin_domain::roles::IncidentRole;

pub(crate) use reads::load;
pub use reads::{get_role, list_all_roles, list_roles, people, roles_naming_schedule};
pub use writes::{create_role, delete_role, update_role};

/// A role as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRole {
    pub id: IncidentRoleId,
    #[serde(flatten)]
    pub role: IncidentRole,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
