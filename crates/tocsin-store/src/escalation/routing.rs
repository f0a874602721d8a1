//! A service's escalation: its default policy and its ordered routing rules, and choosing the
//! policy for an alert (the first rule that matches, else the default).
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::alerting::{FieldMap, Severity};
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::escalation::{
    ChosenPolicy, EscalationPolicy, RoutingRule, RoutingRules, choose_policy,
};
use tocsin_domain::id::{EscalationPolicyId, ServiceId};
use uuid::Uuid;

use super::reads::load;
use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

const SERVICE_POLICY: &str = "SELECT escalation_policy_id FROM services WHERE id = $1";
const SET_POLICY: &str = "UPDATE services SET escalation_policy_id = $2, version = version + 1, \
    updated_at = $3 WHERE id = $1";
const POLICY_EXISTS: &str = "SELECT COUNT(*) FROM escalation_policies WHERE id = $1";
const ROUTES: &str =
    "SELECT definition FROM escalation_routes WHERE service_id = $1 ORDER BY position";
const ROUTES_VERSION: &str = "SELECT routes_version FROM services WHERE id = $1";
const BUMP_ROUTES_VERSION: &str = "UPDATE services SET routes_version = routes_version + 1 \
    WHERE id = $1 RETURNING routes_version";
const CLEAR_ROUTES: &str = "DELETE FROM escalation_routes WHERE service_id = $1";
const SERVICES_USING: &str = "SELECT id, name FROM services WHERE escalation_policy_id = $1 \
    OR id IN (SELECT service_id FROM escalation_routes WHERE policy_id = $1) ORDER BY name_key LIMIT $2";
const INSERT_ROUTE: &str = "INSERT INTO escalation_routes (service_id, position, definition, policy_id) \
    VALUES ($1, $2, $3, $4)";

fn parse_rules(rows: Vec<String>) -> Result<RoutingRules, StoreError> {
    let rules = rows
        .iter()
        .map(|row| serde_json::from_str(row).map_err(|e| corrupt("routing rule", e)))
        .collect::<Result<Vec<RoutingRule>, StoreError>>()?;
    Ok(RoutingRules { rules })
}

/// Refuses a policy that does not exist, under `pointer`.
async fn check_policy(
    tx: &mut Tx,
    problems: &mut Collector,
    pointer: &str,
    policy: EscalationPolicyId,
) -> Result<(), StoreError> {
    let found: i64 = tx.scalar(POLICY_EXISTS, crate::args![policy.0]).await?;
    if found == 0 {
        let detail = format!("no escalation policy has the id {policy}");
        problems.push(FieldError::new(pointer, detail));
    }
    Ok(())
}

/// Whether an incident of `service` can page anyone: it has a default policy or routing rules.
pub(crate) async fn service_escalates(tx: &mut Tx, service: ServiceId) -> Result<bool, StoreError> {
    let found: i64 = tx
        .scalar(
            "SELECT COUNT(*) FROM services s WHERE s.id = $1 AND (s.escalation_policy_id IS NOT NULL \
             OR EXISTS (SELECT 1 FROM escalation_routes r WHERE r.service_id = s.id))",
            crate::args![service.0],
        )
        .await?;
    Ok(found > 0)
}

/// The service's default policy, read inside a write (`NotFound` for an unknown service).
async fn default_policy(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<Option<EscalationPolicyId>, StoreError> {
    let row: Option<Option<Uuid>> = tx
        .scalar_optional(SERVICE_POLICY, crate::args![service.0])
        .await?;
    let policy = row.ok_or(StoreError::NotFound("service"))?;
    Ok(policy.map(EscalationPolicyId))
}

/// Sets (or with `None` clears) the service's default policy: bumps the service's version and
/// appends `service.escalation_policy_set`.
pub async fn set_service_policy(
    tx: &mut Tx,
    service: ServiceId,
    policy: Option<EscalationPolicyId>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    default_policy(tx, service).await?;
    if let Some(policy) = policy {
        let mut problems = Collector::default();
        check_policy(tx, &mut problems, "/policy_id", policy).await?;
        problems.finish()?;
    }
    let args = crate::args![service.0, policy.map(|p| p.0), to_micros(at)];
    tx.execute(SET_POLICY, args).await?;
    let body = json!({ "policy_id": policy });
    let event = "service.escalation_policy_set";
    tx.append(NewEvent::new("service", service.0, event, actor, at, body))
        .await?;
    Ok(())
}

/// The service's routing rules, in order, and their version (0 until first written);
/// `NotFound` for an unknown service.
pub async fn get_routes(
    reader: Reader<'_>,
    service: ServiceId,
) -> Result<(RoutingRules, i64), StoreError> {
    let version: Option<i64> = reader
        .scalar_optional(ROUTES_VERSION, crate::args![service.0])
        .await?;
    let version = version.ok_or(StoreError::NotFound("service"))?;
    let rules = parse_rules(reader.scalars(ROUTES, crate::args![service.0]).await?)?;
    Ok((rules, version))
}

/// Replaces the service's routing rules (every policy named must exist), raises their version
/// and appends `service.escalation_routes_set`; answers them with the new version. With
/// `expected`, routes at another version are `StaleVersion` (nothing changes).
pub async fn put_routes(
    tx: &mut Tx,
    service: ServiceId,
    routes: RoutingRules,
    expected: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(RoutingRules, i64), StoreError> {
    // Raising the version first locks the service row on PostgreSQL: concurrent writers queue.
    let version: Option<i64> = tx
        .scalar_optional(BUMP_ROUTES_VERSION, crate::args![service.0])
        .await?;
    let version = version.ok_or(StoreError::NotFound("service"))?;
    crate::catalog::check_version(expected, version - 1)?;
    let mut problems = Collector::default();
    for (index, rule) in routes.rules.iter().enumerate() {
        let pointer = format!("/rules/{index}/policy_id");
        check_policy(tx, &mut problems, &pointer, rule.policy_id).await?;
    }
    problems.finish()?;
    tx.execute(CLEAR_ROUTES, crate::args![service.0]).await?;
    for (position, rule) in routes.rules.iter().enumerate() {
        let definition = serde_json::to_string(rule)
            .map_err(|e| StoreError::Corrupt(format!("routing rule not serialisable: {e}")))?;
        let args = crate::args![service.0, position, definition, rule.policy_id.0];
        tx.execute(INSERT_ROUTE, args).await?;
    }
    let body = serde_json::to_value(&routes).map_err(|e| corrupt("routing rules", e))?;
    let event = "service.escalation_routes_set";
    tx.append(NewEvent::new("service", service.0, event, actor, at, body))
        .await?;
    Ok((routes, version))
}

/// The policy for an alert of `service` with `fields` and `severity` at `at`: the first routing
/// rule that matches, else the service's default; `None` when neither gives one.
pub async fn policy_for_alert(
    tx: &mut Tx,
    service: ServiceId,
    fields: &FieldMap,
    severity: Severity,
    at: Timestamp,
) -> Result<Option<(ChosenPolicy, EscalationPolicy)>, StoreError> {
    let default = default_policy(tx, service).await?;
    let routes = parse_rules(tx.scalars(ROUTES, crate::args![service.0]).await?)?;
    let Some(chosen) = choose_policy(default, &routes.rules, fields, severity, at) else {
        return Ok(None);
    };
    let policy = load(tx, chosen.policy_id).await?.policy;
    Ok(Some((chosen, policy)))
}

/// The service's default policy alone (when the alert's fields are not at hand).
pub async fn policy_for_service(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<Option<(ChosenPolicy, EscalationPolicy)>, StoreError> {
    let Some(policy_id) = default_policy(tx, service).await? else {
        return Ok(None);
    };
    let policy = load(tx, policy_id).await?.policy;
    let reason = "service default".to_owned();
    Ok(Some((ChosenPolicy { policy_id, reason }, policy)))
}

/// The services (id, name; by name, at most `limit`) that use `policy`: as their default or in a
/// routing rule.
pub async fn services_using_policy(
    reader: Reader<'_>,
    policy: EscalationPolicyId,
    limit: i64,
) -> Result<Vec<(ServiceId, String)>, StoreError> {
    let rows: Vec<(Uuid, String)> = reader
        .fetch_all(SERVICES_USING, crate::args![policy.0, limit])
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (ServiceId(id), name))
        .collect())
}
