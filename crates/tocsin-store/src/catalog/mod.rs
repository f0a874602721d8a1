//! The service catalog's persistence: users, teams and their members, and services with their
//! tags and dependencies. Every change appends an event to the object's stream in the same
//! transaction that updates the projection tables.
pub(crate) mod graph;
pub mod members;
pub mod overview;
mod service_reads;
pub mod services;
pub mod teams;
pub mod users;

pub use members::{TeamMember, list_members, put_member, remove_member, teams_of_user};
pub use overview::{dependency_edges, open_incident_count, services_with_open_incidents};
pub use service_reads::{get_service, list_services};
pub use services::{
    NewService, Service, ServicePatch, create_service, delete_service, update_service,
};
pub use teams::{
    NewTeam, Team, TeamPatch, create_team, delete_team, get_team, list_teams, update_team,
};
pub use users::{
    NewUser, User, UserPatch, count_users, create_user, find_user_by_email, get_user, list_users,
    set_password_hash, update_user,
};

use crate::error::StoreError;

/// A stored value that no longer parses as its domain type: the database was changed behind the
/// store's back. Logged, never shown.
pub(crate) fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("stored {what} is invalid: {error}"))
}

/// Refuses a write made against a version other than `current` (If-Match).
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current => Err(StoreError::StaleVersion { current }),
        _ => Ok(()),
    }
}

/// Rewords a uniqueness conflict for the caller; other errors pass through.
pub(crate) fn unique_as<T>(
    result: Result<T, StoreError>,
    message: impl FnOnce() -> String,
) -> Result<T, StoreError> {
    match result {
        Err(error) if error.is_unique_violation() => Err(StoreError::Conflict(message())),
        other => other,
    }
}

/// Serialises a payload; the catalog's payloads are plain data, so failure means a bug.
pub(crate) fn payload(value: impl serde::Serialize) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(format!("not serialisable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_matching_version_passes_and_a_different_one_is_stale() {
        assert!(check_version(None, 3).is_ok());
        assert!(check_version(Some(3), 3).is_ok());
        assert!(matches!(
            check_version(Some(2), 3),
            Err(StoreError::StaleVersion { current: 3 })
        ));
    }
}
