//! Reading an incident's regulatory profile and obligations, and the obligation a queued
//! regulatory notification is about.
use tocsin_domain::delivery::RegulatorySummary;
use tocsin_domain::id::{IncidentId, RegulatoryObligationId, UserId};
use tocsin_domain::regulatory::{Exposure, Regime, StartEvent, StartInstants, Status, regime};
use uuid::Uuid;

use super::{Obligation, Profile, StoredProfile};
use crate::Reader;
use crate::error::StoreError;
use crate::time::from_micros;
use crate::tx::Tx;

pub(super) const PROFILE: &str = "SELECT incident_id, exposure, jurisdictions, owner_user_id, \
    escalation_user_id, escalation_margin_minutes, awareness_at, discovered_at, \
    materiality_determined_at, classified_at, version, updated_at FROM regulatory_profiles \
    WHERE incident_id = $1";

/// An obligation's columns, in `ObligationRow` order.
macro_rules! columns {
    () => {
        "id, incident_id, regime, obligation, start_event, started_at, due_at, owner_user_id, \
         status, stages_done, next_stage_at, filed_at, filed_by, approved_by, reference"
    };
}

pub(super) const OBLIGATIONS: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM regulatory_obligations WHERE incident_id = $1 ORDER BY started_at, regime, obligation"
);
pub(super) const OBLIGATION: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM regulatory_obligations WHERE id = $1"
);
pub(super) const DUE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM regulatory_obligations WHERE status = 'open' AND next_stage_at <= $1 \
     ORDER BY next_stage_at LIMIT $2"
);

crate::sql_row! {
    pub(super) struct ProfileRow {
        incident_id: Uuid, exposure: String, jurisdictions: String, owner_user_id: Uuid,
        escalation_user_id: Option<Uuid>, escalation_margin_minutes: Option<i64>,
        awareness_at: i64, discovered_at: Option<i64>, materiality_determined_at: Option<i64>,
        classified_at: Option<i64>, version: i64, updated_at: i64
    }
}

crate::sql_row! {
    pub(super) struct ObligationRow {
        id: Uuid, incident_id: Uuid, regime: String, obligation: String, start_event: String,
        started_at: i64, due_at: i64, owner_user_id: Uuid, status: String, stages_done: i64,
        next_stage_at: Option<i64>, filed_at: Option<i64>, filed_by: Option<Uuid>,
        approved_by: Option<Uuid>, reference: Option<String>
    }
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("regulatory {what}: {detail}"))
}

impl TryFrom<ProfileRow> for StoredProfile {
    type Error = StoreError;

    fn try_from(row: ProfileRow) -> Result<Self, StoreError> {
        let exposure: Exposure =
            serde_json::from_str(&row.exposure).map_err(|e| corrupt("exposure", e))?;
        let jurisdictions: Vec<String> =
            serde_json::from_str(&row.jurisdictions).map_err(|e| corrupt("jurisdictions", e))?;
        Ok(StoredProfile {
            incident_id: IncidentId(row.incident_id),
            profile: Profile {
                exposure,
                jurisdictions,
                owner_user_id: UserId(row.owner_user_id),
                escalation_user_id: row.escalation_user_id.map(UserId),
                escalation_margin_minutes: row.escalation_margin_minutes,
                starts: StartInstants {
                    awareness_at: Some(from_micros(row.awareness_at)),
                    discovered_at: row.discovered_at.map(from_micros),
                    materiality_determined_at: row.materiality_determined_at.map(from_micros),
                    classified_at: row.classified_at.map(from_micros),
                },
            },
            version: row.version,
            updated_at: from_micros(row.updated_at),
        })
    }
}

impl TryFrom<ObligationRow> for Obligation {
    type Error = StoreError;

    fn try_from(row: ObligationRow) -> Result<Self, StoreError> {
        Ok(Obligation {
            id: RegulatoryObligationId(row.id),
            incident_id: IncidentId(row.incident_id),
            regime: Regime::parse(&row.regime).ok_or_else(|| corrupt("regime", &row.regime))?,
            obligation: row.obligation,
            start_event: StartEvent::parse(&row.start_event)
                .ok_or_else(|| corrupt("start event", &row.start_event))?,
            started_at: from_micros(row.started_at),
            due_at: from_micros(row.due_at),
            owner_user_id: UserId(row.owner_user_id),
            status: Status::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
            stages_done: usize::try_from(row.stages_done).unwrap_or_default(),
            next_stage_at: row.next_stage_at.map(from_micros),
            filed_at: row.filed_at.map(from_micros),
            filed_by: row.filed_by.map(UserId),
            approved_by: row.approved_by.map(UserId),
            reference: row.reference,
        })
    }
}

pub(super) fn obligations_of(rows: Vec<ObligationRow>) -> Result<Vec<Obligation>, StoreError> {
    rows.into_iter().map(Obligation::try_from).collect()
}

/// The incident's regulatory profile, if one was set.
pub async fn get_profile(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Option<StoredProfile>, StoreError> {
    let row: Option<ProfileRow> = reader
        .fetch_optional(PROFILE, crate::args![incident.0])
        .await?;
    row.map(StoredProfile::try_from).transpose()
}

/// The same, inside a write.
pub(super) async fn profile_in(
    tx: &mut Tx,
    incident: IncidentId,
) -> Result<Option<StoredProfile>, StoreError> {
    let row: Option<ProfileRow> = tx.fetch_optional(PROFILE, crate::args![incident.0]).await?;
    row.map(StoredProfile::try_from).transpose()
}

/// The incident's obligations whose clocks started, oldest start first.
pub async fn get_obligations(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<Obligation>, StoreError> {
    obligations_of(
        reader
            .fetch_all(OBLIGATIONS, crate::args![incident.0])
            .await?,
    )
}

/// What a queued regulatory notification (`notification_id`, an outbox row) is about; none
/// when the row is not a regulatory notification.
pub async fn notice_summary(
    reader: Reader<'_>,
    notification_id: Uuid,
) -> Result<Option<RegulatorySummary>, StoreError> {
    let step: Option<String> = reader
        .scalar_optional(
            "SELECT step_key FROM notification_outbox WHERE id = $1",
            crate::args![notification_id],
        )
        .await?;
    let Some((id, stage)) = step.as_deref().and_then(|step| {
        let mut parts = step.strip_prefix("regulatory:")?.splitn(2, ':');
        let id: Uuid = parts.next()?.parse().ok()?;
        Some((id, parts.next()?.to_owned()))
    }) else {
        return Ok(None);
    };
    let row: Option<ObligationRow> = reader.fetch_optional(OBLIGATION, crate::args![id]).await?;
    let Some(obligation) = row.map(Obligation::try_from).transpose()? else {
        return Ok(None);
    };
    let title = regime::spec(obligation.regime, &obligation.obligation).map_or_else(
        || obligation.obligation.clone(),
        |spec| spec.title.to_owned(),
    );
    Ok(Some(RegulatorySummary {
        obligation_id: obligation.id.to_string(),
        regime: obligation.regime.as_str().to_owned(),
        regime_title: obligation.regime.title().to_owned(),
        obligation: obligation.obligation,
        title,
        due_at: obligation.due_at,
        stage,
    }))
}
