//! Alerting configuration documents, one per scope, versioned for If-Match: the global event
//! rules, each service's event rules, grouping policy and noise control, the inhibition rules.
use jiff::Timestamp;
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

pub const GLOBAL_RULES_SCOPE: &str = "rules:global";
pub const INHIBIT_SCOPE: &str = "inhibit";

/// The scope of a service's event rules.
pub fn service_scope(service: Uuid) -> String {
    format!("rules:{service}")
}

/// The service of a per-service rules scope.
pub fn service_of(scope: &str) -> Option<Uuid> {
    scope.strip_prefix("rules:").and_then(|id| id.parse().ok())
}

/// The scope of a service's grouping policy.
pub fn grouping_scope(service: Uuid) -> String {
    format!("grouping:{service}")
}

/// The service of a grouping scope.
pub fn grouping_service_of(scope: &str) -> Option<Uuid> {
    scope
        .strip_prefix("grouping:")
        .and_then(|id| id.parse().ok())
}

/// The scope of a service's incident lifecycle settings.
pub fn lifecycle_scope(service: Uuid) -> String {
    format!("lifecycle:{service}")
}

/// The service of a lifecycle scope.
pub fn lifecycle_service_of(scope: &str) -> Option<Uuid> {
    scope
        .strip_prefix("lifecycle:")
        .and_then(|id| id.parse().ok())
}

/// The scope of a service's noise control (transient pause, flap detection).
pub fn noise_scope(service: Uuid) -> String {
    format!("noise:{service}")
}

/// The service of a noise control scope.
pub fn noise_service_of(scope: &str) -> Option<Uuid> {
    scope.strip_prefix("noise:").and_then(|id| id.parse().ok())
}

/// A stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDocument {
    pub scope: String,
    pub definition: serde_json::Value,
    /// 0 for a document never written (an empty list).
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<Timestamp>,
}

type Row = (String, String, i64, String, i64);

fn document(row: Row) -> Result<ConfigDocument, StoreError> {
    let (scope, text, version, updated_by, updated_at) = row;
    let definition = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("alerting configuration {scope}: {e}")))?;
    Ok(ConfigDocument {
        scope,
        definition,
        version,
        updated_by: Some(updated_by),
        updated_at: Some(from_micros(updated_at)),
    })
}

const SELECT: &str =
    "SELECT scope, definition, version, updated_by, updated_at FROM alerting_config";
const GET: &str = "SELECT scope, definition, version, updated_by, updated_at FROM alerting_config WHERE scope = $1";

/// Every stored document.
pub async fn all(reader: Reader<'_>) -> Result<Vec<ConfigDocument>, StoreError> {
    let rows: Vec<Row> = reader.fetch_all(SELECT, crate::args![]).await?;
    rows.into_iter().map(document).collect()
}

/// The document of `scope`; an empty list at version 0 when never written.
pub async fn get(reader: Reader<'_>, scope: &str) -> Result<ConfigDocument, StoreError> {
    let row: Option<Row> = reader.fetch_optional(GET, crate::args![scope]).await?;
    match row {
        Some(row) => document(row),
        None => Ok(ConfigDocument {
            scope: scope.to_owned(),
            definition: serde_json::Value::Array(Vec::new()),
            version: 0,
            updated_by: None,
            updated_at: None,
        }),
    }
}

/// The document of `scope` read as a `T` (a policy) with its version: `T`'s defaults at version 0
/// when never written.
pub async fn get_typed<T: serde::de::DeserializeOwned + Default>(
    reader: Reader<'_>,
    scope: &str,
) -> Result<(T, i64), StoreError> {
    let document = get(reader, scope).await?;
    if document.version == 0 {
        return Ok((T::default(), 0));
    }
    let value = serde_json::from_value(document.definition)
        .map_err(|e| StoreError::Corrupt(format!("configuration {scope}: {e}")))?;
    Ok((value, document.version))
}

/// Stores a `T` (already validated) as the document of `scope`, as `put` does.
pub async fn put_typed<T: serde::Serialize>(
    tx: &mut Tx,
    scope: &str,
    value: &T,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let definition = serde_json::to_value(value)
        .map_err(|e| StoreError::Corrupt(format!("configuration {scope} not serialisable: {e}")))?;
    put(tx, scope, &definition, if_version, actor, at).await
}

/// Replaces the document of `scope` (already validated by the caller). With `if_version`, refuses
/// a stale write.
pub async fn put(
    tx: &mut Tx,
    scope: &str,
    definition: &serde_json::Value,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    // Writers of one scope queue here, so two first writes cannot both insert it (PostgreSQL;
    // SQLite's writer is alone).
    let mut lock_key = b"alerting_config:".to_vec();
    lock_key.extend_from_slice(scope.as_bytes());
    tx.lock(&lock_key).await?;
    let current: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT version FROM alerting_config WHERE scope = $1",
            crate::args![scope],
        )
        .await?;
    let current = current.map_or(0, |(version,)| version);
    if let Some(expected) = if_version
        && expected != current
    {
        return Err(StoreError::StaleVersion { current });
    }
    let version = current + 1;
    let text = definition.to_string();
    if current == 0 {
        tx.execute("INSERT INTO alerting_config (scope, definition, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)", crate::args![scope, &text, version, actor, to_micros(at)]).await?;
    } else {
        tx.execute("UPDATE alerting_config SET definition = $2, version = $3, updated_by = $4, updated_at = $5 WHERE scope = $1", crate::args![scope, &text, version, actor, to_micros(at)]).await?;
    }
    tx.append(NewEvent::new(
        "alerting_config",
        scope_stream(scope),
        "alerting_config.updated",
        actor,
        at,
        serde_json::json!({ "scope": scope, "version": version, "definition": definition }),
    ))
    .await?;
    Ok(version)
}

/// A stable stream id per scope (UUIDv5-like: the first 16 bytes of the scope's SHA-256).
fn scope_stream(scope: &str) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(scope.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_scopes_round_trip_and_other_scopes_are_not_services() {
        let service = Uuid::from_u128(42);
        assert_eq!(service_of(&service_scope(service)), Some(service));
        assert_eq!(service_of(GLOBAL_RULES_SCOPE), None);
        assert_eq!(service_of(INHIBIT_SCOPE), None);
        assert_eq!(
            lifecycle_service_of(&lifecycle_scope(service)),
            Some(service)
        );
        assert_eq!(lifecycle_service_of(&grouping_scope(service)), None);
        assert_ne!(scope_stream("a"), scope_stream("b"));
        assert_eq!(noise_service_of(&noise_scope(service)), Some(service));
        assert_eq!(noise_service_of(&grouping_scope(service)), None);
        assert_eq!(service_of(&noise_scope(service)), None);
    }
}
