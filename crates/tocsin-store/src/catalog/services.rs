//! Services: what the catalog is about. Each has an optional owning team, a criticality tier, a
//! runbook, tags, and dependencies on other services that form a directed acyclic graph.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tocsin_domain::id::{EscalationPolicyId, ServiceId, TeamId};
use tocsin_domain::values::{Description, HttpUrl, Name, Tag, Tier};

use super::graph::{check_no_cycle, check_references, dedupe};
use super::service_reads::load;
use super::{check_version, payload, unique_as};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

/// A service as the catalog shows it; tags are sorted, dependencies are in id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub id: ServiceId,
    pub name: Name,
    pub description: Description,
    pub team_id: Option<TeamId>,
    pub tier: Tier,
    pub runbook_url: Option<HttpUrl>,
    pub tags: Vec<Tag>,
    pub depends_on: Vec<ServiceId>,
    /// The default escalation policy (set through `escalation::set_service_policy`).
    pub escalation_policy_id: Option<EscalationPolicyId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub name: Name,
    pub description: Description,
    pub team_id: Option<TeamId>,
    pub tier: Tier,
    pub runbook_url: Option<HttpUrl>,
    pub tags: Vec<Tag>,
    pub depends_on: Vec<ServiceId>,
}

/// A change to a service; `None` leaves the field as it is. `Some(None)` clears an optional
/// field; `tags` and `depends_on` replace the whole set.
#[derive(Debug, Clone, Default)]
pub struct ServicePatch {
    pub name: Option<Name>,
    pub description: Option<Description>,
    pub team_id: Option<Option<TeamId>>,
    pub tier: Option<Tier>,
    pub runbook_url: Option<Option<HttpUrl>>,
    pub tags: Option<Vec<Tag>>,
    pub depends_on: Option<Vec<ServiceId>>,
}

const INSERT: &str = "INSERT INTO services \
    (id, name, name_key, description, team_id, tier, runbook_url, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)";
const UPDATE: &str = "UPDATE services SET name = $3, name_key = $4, description = $5, team_id = $6, tier = $7, \
    runbook_url = $8, version = version + 1, updated_at = $9 WHERE id = $1 AND version = $2";
const CLEAR_TAGS: &str = "DELETE FROM service_tags WHERE service_id = $1";
const INSERT_TAG: &str = "INSERT INTO service_tags (service_id, tag) VALUES ($1, $2)";
const CLEAR_DEPS: &str = "DELETE FROM service_dependencies WHERE service_id = $1";
const INSERT_DEP: &str =
    "INSERT INTO service_dependencies (service_id, depends_on_id) VALUES ($1, $2)";
const DEPENDENTS: &str = "SELECT s.name FROM service_dependencies d JOIN services s ON s.id = d.service_id \
    WHERE d.depends_on_id = $1 ORDER BY s.name";
const DELETE: &str = "DELETE FROM services WHERE id = $1";

fn name_taken(name: &Name) -> impl FnOnce() -> String + '_ {
    move || format!("a service named {name} already exists")
}

fn sorted_tags(tags: Vec<Tag>) -> Vec<Tag> {
    let mut tags = tags;
    tags.sort();
    tags.dedup();
    tags
}

async fn write_tags(tx: &mut Tx, id: ServiceId, tags: &[Tag]) -> Result<(), StoreError> {
    tx.execute(CLEAR_TAGS, crate::args![id.0]).await?;
    for tag in tags {
        tx.execute(INSERT_TAG, crate::args![id.0, tag.as_str()])
            .await?;
    }
    Ok(())
}

async fn write_deps(tx: &mut Tx, id: ServiceId, deps: &[ServiceId]) -> Result<(), StoreError> {
    tx.execute(CLEAR_DEPS, crate::args![id.0]).await?;
    for dep in deps {
        tx.execute(INSERT_DEP, crate::args![id.0, dep.0]).await?;
    }
    Ok(())
}

/// Creates a service and appends `service.created`. A new service cannot close a cycle (nothing
/// depends on it yet), so only its references are checked.
pub async fn create_service(
    tx: &mut Tx,
    new: NewService,
    actor: &str,
    at: Timestamp,
) -> Result<Service, StoreError> {
    check_references(tx, new.team_id, Some(&new.depends_on)).await?;
    let mut depends_on = dedupe(&new.depends_on);
    depends_on.sort();
    let service = Service {
        id: ServiceId::new(at),
        name: new.name,
        description: new.description,
        team_id: new.team_id,
        tier: new.tier,
        runbook_url: new.runbook_url,
        tags: sorted_tags(new.tags),
        depends_on,
        escalation_policy_id: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                service.id.0,
                service.name.as_str(),
                super::teams::name_key(&service.name),
                service.description.as_str(),
                service.team_id.map(|t| t.0),
                i64::from(service.tier),
                service.runbook_url.as_ref().map(HttpUrl::as_str),
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, name_taken(&service.name))?;
    write_tags(tx, service.id, &service.tags).await?;
    write_deps(tx, service.id, &service.depends_on).await?;
    tx.append(NewEvent::new(
        "service",
        service.id.0,
        "service.created",
        actor,
        at,
        payload(&service)?,
    ))
    .await?;
    Ok(service)
}

/// The fields `patch` changes, as an event payload (empty when nothing changes).
fn changes(current: &Service, patch: &ServicePatch) -> Map<String, Value> {
    let mut changed = Map::new();
    let mut note = |field: &str, differs: bool, value: Value| {
        if differs {
            changed.insert(field.to_owned(), value);
        }
    };
    if let Some(v) = &patch.name {
        note("name", *v != current.name, json!(v));
    }
    if let Some(v) = &patch.description {
        note("description", *v != current.description, json!(v));
    }
    if let Some(v) = &patch.team_id {
        note("team_id", *v != current.team_id, json!(v));
    }
    if let Some(v) = &patch.tier {
        note("tier", *v != current.tier, json!(v));
    }
    if let Some(v) = &patch.runbook_url {
        note("runbook_url", *v != current.runbook_url, json!(v));
    }
    if let Some(v) = &patch.tags {
        note("tags", *v != current.tags, json!(v));
    }
    if let Some(v) = &patch.depends_on {
        note("depends_on", *v != current.depends_on, json!(v));
    }
    changed
}

/// Applies `patch` (If-Match via `expected_version`) and appends `service.updated` with the
/// changed fields. A patch that changes nothing returns the service as is.
pub async fn update_service(
    tx: &mut Tx,
    id: ServiceId,
    patch: ServicePatch,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<Service, StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    check_references(tx, patch.team_id.flatten(), patch.depends_on.as_deref()).await?;
    let mut patch = patch;
    patch.tags = patch.tags.map(sorted_tags);
    patch.depends_on = patch.depends_on.map(|deps| {
        let mut deps = dedupe(&deps);
        deps.sort();
        deps
    });
    let changed = changes(&current, &patch);
    if changed.is_empty() {
        return Ok(current);
    }
    if let Some(deps) = patch
        .depends_on
        .as_ref()
        .filter(|d| **d != current.depends_on)
    {
        check_no_cycle(tx, id, deps).await?;
    }
    let next = Service {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.unwrap_or(current.description),
        team_id: patch.team_id.unwrap_or(current.team_id),
        tier: patch.tier.unwrap_or(current.tier),
        runbook_url: patch.runbook_url.unwrap_or(current.runbook_url),
        tags: patch.tags.unwrap_or(current.tags),
        depends_on: patch.depends_on.unwrap_or(current.depends_on),
        version: current.version + 1,
        updated_at: at,
        ..current
    };
    let updated = tx
        .execute(
            UPDATE,
            crate::args![
                id.0,
                current.version,
                next.name.as_str(),
                super::teams::name_key(&next.name),
                next.description.as_str(),
                next.team_id.map(|t| t.0),
                i64::from(next.tier),
                next.runbook_url.as_ref().map(HttpUrl::as_str),
                to_micros(at)
            ],
        )
        .await;
    if unique_as(updated, name_taken(&next.name))? == 0 {
        return Err(StoreError::StaleVersion {
            current: load(tx, id).await?.version,
        });
    }
    if changed.contains_key("tags") {
        write_tags(tx, id, &next.tags).await?;
    }
    if changed.contains_key("depends_on") {
        write_deps(tx, id, &next.depends_on).await?;
    }
    tx.append(NewEvent::new(
        "service",
        id.0,
        "service.updated",
        actor,
        at,
        Value::Object(changed),
    ))
    .await?;
    Ok(next)
}

/// Deletes a service nothing depends on: appends `service.deleted`, then removes the projection
/// rows (its tags, dependencies and integration keys go with it).
pub async fn delete_service(
    tx: &mut Tx,
    id: ServiceId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let dependents: Vec<String> = tx.scalars(DEPENDENTS, crate::args![id.0]).await?;
    if !dependents.is_empty() {
        return Err(StoreError::Conflict(format!(
            "service {} is a dependency of {}; remove those dependencies first",
            current.name,
            dependents.join(", ")
        )));
    }
    let body = json!({ "name": current.name, "version": current.version });
    tx.append(NewEvent::new(
        "service",
        id.0,
        "service.deleted",
        actor,
        at,
        body,
    ))
    .await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    Ok(())
}
