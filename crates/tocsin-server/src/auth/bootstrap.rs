//! The first start: when the database has no users, create the owner account with a random
//! one-time password and an API token, and hand them back to be printed once.
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::values::{Email, Name, TimeZoneName};
use tocsin_store::StoreError;
use tocsin_store::access::tokens::{self, NewApiToken};
use tocsin_store::catalog::users::{self, NewUser};

use super::password;
use super::secrets::{API_TOKEN_PREFIX, display_prefix, hash_secret, random_secret};
use crate::error::ApiError;
use crate::state::AppState;

/// Credentials shown once, on the first start.
#[derive(Debug, Clone)]
pub struct FirstLogin {
    pub email: String,
    pub password: String,
    pub api_token: String,
}

/// Creates the owner when the database has no users; `None` when users already exist (including
/// when another node created them a moment earlier).
pub async fn ensure_owner(state: &AppState) -> Result<Option<FirstLogin>, ApiError> {
    if users::count_users(state.store.reader()).await? > 0 {
        return Ok(None);
    }
    let email = Email::parse(&state.config.owner_email)
        .map_err(|e| ApiError::field("/owner_email", e.to_string()))?;
    let one_time_password: String = random_secret("").chars().take(24).collect();
    let for_hashing = one_time_password.clone();
    let password_hash = tokio::task::spawn_blocking(move || password::hash(&for_hashing))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    let api_token = random_secret(API_TOKEN_PREFIX);
    let token_hash = hash_secret(&api_token);
    let prefix = display_prefix(&api_token);
    let now = state.clock.now();
    let owner_email = email.clone();
    let created = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                let existing = users::count_users_in(tx).await?;
                if existing > 0 {
                    return Ok(false);
                }
                let name = Name::parse("Owner").map_err(|e| StoreError::Conflict(e.to_string()))?;
                let new = NewUser {
                    email: owner_email,
                    name,
                    role: OrgRole::Owner,
                    time_zone: TimeZoneName::utc(),
                    password_hash: Some(password_hash),
                };
                let owner = users::create_user(tx, new, "system", now).await?;
                let token = NewApiToken {
                    user_id: owner.id,
                    name: "first start".to_owned(),
                    token_hash,
                    prefix,
                    expires_at: None,
                };
                tokens::create(tx, token, "system", now).await?;
                Ok(true)
            })
        })
        .await;
    match created {
        Ok(true) => Ok(Some(FirstLogin {
            email: email.to_string(),
            password: one_time_password,
            api_token,
        })),
        Ok(false) | Err(StoreError::Conflict(_)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}
