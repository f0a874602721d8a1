//! The ingest pipeline: alerts parsed by an intake endpoint are applied in one write (one group
//! commit for a whole webhook batch), and the answers come back only after the commit, so a 202
//! means the alert is durable. Rules, silences and grouping run here as they arrive.
use jiff::Timestamp;
use tocsin_store::alert::requests::{self, IntakeRequest};
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

/// Applies one alert and records the intake request it came in, in one transaction: the request
/// is on record exactly when its effect is. `record` is completed with the outcome and alert.
pub async fn submit_recorded(
    store: &Store,
    incoming: IncomingAlert,
    mut record: IntakeRequest,
    actor: String,
    at: Timestamp,
) -> Result<(Ingested, IntakeRequest), StoreError> {
    store
        .write(move |tx| {
            Box::pin(async move {
                let ingested = alert::ingest(tx, incoming, &actor, at).await?;
                record.outcome = ingested.outcome.as_str().to_owned();
                record.alert_id = ingested.alert_id;
                requests::record(tx, &record).await?;
                Ok((ingested, record))
            })
        })
        .await
}

/// Records a request that changed nothing (its alert was not found), in a write of its own.
pub async fn record_request(store: &Store, record: IntakeRequest) -> Result<(), StoreError> {
    store
        .write(move |tx| Box::pin(async move { requests::record(tx, &record).await }))
        .await
}
