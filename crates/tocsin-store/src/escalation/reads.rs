//! Reading policies: one by id (inside or outside a write), pages of them, and all of them (for
//! the on-call answer).
use tocsin_domain::escalation::EscalationPolicy;
use tocsin_domain::id::{EscalationPolicyId, TeamId};
use uuid::Uuid;

use super::StoredPolicy;
use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::time::from_micros;
use crate::tx::Tx;

type Row = (Uuid, String, i64, i64, i64);

fn parse(row: Row) -> Result<StoredPolicy, StoreError> {
    let (id, definition, version, created_at, updated_at) = row;
    let policy: EscalationPolicy =
        serde_json::from_str(&definition).map_err(|e| corrupt("escalation policy", e))?;
    Ok(StoredPolicy {
        id: EscalationPolicyId(id),
        policy,
        version,
        created_at: from_micros(created_at),
        updated_at: from_micros(updated_at),
    })
}

fn parse_all(rows: Vec<Row>) -> Result<Vec<StoredPolicy>, StoreError> {
    rows.into_iter().map(parse).collect()
}

const SELECT_BY_ID: &str = "SELECT id, definition, version, created_at, updated_at \
    FROM escalation_policies WHERE id = $1";
const LIST: &str = "SELECT id, definition, version, created_at, updated_at FROM escalation_policies \
    WHERE ($1 IS NULL OR team_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3";
const ALL: &str = "SELECT id, definition, version, created_at, updated_at \
    FROM escalation_policies ORDER BY name_key";

/// Reads a policy inside a write transaction (the engine's, before resolving a step).
pub async fn load(tx: &mut Tx, id: EscalationPolicyId) -> Result<StoredPolicy, StoreError> {
    let row: Option<Row> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    parse(row.ok_or(StoreError::NotFound("escalation policy"))?)
}

pub async fn get_policy(
    reader: Reader<'_>,
    id: EscalationPolicyId,
) -> Result<StoredPolicy, StoreError> {
    let row: Option<Row> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    parse(row.ok_or(StoreError::NotFound("escalation policy"))?)
}

/// Policies in id order after `after` (optionally one team's), at most `limit`.
pub async fn list_policies(
    reader: Reader<'_>,
    team: Option<TeamId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredPolicy>, StoreError> {
    let args = crate::args![team.map(|t| t.0), after, limit];
    parse_all(reader.fetch_all(LIST, args).await?)
}

/// Every policy, by name.
pub async fn list_all_policies(reader: Reader<'_>) -> Result<Vec<StoredPolicy>, StoreError> {
    parse_all(reader.fetch_all(ALL, crate::args![]).await?)
}
