//! Resolving an intake key: the secret a monitoring tool presents, to its service, for one intake
//! format. A key of another format is treated as unknown, so a probe learns nothing. Live keys
//! are cached per node (see `key_cache` for how revocation reaches the cache).
use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use tocsin_store::access::integration_keys;

use super::key_cache::{CachedKey, Lookup};
use crate::error::ApiError;
use crate::state::AppState;

/// A live key, checked for the endpoint's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeKey {
    pub id: IntegrationKeyId,
    pub service_id: ServiceId,
}

impl IntakeKey {
    /// How events through this key are attributed on timelines.
    pub fn actor(&self) -> String {
        format!("integration_key:{}", self.id)
    }
}

/// Why a key was not accepted.
#[derive(Debug)]
pub enum KeyRejection {
    /// Unknown, revoked, or for another format: 404 without saying which.
    Unknown,
    /// The database could not be asked.
    Store(ApiError),
}

/// The live key of format `kind` with this secret.
pub async fn resolve(
    state: &AppState,
    secret: &str,
    kind: &str,
) -> Result<IntakeKey, KeyRejection> {
    resolve_with_mapping(state, secret, kind)
        .await
        .map(|(key, _)| key)
}

/// The live key of format `kind` with this secret, and its field mapping (generic keys).
pub async fn resolve_with_mapping(
    state: &AppState,
    secret: &str,
    kind: &str,
) -> Result<(IntakeKey, Option<String>), KeyRejection> {
    if secret.is_empty() || secret.len() > 200 {
        return Err(KeyRejection::Unknown);
    }
    let generation = match state.intake_keys.get(secret) {
        Lookup::Hit(key) => return accept(&key, kind),
        Lookup::Miss { generation } => generation,
    };
    match integration_keys::find_live(state.store.reader(), secret).await {
        Ok(Some(key)) => {
            let cached = CachedKey {
                id: key.id,
                service_id: key.service_id,
                kind: key.kind,
                mapping: key.mapping,
            };
            let answer = accept(&cached, kind);
            state.intake_keys.fill(secret, cached, generation);
            answer
        }
        Ok(None) => Err(KeyRejection::Unknown),
        Err(error) => Err(KeyRejection::Store(error.into())),
    }
}

/// The key, if it is of format `kind`.
fn accept(key: &CachedKey, kind: &str) -> Result<(IntakeKey, Option<String>), KeyRejection> {
    if key.kind != kind {
        return Err(KeyRejection::Unknown);
    }
    Ok((
        IntakeKey {
            id: key.id,
            service_id: key.service_id,
        },
        key.mapping.clone(),
    ))
}
