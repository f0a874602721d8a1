//! The ingest pipeline: alerts parsed by an intake endpoint are applied in one write (one group
//! commit for a whole webhook batch), and the answers come back only after the commit, so a 202
//! means the alert is durable. Rules, silences and grouping run here as they arrive.
use jiff::Timestamp;
use tocsin_store::alert::{self, IncomingAlert, Ingested};
use tocsin_store::{Store, StoreError};

/// Applies `alerts` in order, in one transaction, as `actor` at `at`.
pub async fn submit(
    store: &Store,
    alerts: Vec<IncomingAlert>,
    actor: String,
    at: Timestamp,
) -> Result<Vec<Ingested>, StoreError> {
    store
        .write(move |tx| {
            Box::pin(async move {
                let mut outcomes = Vec::with_capacity(alerts.len());
                for incoming in alerts {
                    outcomes.push(alert::ingest(tx, incoming, &actor, at).await?);
                }
                Ok(outcomes)
            })
        })
        .await
}
