//! Intake requests: every request of a format that lets its client ask later what came of it
//! (Opsgenie's `requestId`), recorded in the same write as the alert change it caused.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{AlertId, IntakeRequestId, IntegrationKeyId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A recorded intake request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IntakeRequest {
    pub id: IntakeRequestId,
    pub integration_key_id: IntegrationKeyId,
    /// The format's own name for what was asked (`Create`, `Close`, `Acknowledge` ...).
    pub action: String,
    pub dedup_key: String,
    /// What came of it (`DedupOutcome::as_str`, or a format-specific word such as `not_found`).
    pub outcome: String,
    pub alert_id: Option<AlertId>,
    pub received_at: Timestamp,
}

const INSERT: &str = "INSERT INTO intake_requests (id, integration_key_id, action, dedup_key, outcome, \
    alert_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const GET: &str = "SELECT id, integration_key_id, action, dedup_key, outcome, alert_id, received_at \
    FROM intake_requests WHERE id = $1 AND integration_key_id = $2";

crate::sql_row! {
    struct RequestRow {
        id: Uuid,
        integration_key_id: Uuid,
        action: String,
        dedup_key: String,
        outcome: String,
        alert_id: Option<Uuid>,
        received_at: i64,
    }
}

/// Records `request` in the caller's transaction.
pub async fn record(tx: &mut Tx, request: &IntakeRequest) -> Result<(), StoreError> {
    tx.execute(
        INSERT,
        crate::args![
            request.id.0,
            request.integration_key_id.0,
            &request.action,
            &request.dedup_key,
            &request.outcome,
            request.alert_id.map(|a| a.0),
            to_micros(request.received_at)
        ],
    )
    .await?;
    Ok(())
}

/// The request `id` made with `key`; another key's request is not found.
pub async fn get(
    reader: Reader<'_>,
    id: IntakeRequestId,
    key: IntegrationKeyId,
) -> Result<Option<IntakeRequest>, StoreError> {
    let row: Option<RequestRow> = reader
        .fetch_optional(GET, crate::args![id.0, key.0])
        .await?;
    Ok(row.map(|row| IntakeRequest {
        id: IntakeRequestId(row.id),
        integration_key_id: IntegrationKeyId(row.integration_key_id),
        action: row.action,
        dedup_key: row.dedup_key,
        outcome: row.outcome,
        alert_id: row.alert_id.map(AlertId),
        received_at: from_micros(row.received_at),
    }))
}
