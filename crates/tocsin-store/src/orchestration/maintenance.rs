//! Maintenance windows: services held (alerts stored, not paging) during one-off or weekly times.
use jiff::Timestamp;
use tocsin_domain::alerting::maintenance::MaintenanceWindow;
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredWindow {
    pub id: Uuid,
    pub window: MaintenanceWindow,
    pub created_by: String,
    pub created_at: Timestamp,
}

type Row = (Uuid, String, String, i64);

fn stored(row: Row) -> Result<StoredWindow, StoreError> {
    let (id, definition, created_by, created_at) = row;
    let window = serde_json::from_str(&definition)
        .map_err(|e| StoreError::Corrupt(format!("maintenance window {id}: {e}")))?;
    Ok(StoredWindow {
        id,
        window,
        created_by,
        created_at: from_micros(created_at),
    })
}

pub async fn create(
    tx: &mut Tx,
    window: MaintenanceWindow,
    actor: &str,
    at: Timestamp,
) -> Result<StoredWindow, StoreError> {
    let id = tocsin_domain::id::uuid_v7_at(at);
    let definition = serde_json::to_value(&window)
        .map_err(|e| StoreError::Corrupt(format!("maintenance window not serialisable: {e}")))?;
    tx.execute("INSERT INTO maintenance_windows (id, definition, created_by, created_at) VALUES ($1, $2, $3, $4)", crate::args![id, definition.to_string(), actor, to_micros(at)]).await?;
    tx.append(NewEvent::new(
        "maintenance",
        id,
        "maintenance.created",
        actor,
        at,
        definition,
    ))
    .await?;
    Ok(StoredWindow {
        id,
        window,
        created_by: actor.to_owned(),
        created_at: from_micros(to_micros(at)),
    })
}

pub async fn delete(tx: &mut Tx, id: Uuid, actor: &str, at: Timestamp) -> Result<(), StoreError> {
    let deleted = tx
        .execute(
            "DELETE FROM maintenance_windows WHERE id = $1",
            crate::args![id],
        )
        .await?;
    if deleted == 0 {
        return Err(StoreError::NotFound("maintenance window"));
    }
    tx.append(NewEvent::new(
        "maintenance",
        id,
        "maintenance.deleted",
        actor,
        at,
        serde_json::json!({}),
    ))
    .await?;
    Ok(())
}

pub async fn list(reader: Reader<'_>) -> Result<Vec<StoredWindow>, StoreError> {
    const LIST: &str =
        "SELECT id, definition, created_by, created_at FROM maintenance_windows ORDER BY id";
    let rows: Vec<Row> = reader.fetch_all(LIST, crate::args![]).await?;
    rows.into_iter().map(stored).collect()
}
