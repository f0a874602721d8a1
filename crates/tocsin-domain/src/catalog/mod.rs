//! The service catalog's rules: teams, users and services, and the service dependency graph.
pub mod dependencies;
pub mod roles;

pub use dependencies::{DependencyCycle, check_acyclic};
pub use roles::{OrgRole, TeamRole};
