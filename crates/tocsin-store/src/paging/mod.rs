//! Escalation as stored: one timer per escalating incident (`timers`), processed by the engine in
//! batches inside one write each (`process`), and the by-hand actions an incident commander
//! takes (`by_hand`: escalate to the next level, reassign to named people).
mod by_hand;
mod process;
mod timers;

use jiff::Timestamp;
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::paging::{Position, TimerKind};

use crate::error::StoreError;
use crate::tx::Tx;

pub use by_hand::{escalate, page_responders, reassign};
pub use process::Processed;
pub use timers::{DueTimer, armed, next_due, recheck};

/// Timers processed per write.
pub const PROCESS_BATCH: i64 = 64;

/// The PostgreSQL channel a node notifies when it arms or moves a timer, so its peers re-read
/// their earliest deadline.
pub const WAKE_CHANNEL: &str = "tocsin_escalation";

/// Processes up to `PROCESS_BATCH` timers due by `now`; answers what each did and how many were
/// looked at (fewer than the batch: nothing more is due).
pub async fn process_due(
    tx: &mut Tx,
    now: Timestamp,
) -> Result<(Vec<Processed>, usize), StoreError> {
    let due = timers::take_due(tx, now, PROCESS_BATCH).await?;
    let looked_at = due.len();
    let mut processed = Vec::with_capacity(looked_at);
    for timer in due {
        processed.push(process::process_one(tx, timer, now).await?);
    }
    Ok((processed, looked_at))
}

/// Starts a newly opened incident's escalation. For a service that escalates nowhere (no
/// policy, no routing rules) it records why nobody is paged, and arms nothing. Otherwise it arms
/// the first step's timer, due when the group wait ends; without a group wait it also pages the
/// first step at once, in the same commit (deferred work: should paging fail, the armed timer is
/// left for the engine, and the incident still opens).
pub(crate) async fn start_escalation(
    tx: &mut Tx,
    incident: IncidentId,
    service: ServiceId,
    page_after: Option<Timestamp>,
    at: Timestamp,
) -> Result<(), StoreError> {
    if !crate::escalation::service_escalates(tx, service).await? {
        return process::record_no_policy(tx, incident, at).await;
    }
    if let Some(due) = page_after.filter(|due| *due > at) {
        return timers::arm_first(tx, incident, due, at, true).await;
    }
    timers::arm_first(tx, incident, at, at, false).await?;
    tx.defer(
        "paging a new incident's first step",
        Box::new(move |tx| {
            Box::pin(async move {
                let timer = DueTimer {
                    incident_id: incident,
                    kind: TimerKind::Step,
                    policy_id: None,
                    position: Position::start_of(0),
                    due_at: at,
                };
                process::process_one(tx, timer, at).await.map(|_| ())
            })
        }),
    );
    Ok(())
}

/// Escalates a reopened incident again from the first step of a new cycle (fresh step keys, so
/// everyone is paged anew), due at once; a service that escalates nowhere arms nothing. The
/// engine wakes on the `incident.reopened` event; other nodes on the notice.
pub(crate) async fn restart_escalation(
    tx: &mut Tx,
    incident: IncidentId,
    service: ServiceId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let position = match timers::of_incident(tx, incident).await? {
        Some((_, _, position, _)) => Position::start_of(position.cycle + 1),
        None if crate::escalation::service_escalates(tx, service).await? => Position::start_of(0),
        None => return Ok(()),
    };
    // The policy is chosen again when the step is due: routing rules see the incident as it is.
    let next = tocsin_domain::paging::NextTimer {
        kind: TimerKind::Step,
        position,
        due_at: at,
    };
    timers::set(tx, incident, None, next, at).await?;
    timers::wake_peers(tx).await
}
