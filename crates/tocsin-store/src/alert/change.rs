//! Change events: deploys and configuration pushes reported on a service, kept beside its alerts
//! so responders see what changed just before things broke.
use jiff::Timestamp;
use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use uuid::Uuid;

use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

/// A change event as received.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub service_id: ServiceId,
    pub integration_key_id: IntegrationKeyId,
    pub summary: String,
    pub source: Option<String>,
    pub happened_at: Timestamp,
    pub links: serde_json::Value,
    pub details: serde_json::Value,
}

const INSERT: &str = "INSERT INTO change_events (id, service_id, integration_key_id, summary, source, \
    happened_at, links, details, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Records a change event and notes it on the service's stream; returns its id.
pub async fn record(
    tx: &mut Tx,
    change: NewChange,
    actor: &str,
    at: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = tocsin_domain::id::uuid_v7_at(at);
    let text = |value: &serde_json::Value| value.to_string();
    tx.execute(
        INSERT,
        crate::args![
            id,
            change.service_id.0,
            change.integration_key_id.0,
            &change.summary,
            &change.source,
            to_micros(change.happened_at),
            text(&change.links),
            text(&change.details),
            to_micros(at)
        ],
    )
    .await?;
    tx.append(NewEvent::new(
        "service",
        change.service_id.0,
        "service.change_recorded",
        actor,
        at,
        serde_json::json!({
            "change_id": id,
            "summary": change.summary,
            "source": change.source,
            "happened_at": change.happened_at,
        }),
    ))
    .await?;
    Ok(id)
}
