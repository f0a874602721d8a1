//! Declaring an incident by hand: numbered like any other, on a service (which pages its policy
//! unless asked not to), with its description, type, visibility, the other services it affects,
//! a parent incident and its first participants.
use jiff::Timestamp;
use tocsin_domain::id::{IncidentId, ServiceId, UserId};
use tocsin_domain::incident::declare::Declaration;
use tocsin_domain::{FieldError, ValidationError};

use super::{event, people};
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// An incident to declare.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub service: ServiceId,
    pub declaration: Declaration,
    /// Services affected besides `service`.
    pub affected_services: Vec<ServiceId>,
    pub parent: Option<IncidentId>,
    /// The declarer (when a person) and whoever else is in from the start.
    pub participants: Vec<UserId>,
    /// Start the service's escalation policy, as an alert would.
    pub page: bool,
}

/// Takes the next incident number (one at a time, also across PostgreSQL nodes).
pub(crate) async fn next_number(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.lock(b"incident-number").await?;
    let (last,): (i64,) = tx
        .fetch_one(
            "SELECT COALESCE(MAX(number), 0) FROM incidents",
            crate::args![],
        )
        .await?;
    Ok(last + 1)
}

async fn exists(tx: &mut Tx, sql: &'static str, id: uuid::Uuid) -> Result<bool, StoreError> {
    Ok(tx
        .fetch_optional::<(i64,)>(sql, crate::args![id])
        .await?
        .is_some())
}

/// Checks the references a declaration makes, naming every one that does not exist.
async fn check_references(tx: &mut Tx, new: &NewIncident) -> Result<(), StoreError> {
    const SERVICE: &str = "SELECT CAST(1 AS BIGINT) FROM services WHERE id = $1";
    const INCIDENT: &str = "SELECT CAST(1 AS BIGINT) FROM incidents WHERE id = $1";
    const USER: &str = "SELECT CAST(1 AS BIGINT) FROM users WHERE id = $1 AND active";
    let mut errors = Vec::new();
    if !exists(tx, SERVICE, new.service.0).await? {
        errors.push(FieldError::new("/service_id", "no such service"));
    }
    for (i, service) in new.affected_services.iter().enumerate() {
        if !exists(tx, SERVICE, service.0).await? {
            errors.push(FieldError::new(
                format!("/affected_service_ids/{i}"),
                "no such service",
            ));
        }
    }
    if let Some(parent) = new.parent
        && !exists(tx, INCIDENT, parent.0).await?
    {
        errors.push(FieldError::new("/parent_id", "no such incident"));
    }
    for (i, user) in new.participants.iter().enumerate() {
        if !exists(tx, USER, user.0).await? {
            errors.push(FieldError::new(
                format!("/participant_ids/{i}"),
                "no such active user",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(ValidationError(errors)))
    }
}

/// Declares the incident; answers its id and number.
pub async fn declare(
    tx: &mut Tx,
    new: NewIncident,
    actor: &str,
    at: Timestamp,
) -> Result<(IncidentId, i64), StoreError> {
    check_references(tx, &new).await?;
    let number = next_number(tx).await?;
    let id = IncidentId::new(at);
    let now = to_micros(at);
    let d = &new.declaration;
    let tags = serde_json::to_string(&d.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO incidents (id, number, service_id, title, severity, status, alert_count, \
         open_alert_count, created_at, updated_at, summary, incident_type, visibility, tags, \
         parent_id, declared_by) \
         VALUES ($1, $2, $3, $4, $5, 'triggered', 0, 0, $6, $6, $7, $8, $9, $10, $11, $12)",
        crate::args![
            id.0,
            number,
            new.service.0,
            d.title.clone(),
            d.severity.as_str(),
            now,
            d.summary.clone(),
            d.incident_type.clone(),
            d.visibility.as_str(),
            tags,
            new.parent.map(|p| p.0),
            actor
        ],
    )
    .await?;
    tx.append_first(event(
        id,
        "incident.declared",
        actor,
        at,
        serde_json::json!({
            "number": number, "service_id": new.service, "title": d.title, "summary": d.summary,
            "severity": d.severity, "incident_type": d.incident_type, "visibility": d.visibility,
            "tags": d.tags, "impact_started_at": d.impact_started_at, "parent_id": new.parent,
            "affected_service_ids": new.affected_services, "page": new.page,
            "reason": format!("declared by {actor}"),
        }),
    ))
    .await?;
    for service in &new.affected_services {
        tx.execute(
            "INSERT INTO incident_services (incident_id, service_id, added_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            crate::args![id.0, service.0, now],
        )
        .await?;
    }
    for user in &new.participants {
        people::add_participant(tx, id, *user, actor, at).await?;
    }
    super::ownership::decide_owner(tx, id, true, actor, at).await?;
    // Its automatic priority (and auto-triage, when on), as for an incident an alert opens.
    crate::classification::on_open(tx, id, new.service, &d.title, d.severity, at).await?;
    if let Some(parent) = new.parent {
        let payload = serde_json::json!({ "child_id": id, "child_number": number });
        tx.append(event(parent, "incident.child_declared", actor, at, payload))
            .await?;
    }
    if new.page {
        crate::paging::start_escalation(tx, id, new.service, None, at).await?;
    }
    Ok((id, number))
}
