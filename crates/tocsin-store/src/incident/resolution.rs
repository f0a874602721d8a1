//! An incident's resolution record (table `incident_resolutions`) and recovery checklist
//! (`incident_recovery_checks`), each change on the timeline (`incident.resolution_recorded`,
//! `incident.recovery_check_added`, `incident.recovery_check_confirmed`,
//! `incident.recovery_check_withdrawn`), and the gate a resolution goes through
//! (`tocsin_domain::incident::resolution::gate`): by hand it is refused, automatically it is held
//! (`incident.resolve_held`).
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::ValidationError;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::resolution::{
    self, CheckKind, CheckState, GateInput, GateRefusal, MAX_DESCRIPTION, MAX_NOTE, MAX_REASONING,
    Strategy,
};
use tocsin_domain::priority::Priority;
use uuid::Uuid;

use super::coordination::require_incident;
use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// How the incident was resolved.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResolutionRecord {
    pub strategy: Strategy,
    pub reasoning: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// One recovery check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecoveryCheck {
    pub id: Uuid,
    pub kind: CheckKind,
    pub description: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<Timestamp>,
    pub confirmation_note: Option<String>,
}

const SELECT_RESOLUTION: &str = "SELECT strategy, reasoning, recorded_by, recorded_at FROM incident_resolutions \
     WHERE incident_id = $1";
type ResolutionRow = (String, String, String, i64);

fn record_of(row: ResolutionRow) -> ResolutionRecord {
    let (strategy, reasoning, recorded_by, recorded_at) = row;
    ResolutionRecord {
        strategy: Strategy::parse(&strategy).unwrap_or(Strategy::Other),
        reasoning,
        recorded_by,
        recorded_at: from_micros(recorded_at),
    }
}

const SELECT_CHECKS: &str = "SELECT id, kind, description, created_by, created_at, confirmed_by, \
    confirmed_at, confirmation_note FROM incident_recovery_checks WHERE incident_id = $1 \
    ORDER BY created_at, id";
type CheckRow = (
    Uuid,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn check_of(row: CheckRow) -> RecoveryCheck {
    let (id, kind, description, created_by, created_at, confirmed_by, confirmed_at, note) = row;
    RecoveryCheck {
        id,
        kind: CheckKind::parse(&kind).unwrap_or(CheckKind::Technical),
        description,
        created_by,
        created_at: from_micros(created_at),
        confirmed_by,
        confirmed_at: confirmed_at.map(from_micros),
        confirmation_note: note,
    }
}

/// The incident's resolution record, if written.
pub async fn resolution(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Option<ResolutionRecord>, StoreError> {
    let row: Option<ResolutionRow> = reader
        .fetch_optional(SELECT_RESOLUTION, crate::args![incident.0])
        .await?;
    Ok(row.map(record_of))
}

/// The incident's recovery checks, oldest first.
pub async fn recovery_checks(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<RecoveryCheck>, StoreError> {
    let rows: Vec<CheckRow> = reader
        .fetch_all(SELECT_CHECKS, crate::args![incident.0])
        .await?;
    Ok(rows.into_iter().map(check_of).collect())
}

fn invalid(error: tocsin_domain::FieldError) -> StoreError {
    StoreError::Invalid(ValidationError(vec![error]))
}

/// Writes (or replaces) the resolution record; the timeline entry carries the previous one.
pub async fn record_resolution(
    tx: &mut Tx,
    incident: IncidentId,
    strategy: Strategy,
    reasoning: &str,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let reasoning =
        resolution::required_text("/reasoning", reasoning, MAX_REASONING).map_err(invalid)?;
    require_incident(tx, incident).await?;
    let previous: Option<ResolutionRow> = tx
        .fetch_optional(SELECT_RESOLUTION, crate::args![incident.0])
        .await?;
    let previous = previous.map(record_of);
    if previous
        .as_ref()
        .is_some_and(|p| p.strategy == strategy && p.reasoning == reasoning)
    {
        return Ok(());
    }
    tx.execute(
        "DELETE FROM incident_resolutions WHERE incident_id = $1",
        crate::args![incident.0],
    )
    .await?;
    tx.execute(
        "INSERT INTO incident_resolutions (incident_id, strategy, reasoning, recorded_by, \
         recorded_at) VALUES ($1, $2, $3, $4, $5)",
        crate::args![
            incident.0,
            strategy.as_str(),
            reasoning.clone(),
            actor,
            to_micros(now)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "strategy": strategy, "reasoning": reasoning,
        "previous": previous.map(|p| serde_json::json!({
            "strategy": p.strategy, "reasoning": p.reasoning,
            "recorded_by": p.recorded_by, "recorded_at": p.recorded_at,
        })),
    });
    tx.append(event(
        incident,
        "incident.resolution_recorded",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(())
}

/// Adds a recovery check (unconfirmed); answers its id.
pub async fn add_recovery_check(
    tx: &mut Tx,
    incident: IncidentId,
    kind: CheckKind,
    description: &str,
    actor: &str,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let description =
        resolution::required_text("/description", description, MAX_DESCRIPTION).map_err(invalid)?;
    require_incident(tx, incident).await?;
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO incident_recovery_checks (id, incident_id, kind, description, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        crate::args![
            id,
            incident.0,
            kind.as_str(),
            description.clone(),
            actor,
            to_micros(now)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "check_id": id, "kind": kind, "description": description,
    });
    tx.append(event(
        incident,
        "incident.recovery_check_added",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(id)
}

async fn check_in_tx(
    tx: &mut Tx,
    incident: IncidentId,
    check: Uuid,
) -> Result<RecoveryCheck, StoreError> {
    let rows: Vec<CheckRow> = tx
        .fetch_all(SELECT_CHECKS, crate::args![incident.0])
        .await?;
    rows.into_iter()
        .map(check_of)
        .find(|c| c.id == check)
        .ok_or(StoreError::NotFound("recovery check"))
}

/// A change to a recovery check's confirmation.
#[derive(Debug, Clone)]
pub enum CheckChange {
    /// Confirmed (who and when are recorded), with an optional note. A confirmed check is refused.
    Confirm { note: Option<String> },
    /// The confirmation withdrawn, for a required reason. An unconfirmed check is refused.
    Withdraw { reason: String },
}

/// Confirms a check or withdraws its confirmation, on the timeline
/// (`incident.recovery_check_confirmed` / `incident.recovery_check_withdrawn`).
pub async fn change_check(
    tx: &mut Tx,
    incident: IncidentId,
    check: Uuid,
    change: CheckChange,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let current = check_in_tx(tx, incident, check).await?;
    let (kind, confirmed, detail) = match &change {
        CheckChange::Confirm { note } => {
            let note =
                resolution::optional_text("/note", note.as_deref(), MAX_NOTE).map_err(invalid)?;
            if let (Some(by), Some(at)) = (&current.confirmed_by, current.confirmed_at) {
                return Err(StoreError::refused(
                    "",
                    format!("the check is already confirmed (by {by} at {at}); withdraw it first"),
                ));
            }
            let detail = serde_json::json!({ "note": note });
            (
                "incident.recovery_check_confirmed",
                Some((actor, note)),
                detail,
            )
        }
        CheckChange::Withdraw { reason } => {
            let reason = resolution::required_text("/reason", reason, MAX_NOTE).map_err(invalid)?;
            if current.confirmed_at.is_none() {
                return Err(StoreError::refused("", "the check is not confirmed"));
            }
            let detail = serde_json::json!({
                "reason": reason, "confirmed_by": current.confirmed_by,
                "confirmed_at": current.confirmed_at,
            });
            ("incident.recovery_check_withdrawn", None, detail)
        }
    };
    let (by, note) = confirmed.unzip();
    tx.execute(
        "UPDATE incident_recovery_checks SET confirmed_by = $2, confirmed_at = $3, \
         confirmation_note = $4 WHERE id = $1",
        crate::args![check, by, by.map(|_| to_micros(now)), note.flatten()],
    )
    .await?;
    let mut payload = serde_json::json!({
        "check_id": check, "kind": current.kind, "description": current.description,
    });
    if let (Some(payload), Some(detail)) = (payload.as_object_mut(), detail.as_object()) {
        payload.extend(detail.clone());
    }
    tx.append(event(incident, kind, actor, now, payload))
        .await?;
    Ok(())
}

/// Whether the incident may resolve now, by hand or on its own (its checks and record read in
/// this transaction).
pub(crate) async fn gate(
    tx: &mut Tx,
    incident: IncidentId,
    by_hand: bool,
) -> Result<Result<(), GateRefusal>, StoreError> {
    let rows: Vec<CheckRow> = tx
        .fetch_all(SELECT_CHECKS, crate::args![incident.0])
        .await?;
    let checks: Vec<RecoveryCheck> = rows.into_iter().map(check_of).collect();
    let row: Option<(Option<i64>, i64, i64)> = tx
        .fetch_optional(
            "SELECT priority, is_major, (SELECT CAST(COUNT(*) AS BIGINT) FROM incident_resolutions r \
             WHERE r.incident_id = incidents.id) FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    let (priority, is_major, records) = row.ok_or(StoreError::NotFound("incident"))?;
    Ok(gate_over(
        &checks,
        records > 0,
        priority.and_then(Priority::from_rank),
        is_major != 0,
        by_hand,
    ))
}

/// The resolution gate over the checks as stored.
pub fn gate_over(
    checks: &[RecoveryCheck],
    has_resolution: bool,
    priority: Option<Priority>,
    is_major: bool,
    by_hand: bool,
) -> Result<(), GateRefusal> {
    let states: Vec<CheckState<'_>> = checks
        .iter()
        .map(|c| CheckState {
            kind: c.kind,
            description: &c.description,
            confirmed: c.confirmed_at.is_some(),
        })
        .collect();
    resolution::gate(&GateInput {
        checks: &states,
        has_resolution,
        priority,
        is_major,
        by_hand,
    })
}

/// Refuses resolving by hand while the gate holds it (409 naming the checks or `/resolution`).
pub(crate) async fn require_gate(tx: &mut Tx, incident: IncidentId) -> Result<(), StoreError> {
    gate(tx, incident, true)
        .await?
        .map_err(|refusal| StoreError::refused(refusal.pointer, refusal.detail))
}

/// The incident would resolve on its own (its alerts resolved) but the gate holds it: it stays
/// open, its scheduled resolution is dropped and the timeline says why. Nobody is paged for it: a
/// triggered or acknowledged incident moves to monitoring (engaged, so escalation stops) and its
/// pending pages are cancelled (`incident.status_changed` records the move).
pub(crate) async fn hold_resolve(
    tx: &mut Tx,
    incident: IncidentId,
    refusal: GateRefusal,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let before: Option<String> = tx
        .scalar_optional(
            "SELECT status FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    let quieted = tx
        .execute(
            "UPDATE incidents SET status = 'monitoring', resolve_due_at = NULL, updated_at = $2 \
             WHERE id = $1 AND status IN ('triggered', 'acknowledged')",
            crate::args![incident.0, to_micros(at)],
        )
        .await?;
    tx.execute(
        "UPDATE incidents SET resolve_due_at = NULL, updated_at = $2 WHERE id = $1",
        crate::args![incident.0, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "pointer": refusal.pointer,
        "status": (quieted > 0).then_some("monitoring"),
        "reason": format!(
            "all of its alerts resolved but it stays open: {}; a responder resolves it once that \
             is done",
            refusal.detail
        ),
    });
    tx.append(event(incident, "incident.resolve_held", actor, at, payload))
        .await?;
    if quieted > 0 {
        // The status change is on the timeline like any other (and marks it mitigated).
        let moved = serde_json::json!({
            "from": before, "to": "monitoring", "reopens": false,
            "reason": "its alerts resolved while its recovery checks or resolution record are pending",
        });
        tx.append(event(incident, "incident.status_changed", actor, at, moved))
            .await?;
        crate::outbox::cancel_pages(tx, incident, at).await?;
        crate::paging::recheck(tx, incident, at).await?;
    }
    Ok(())
}
