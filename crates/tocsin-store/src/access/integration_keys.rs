//! Integration keys: per-service secrets that may only send events to that service.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{IntegrationKeyId, ServiceId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// An integration key. The secret is included: it is shown on the service so monitoring tools can
/// be pointed at it, and it grants nothing but ingest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IntegrationKey {
    pub id: IntegrationKeyId,
    pub service_id: ServiceId,
    pub name: String,
    /// Which intake format the key is for (`generic`, `pagerduty`, `alertmanager`, `opsgenie` ...).
    pub kind: String,
    pub secret: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// The generic webhook's field mapping (JSON text), when one is set.
    pub mapping: Option<String>,
}

crate::sql_row! {
    struct KeyRow {
        id: Uuid,
        service_id: Uuid,
        name: String,
        kind: String,
        secret: String,
        created_at: i64,
        revoked_at: Option<i64>,
        mapping: Option<String>,
    }
}

impl From<KeyRow> for IntegrationKey {
    fn from(row: KeyRow) -> Self {
        Self {
            id: IntegrationKeyId(row.id),
            service_id: ServiceId(row.service_id),
            name: row.name,
            kind: row.kind,
            secret: row.secret,
            created_at: from_micros(row.created_at),
            revoked_at: row.revoked_at.map(from_micros),
            mapping: row.mapping,
        }
    }
}

const INSERT: &str = "INSERT INTO integration_keys (id, service_id, name, kind, secret, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6)";
const LIST: &str = "SELECT id, service_id, name, kind, secret, created_at, revoked_at, mapping \
    FROM integration_keys WHERE service_id = $1 ORDER BY id";
const GET: &str = "SELECT id, service_id, name, kind, secret, created_at, revoked_at, mapping \
    FROM integration_keys WHERE id = $1 AND service_id = $2";
const REVOKE: &str = "UPDATE integration_keys SET revoked_at = $3 WHERE id = $1 AND service_id = $2 AND revoked_at IS NULL";

/// Creates a key for `service` with the given `secret`.
pub async fn create(
    tx: &mut Tx,
    service: ServiceId,
    name: String,
    kind: String,
    secret: String,
    actor: &str,
    at: Timestamp,
) -> Result<IntegrationKey, StoreError> {
    let id = IntegrationKeyId::new(at);
    tx.execute(
        INSERT,
        crate::args![id.0, service.0, &name, &kind, &secret, to_micros(at)],
    )
    .await?;
    tx.append(NewEvent::new(
        "service",
        service.0,
        "integration_key.created",
        actor,
        at,
        serde_json::json!({ "key_id": id, "name": name, "kind": kind }),
    ))
    .await?;
    Ok(IntegrationKey {
        id,
        service_id: service,
        name,
        kind,
        secret,
        created_at: from_micros(to_micros(at)),
        revoked_at: None,
        mapping: None,
    })
}

pub async fn list(
    reader: Reader<'_>,
    service: ServiceId,
) -> Result<Vec<IntegrationKey>, StoreError> {
    let rows: Vec<KeyRow> = reader.fetch_all(LIST, crate::args![service.0]).await?;
    Ok(rows.into_iter().map(IntegrationKey::from).collect())
}

/// Revokes a key of `service`; NotFound when it is not that service's key.
pub async fn revoke(
    tx: &mut Tx,
    service: ServiceId,
    id: IntegrationKeyId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<KeyRow> = tx
        .fetch_optional(GET, crate::args![id.0, service.0])
        .await?;
    let key = row
        .map(IntegrationKey::from)
        .ok_or(StoreError::NotFound("integration key"))?;
    let changed = tx
        .execute(REVOKE, crate::args![id.0, service.0, to_micros(at)])
        .await?;
    if changed > 0 {
        tx.append(NewEvent::new(
            "service",
            service.0,
            "integration_key.revoked",
            actor,
            at,
            serde_json::json!({ "key_id": id, "name": key.name }),
        ))
        .await?;
    }
    Ok(())
}

const SET_MAPPING: &str =
    "UPDATE integration_keys SET mapping = $3 WHERE id = $1 AND service_id = $2";

/// Sets (or, with `None`, clears) the generic webhook mapping of a key of `service`; answers the
/// key. NotFound when it is not that service's key.
pub async fn set_mapping(
    tx: &mut Tx,
    service: ServiceId,
    id: IntegrationKeyId,
    mapping: Option<String>,
    actor: &str,
    at: Timestamp,
) -> Result<IntegrationKey, StoreError> {
    let changed = tx
        .execute(SET_MAPPING, crate::args![id.0, service.0, &mapping])
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound("integration key"));
    }
    let row: Option<KeyRow> = tx
        .fetch_optional(GET, crate::args![id.0, service.0])
        .await?;
    let key = row
        .map(IntegrationKey::from)
        .ok_or(StoreError::NotFound("integration key"))?;
    tx.append(NewEvent::new(
        "service",
        service.0,
        "integration_key.mapping_set",
        actor,
        at,
        serde_json::json!({ "key_id": id, "name": key.name, "mapping": mapping }),
    ))
    .await?;
    Ok(key)
}

const FIND_LIVE: &str = "SELECT id, service_id, name, kind, secret, created_at, revoked_at, mapping \
    FROM integration_keys WHERE secret = $1 AND revoked_at IS NULL";

/// The live (unrevoked) key with this secret.
pub async fn find_live(
    reader: Reader<'_>,
    secret: &str,
) -> Result<Option<IntegrationKey>, StoreError> {
    let row: Option<KeyRow> = reader
        .fetch_optional(FIND_LIVE, crate::args![secret])
        .await?;
    Ok(row.map(IntegrationKey::from))
}

const FIND_BY_ID: &str = "SELECT id, service_id, name, kind, secret, created_at, revoked_at, mapping \
    FROM integration_keys WHERE id = $1 AND revoked_at IS NULL";

/// The live key with this id.
pub async fn find_live_by_id(
    reader: Reader<'_>,
    id: IntegrationKeyId,
) -> Result<Option<IntegrationKey>, StoreError> {
    let row: Option<KeyRow> = reader
        .fetch_optional(FIND_BY_ID, crate::args![id.0])
        .await?;
    Ok(row.map(IntegrationKey::from))
}
