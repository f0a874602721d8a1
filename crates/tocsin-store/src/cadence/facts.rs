//! An incident's cadence facts as stored, read the same way inside a write (the worker) and from
//! a reader (the API): the incident's opening, status and priority, its projected priority
//! changes and status updates, its delay justifications and its cadence state.
use jiff::Timestamp;
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::escalation_window::{Escalated, Justification};
use tocsin_domain::priority::Priority;
use uuid::Uuid;

use crate::error::StoreError;
use crate::time::from_micros;

pub(super) const INCIDENT: &str = "SELECT created_at, status, priority, COALESCE(resolved_at, closed_at, updated_at) \
     FROM incidents WHERE id = $1";
pub(super) const FACTS: &str = "SELECT kind, at, priority FROM incident_cadence_facts \
    WHERE incident_id = $1 ORDER BY at, position";
pub(super) const JUSTIFICATIONS: &str = "SELECT id, reason, from_at, until_at, created_by \
    FROM incident_delay_justifications WHERE incident_id = $1 ORDER BY from_at, id";
pub(super) const STATE: &str = "SELECT reminded_due, missed_due, escalated_level, escalated_at, \
    version FROM incident_cadence WHERE incident_id = $1";

pub(super) type IncidentRow = (i64, String, Option<i64>, i64);
pub(super) type FactRow = (String, i64, Option<i64>);
pub(super) type JustificationRow = (Uuid, String, i64, i64, String);
pub(super) type StateRow = (i64, i64, i64, Option<i64>, i64);

/// Reads an incident's rows with `$exec` (a `&mut Tx` or a `Reader`) into [`Raw`].
macro_rules! load_raw {
    ($exec:expr, $id:expr) => {{
        let id: ::uuid::Uuid = $id;
        let incident: Option<$crate::cadence::facts::IncidentRow> = $exec
            .fetch_optional($crate::cadence::facts::INCIDENT, $crate::args![id])
            .await?;
        let facts: Vec<$crate::cadence::facts::FactRow> = $exec
            .fetch_all($crate::cadence::facts::FACTS, $crate::args![id])
            .await?;
        let justifications: Vec<$crate::cadence::facts::JustificationRow> = $exec
            .fetch_all($crate::cadence::facts::JUSTIFICATIONS, $crate::args![id])
            .await?;
        let state: Option<$crate::cadence::facts::StateRow> = $exec
            .fetch_optional($crate::cadence::facts::STATE, $crate::args![id])
            .await?;
        $crate::cadence::facts::Raw {
            incident,
            facts,
            justifications,
            state,
        }
    }};
}
pub(super) use load_raw;

/// The rows read.
pub(super) struct Raw {
    pub incident: Option<IncidentRow>,
    pub facts: Vec<FactRow>,
    pub justifications: Vec<JustificationRow>,
    pub state: Option<StateRow>,
}

/// A recorded delay justification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJustification {
    pub id: Uuid,
    pub reason: String,
    pub from: Timestamp,
    pub until: Timestamp,
    pub created_by: String,
}

/// What the engine acted on so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Acted {
    pub reminded_due: i64,
    pub missed_due: i64,
    pub escalated: Escalated,
    pub version: i64,
}

/// An incident's facts, decoded.
#[derive(Clone)]
pub(super) struct Facts {
    pub opened_at: Timestamp,
    pub status: IncidentStatus,
    /// When it resolved or closed (else its last change), for an incident no longer open.
    pub ended_at: Timestamp,
    pub priority: Option<Priority>,
    pub priorities: Vec<(Timestamp, Option<Priority>)>,
    pub updates: Vec<Timestamp>,
    pub justifications: Vec<StoredJustification>,
    pub acted: Acted,
}

impl Facts {
    pub fn windows(&self) -> Vec<Justification> {
        self.justifications
            .iter()
            .map(|j| Justification {
                from: j.from,
                until: j.until,
            })
            .collect()
    }
}

fn priority(rank: Option<i64>) -> Option<Priority> {
    rank.and_then(Priority::from_rank)
}

impl Raw {
    /// Decodes the rows; `NotFound` without the incident. With no priority change projected
    /// yet, the incident's priority counts from its opening.
    pub fn decode(self) -> Result<Facts, StoreError> {
        let (opened, status, current, ended) =
            self.incident.ok_or(StoreError::NotFound("incident"))?;
        let status = IncidentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("incident status {status}")))?;
        let opened_at = from_micros(opened);
        let mut priorities = Vec::new();
        let mut updates = Vec::new();
        for (kind, at, rank) in self.facts {
            match kind.as_str() {
                "priority" => priorities.push((from_micros(at), priority(rank))),
                "update" => updates.push(from_micros(at)),
                _ => {}
            }
        }
        if priorities.is_empty() && current.is_some() {
            priorities.push((opened_at, priority(current)));
        }
        let justifications = self
            .justifications
            .into_iter()
            .map(
                |(id, reason, from, until, created_by)| StoredJustification {
                    id,
                    reason,
                    from: from_micros(from),
                    until: from_micros(until),
                    created_by,
                },
            )
            .collect();
        let acted = self.state.map_or_else(Acted::default, |state| {
            let (reminded_due, missed_due, level, escalated_at, version) = state;
            Acted {
                reminded_due,
                missed_due,
                escalated: Escalated {
                    done: usize::try_from(level).unwrap_or_default(),
                    last_at: escalated_at.map(from_micros),
                },
                version,
            }
        });
        Ok(Facts {
            opened_at,
            status,
            ended_at: from_micros(ended),
            priority: priority(current),
            priorities,
            updates,
            justifications,
            acted,
        })
    }
}
