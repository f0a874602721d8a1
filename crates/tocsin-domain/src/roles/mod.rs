//! Incident roles: responsibilities during an incident (incident commander, communications lead
//! ...) that a schedule can staff, with the skills whoever fills the role must have and a named
//! backup. [`staff_role`] answers who fills a role at an instant, and why; an escalation step and a
//! response plan page the role rather than a person.
mod model;
mod staffing;

pub use model::{IncidentRole, STANDARD_ROLES, StandardRole, limits, parse_slug};
pub use staffing::{
    BackupProblem, NotOnCall, Person, Skipped, SkippedBecause, Staffing, StaffingReason, staff_role,
};
