//! An incident's cadence and management escalation state now: the interval in force, the last
//! update, the next due instant and its reminder, every update's compliance, the missed
//! intervals, and the escalation window with its next level and the justification holding.
use jiff::Timestamp;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::cadence::{Cadence, CadenceFacts, CadencePolicy, cadence};
use tocsin_domain::incident::escalation_window::{NextEscalation, holding, next_escalation};
use tocsin_domain::priority::Priority;

use super::cadence_policy;
pub use super::facts::StoredJustification as JustificationView;
use super::facts::{Facts, load_raw};
use crate::Reader;
use crate::error::StoreError;

/// The management escalation side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationView {
    pub window_minutes: Option<i64>,
    /// Levels escalated to so far.
    pub levels_escalated: usize,
    pub last_escalated_at: Option<Timestamp>,
    /// The next level (1-based), its name and when it falls due.
    pub next: Option<(NextEscalation, String)>,
    /// The justification holding now (the one ending last).
    pub active_justification: Option<JustificationView>,
    pub justifications: Vec<JustificationView>,
}

/// An incident's cadence now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceView {
    pub priority: Option<Priority>,
    /// Whether the incident is still open (nothing is due once it is not).
    pub open: bool,
    pub cadence: Cadence,
    pub escalation: EscalationView,
}

/// The next management escalation of `facts` under `policy` at `now`, with the level's name.
pub(super) fn next_level(
    policy: &CadencePolicy,
    facts: &Facts,
    now: Timestamp,
) -> Option<(NextEscalation, String)> {
    let next = next_escalation(
        policy,
        facts.priority,
        facts.opened_at,
        facts.acted.escalated,
        &facts.windows(),
        now,
    )?;
    let name = policy.management_levels.get(next.level - 1)?.name.clone();
    Some((next, name))
}

/// The cadence of `facts` under `policy` at `now`.
pub(super) fn cadence_of(policy: &CadencePolicy, facts: &Facts, now: Timestamp) -> Cadence {
    cadence(
        policy,
        CadenceFacts {
            priorities: &facts.priorities,
            updates: &facts.updates,
        },
        now,
    )
}

/// The incident's cadence and escalation state at `now`.
pub async fn cadence_view(
    reader: Reader<'_>,
    id: IncidentId,
    now: Timestamp,
) -> Result<CadenceView, StoreError> {
    let facts = load_raw!(reader, id.0).decode()?;
    let (policy, _) = cadence_policy(reader).await?;
    let open = facts.status.is_open();
    let mut cadence = cadence_of(
        &policy,
        &facts,
        if open { now } else { facts.ended_at.min(now) },
    );
    if !open {
        cadence.next_due_at = None;
        cadence.reminder_at = None;
    }
    let active = holding(&facts.windows(), now)
        .and_then(|held| {
            facts
                .justifications
                .iter()
                .find(|j| j.until == held.until && j.from == held.from)
        })
        .cloned();
    let escalation = EscalationView {
        window_minutes: policy.window(facts.priority).map(|w| w.as_mins()),
        levels_escalated: facts.acted.escalated.done,
        last_escalated_at: facts.acted.escalated.last_at,
        next: if open {
            next_level(&policy, &facts, now)
        } else {
            None
        },
        active_justification: active,
        justifications: facts.justifications.clone(),
    };
    Ok(CadenceView {
        priority: facts.priority,
        open,
        cadence,
        escalation,
    })
}
