//! Recording an obligation's filing: when it was filed, the authority's reference, who filed it
//! and who approved it (an active user other than the filer: four eyes). The obligation stops
//! reminding, and its regulatory notifications still pending are cancelled. One write: the
//! obligation, `regulatory.filed`, and `notification.canceled` when any were pending.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::{IncidentId, RegulatoryObligationId, UserId};
use tocsin_domain::regulatory::Status;

use super::reads::{OBLIGATION, ObligationRow};
use super::{Obligation, step_prefix};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::schedule::check_user;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

const FILE: &str = "UPDATE regulatory_obligations SET status = 'filed', filed_at = $2, \
    filed_by = $3, approved_by = $4, reference = $5, next_stage_at = NULL, updated_at = $6 \
    WHERE id = $1 AND status = 'open'";
const CANCEL: &str = "UPDATE notification_outbox SET state = 'canceled', updated_at = $3 \
    WHERE incident_id = $1 AND state = 'pending' AND step_key LIKE $2";

/// A filing as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub filed_at: Timestamp,
    /// The authority's reference (a case number, an accession number).
    pub reference: String,
    pub approved_by: UserId,
}

async fn load(tx: &mut Tx, id: RegulatoryObligationId) -> Result<Option<Obligation>, StoreError> {
    let row: Option<ObligationRow> = tx.fetch_optional(OBLIGATION, crate::args![id.0]).await?;
    row.map(Obligation::try_from).transpose()
}

/// Records that `filer` filed obligation `id` of `incident`; 404 when the incident has no such
/// obligation, 409 when it is not open, 422 (naming the field) for a filing in the future or an
/// approver who is missing, deactivated or the filer.
pub async fn file(
    tx: &mut Tx,
    incident: IncidentId,
    id: RegulatoryObligationId,
    filing: Filing,
    filer: UserId,
    actor: &str,
    at: Timestamp,
) -> Result<Obligation, StoreError> {
    let obligation = load(tx, id)
        .await?
        .filter(|found| found.incident_id == incident)
        .ok_or(StoreError::NotFound("regulatory obligation"))?;
    if obligation.status != Status::Open {
        return Err(StoreError::Conflict(format!(
            "the obligation is {}, not open",
            obligation.status.as_str()
        )));
    }
    let mut problems = Collector::default();
    if filing.filed_at > at {
        problems.push(FieldError::new("/filed_at", "must not be in the future"));
    }
    if filing.approved_by == filer {
        problems.push(FieldError::new(
            "/approver_user_id",
            "must be someone other than the person recording the filing",
        ));
    } else {
        check_user(tx, &mut problems, "/approver_user_id", filing.approved_by).await?;
    }
    problems.finish().map_err(StoreError::Invalid)?;
    let filed_at = from_micros(to_micros(filing.filed_at));
    let args = crate::args![
        id.0,
        to_micros(filed_at),
        filer.0,
        filing.approved_by.0,
        filing.reference.as_str(),
        to_micros(at)
    ];
    if tx.execute(FILE, args).await? == 0 {
        return Err(StoreError::Conflict("the obligation is not open".into()));
    }
    let payload = json!({
        "obligation_id": id, "regime": obligation.regime, "obligation": obligation.obligation,
        "filed_at": filed_at, "filed_by": filer, "approved_by": filing.approved_by,
        "reference": filing.reference, "due_at": obligation.due_at,
        "on_time": filed_at <= obligation.due_at,
    });
    tx.append(NewEvent::new(
        "incident",
        incident.0,
        "regulatory.filed",
        actor,
        at,
        payload,
    ))
    .await?;
    let pattern = format!("{}%", step_prefix(id));
    let canceled = tx
        .execute(
            CANCEL,
            crate::args![incident.0, pattern.as_str(), to_micros(at)],
        )
        .await?;
    if canceled > 0 {
        let payload = json!({ "canceled": canceled, "obligation_id": id,
            "reason": "the obligation was filed: its pending reminders are not sent" });
        tx.append(NewEvent::new(
            "incident",
            incident.0,
            "notification.canceled",
            actor,
            at,
            payload,
        ))
        .await?;
    }
    load(tx, id)
        .await?
        .ok_or(StoreError::NotFound("regulatory obligation"))
}
