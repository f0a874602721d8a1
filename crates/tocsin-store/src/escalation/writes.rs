//! Creating, replacing and deleting policies. The caller has validated the definition
//! (`alerting::from_json::<EscalationPolicy>`); here the references are checked against stored
//! state: the owning team and every user, schedule and team a target names.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::escalation::EscalationPolicy;
use tocsin_domain::id::EscalationPolicyId;

use super::StoredPolicy;
use super::reads::load;
use super::refs::{check_targets, write_refs};
use crate::catalog::graph::check_references;
use crate::catalog::{check_version, payload, unique_as};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

const INSERT: &str = "INSERT INTO escalation_policies \
    (id, name, name_key, description, team_id, definition, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)";
const UPDATE: &str = "UPDATE escalation_policies SET name = $3, name_key = $4, description = $5, \
    team_id = $6, definition = $7, version = version + 1, updated_at = $8 \
    WHERE id = $1 AND version = $2";
const DELETE: &str = "DELETE FROM escalation_policies WHERE id = $1";
const USED_BY: &str = "SELECT name FROM services WHERE escalation_policy_id = $1 OR id IN \
    (SELECT service_id FROM escalation_routes WHERE policy_id = $1) ORDER BY name_key";

fn name_taken(policy: &EscalationPolicy) -> impl FnOnce() -> String + '_ {
    move || format!("an escalation policy named {} already exists", policy.name)
}

fn definition_json(policy: &EscalationPolicy) -> Result<String, StoreError> {
    serde_json::to_string(policy)
        .map_err(|e| StoreError::Corrupt(format!("escalation policy not serialisable: {e}")))
}

fn columns(policy: &EscalationPolicy) -> Result<Vec<crate::sql::Arg>, StoreError> {
    Ok(crate::args![
        policy.name.as_str(),
        crate::catalog::teams::name_key(&policy.name),
        policy.description.as_str(),
        policy.team_id.map(|t| t.0),
        definition_json(policy)?
    ])
}

/// Appends `event` to the policy's stream.
async fn append(
    tx: &mut Tx,
    id: uuid::Uuid,
    event: &'static str,
    actor: &str,
    at: Timestamp,
    body: serde_json::Value,
) -> Result<(), StoreError> {
    let event = NewEvent::new("escalation_policy", id, event, actor, at, body);
    tx.append(event).await.map(|_| ())
}

async fn check_all_references(tx: &mut Tx, policy: &EscalationPolicy) -> Result<(), StoreError> {
    check_references(tx, policy.team_id, None).await?;
    check_targets(tx, policy).await
}

/// Creates a policy and appends `escalation_policy.created` (with the whole definition).
pub async fn create_policy(
    tx: &mut Tx,
    policy: EscalationPolicy,
    actor: &str,
    at: Timestamp,
) -> Result<StoredPolicy, StoreError> {
    let policy = policy.normalised();
    check_all_references(tx, &policy).await?;
    let at = from_micros(to_micros(at));
    let stored = StoredPolicy {
        id: EscalationPolicyId::new(at),
        policy,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let mut args = crate::args![stored.id.0];
    args.extend(columns(&stored.policy)?);
    args.push(to_micros(at).into());
    unique_as(tx.execute(INSERT, args).await, name_taken(&stored.policy))?;
    write_refs(tx, stored.id, &stored.policy).await?;
    append(
        tx,
        stored.id.0,
        "escalation_policy.created",
        actor,
        at,
        payload(&stored)?,
    )
    .await?;
    Ok(stored)
}

/// Replaces a policy (If-Match via `expected_version`) and appends `escalation_policy.updated`
/// with the new state. A replacement identical to the stored policy changes nothing.
pub async fn update_policy(
    tx: &mut Tx,
    id: EscalationPolicyId,
    policy: EscalationPolicy,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<StoredPolicy, StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let policy = policy.normalised();
    if policy == current.policy {
        return Ok(current);
    }
    check_all_references(tx, &policy).await?;
    let next = StoredPolicy {
        policy,
        version: current.version + 1,
        updated_at: from_micros(to_micros(at)),
        ..current.clone()
    };
    let mut args = crate::args![id.0, current.version];
    args.extend(columns(&next.policy)?);
    args.push(to_micros(at).into());
    if unique_as(tx.execute(UPDATE, args).await, name_taken(&next.policy))? == 0 {
        return Err(StoreError::StaleVersion {
            current: load(tx, id).await?.version,
        });
    }
    write_refs(tx, id, &next.policy).await?;
    append(
        tx,
        id.0,
        "escalation_policy.updated",
        actor,
        at,
        payload(&next)?,
    )
    .await?;
    Ok(next)
}

/// Deletes a policy no service uses (as its default or in a routing rule): appends
/// `escalation_policy.deleted` and removes the rows (references and cursors go with it).
pub async fn delete_policy(
    tx: &mut Tx,
    id: EscalationPolicyId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let services: Vec<String> = tx.scalars(USED_BY, crate::args![id.0]).await?;
    if !services.is_empty() {
        return Err(StoreError::Conflict(format!(
            "the escalation policy {} is used by the services {}; choose another policy for \
             them first",
            current.policy.name,
            services.join(", ")
        )));
    }
    let body = json!({ "name": current.policy.name, "version": current.version });
    append(tx, id.0, "escalation_policy.deleted", actor, at, body).await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    Ok(())
}
