//! The alerting configuration the ingest pipeline decides with (rules, silences, maintenance
//! windows, inhibition), cached: reloaded when this node changes it (`invalidate`) and at least
//! every `REFRESH` so changes made on another PostgreSQL node apply within that time.
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tocsin_domain::alerting::verdict::Orchestration;
use tocsin_store::{Store, StoreError, orchestration};

/// The longest a cached configuration is used before it is read again.
pub const REFRESH: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct Orchestrator {
    cached: Mutex<Option<(Instant, Arc<Orchestration>)>>,
}

impl Orchestrator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the cached configuration; the next alert reads it again.
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The configuration, from the cache while it is fresh.
    pub async fn current(
        &self,
        store: &Store,
        at: Timestamp,
    ) -> Result<Arc<Orchestration>, StoreError> {
        if let Some((loaded, config)) = &*self.cached.lock().unwrap_or_else(PoisonError::into_inner)
            && loaded.elapsed() < REFRESH
        {
            return Ok(config.clone());
        }
        let config = Arc::new(orchestration::load(store.reader(), at).await?);
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), config.clone()));
        Ok(config)
    }
}
