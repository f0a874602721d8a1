//! Changing an incident's descriptive fields: title, summary, type, tags, visibility (and the
//! organisation roles that see it when restricted), parent incident and the other services it
//! affects. One timeline entry lists every change with its old and new value.
use jiff::Timestamp;
use tocsin_domain::ValidationError;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::incident::Visibility;
use uuid::Uuid;

use super::event;
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// The changes asked for; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FieldChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub incident_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<Visibility>,
    pub visible_to_roles: Option<Vec<OrgRole>>,
    /// `Some(None)` detaches it from its parent.
    pub parent: Option<Option<IncidentId>>,
    pub affected_services: Option<Vec<ServiceId>>,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Whether making `parent` the parent of `child` would make an incident its own ancestor.
async fn would_cycle(
    tx: &mut Tx,
    child: IncidentId,
    parent: IncidentId,
) -> Result<bool, StoreError> {
    let mut current = Some(parent.0);
    for _ in 0..1000 {
        let Some(id) = current else {
            return Ok(false);
        };
        if id == child.0 {
            return Ok(true);
        }
        let row: Option<(Option<Uuid>,)> = tx
            .fetch_optional(
                "SELECT parent_id FROM incidents WHERE id = $1",
                crate::args![id],
            )
            .await?;
        match row {
            None if id == parent.0 => {
                return Err(StoreError::Invalid(ValidationError::field(
                    "/parent_id",
                    "no such incident",
                )));
            }
            None => return Ok(false),
            Some((next,)) => current = next,
        }
    }
    Ok(true)
}

/// Applies `changes`; answers whether anything changed. A new incident type may start a
/// response plan.
pub async fn update_fields(
    tx: &mut Tx,
    id: IncidentId,
    changes: FieldChanges,
    actor: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let new_type = changes.incident_type.is_some();
    let changed = apply_changes(tx, id, changes, actor, at).await?;
    if changed && new_type {
        super::run_due_response_plans(tx, id, at).await?;
    }
    Ok(changed)
}

/// Applies `changes` (what a response plan changes, too); answers whether anything changed.
pub(super) async fn apply_changes(
    tx: &mut Tx,
    id: IncidentId,
    changes: FieldChanges,
    actor: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    type Row = (String, String, String, String, String, String, Option<Uuid>);
    let (title, summary, kind, tags, visibility, roles, parent): Row = tx
        .fetch_optional(
            "SELECT title, summary, incident_type, tags, visibility, visible_to_roles, parent_id \
             FROM incidents WHERE id = $1",
            crate::args![id.0],
        )
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    let now = to_micros(at);
    let mut changed = serde_json::Map::new();
    let mut record = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changed.insert(
                field.to_owned(),
                serde_json::json!({ "from": from, "to": to }),
            );
            true
        } else {
            false
        }
    };
    // `$shown` turns a column's text into the value the timeline shows (JSON columns parsed).
    macro_rules! set_column {
        ($field:literal, $old:expr, $new:expr, $shown:expr) => {
            if let Some(new) = $new {
                let shown: fn(&str) -> serde_json::Value = $shown;
                if record($field, shown(&$old), shown(&new)) {
                    tx.execute(
                        concat!("UPDATE incidents SET ", $field, " = $2 WHERE id = $1"),
                        crate::args![id.0, new],
                    )
                    .await?;
                }
            }
        };
    }
    let text = |t: &str| serde_json::Value::String(t.to_owned());
    let json = |t: &str| serde_json::from_str(t).unwrap_or(serde_json::Value::Null);
    set_column!("title", title, changes.title, text);
    set_column!("summary", summary, changes.summary, text);
    set_column!("incident_type", kind, changes.incident_type, text);
    let new_tags = changes.tags.as_ref().map(to_json).transpose()?;
    set_column!("tags", tags, new_tags, json);
    let new_visibility = changes.visibility.map(|v| v.as_str().to_owned());
    set_column!("visibility", visibility, new_visibility, text);
    let new_roles = changes.visible_to_roles.as_ref().map(to_json).transpose()?;
    set_column!("visible_to_roles", roles, new_roles, json);
    if let Some(new_parent) = changes.parent {
        if let Some(new_parent) = new_parent
            && would_cycle(tx, id, new_parent).await?
        {
            return Err(StoreError::Invalid(ValidationError::field(
                "/parent_id",
                "an incident cannot be its own ancestor",
            )));
        }
        if record(
            "parent_id",
            serde_json::json!(parent),
            serde_json::json!(new_parent.map(|p| p.0)),
        ) {
            tx.execute(
                "UPDATE incidents SET parent_id = $2 WHERE id = $1",
                crate::args![id.0, new_parent.map(|p| p.0)],
            )
            .await?;
        }
    }
    if let Some(services) = changes.affected_services {
        let old: Vec<Uuid> = tx
            .scalars(
                "SELECT service_id FROM incident_services WHERE incident_id = $1 ORDER BY service_id",
                crate::args![id.0],
            )
            .await?;
        let mut new: Vec<Uuid> = services.iter().map(|s| s.0).collect();
        new.sort();
        new.dedup();
        for (i, service) in new.iter().enumerate() {
            let known: Option<i64> = tx
                .scalar_optional(
                    "SELECT CAST(1 AS BIGINT) FROM services WHERE id = $1",
                    crate::args![*service],
                )
                .await?;
            if known.is_none() {
                return Err(StoreError::Invalid(ValidationError::field(
                    format!("/affected_service_ids/{i}"),
                    "no such service",
                )));
            }
        }
        if record(
            "affected_service_ids",
            serde_json::json!(old),
            serde_json::json!(new),
        ) {
            tx.execute(
                "DELETE FROM incident_services WHERE incident_id = $1",
                crate::args![id.0],
            )
            .await?;
            for service in new {
                tx.execute(
                    "INSERT INTO incident_services (incident_id, service_id, added_at) VALUES ($1, $2, $3)",
                    crate::args![id.0, service, now],
                )
                .await?;
            }
        }
    }
    if changed.is_empty() {
        return Ok(false);
    }
    tx.execute(
        "UPDATE incidents SET updated_at = $2 WHERE id = $1",
        crate::args![id.0, now],
    )
    .await?;
    let payload = serde_json::json!({ "changes": changed });
    tx.append(event(id, "incident.updated", actor, at, payload))
        .await?;
    if changed.contains_key("affected_service_ids") {
        super::ownership::decide_owner(tx, id, false, actor, at).await?;
    }
    Ok(true)
}
