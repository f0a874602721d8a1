//! Acting on due cadence instants: for each open incident whose `next_at` has come, the reminder
//! of the update due next (to the communications lead, else the commander, else only the
//! timeline), the notice of the latest missed update (to the commander, else the organisation's
//! owners and admins; earlier ones missed while no node ran are counted, not sent late), and the
//! next management level once its window passed without a justification holding (to the level's
//! users). Exactly once across nodes: what was acted on is recorded by a compare-and-set on the
//! incident's cadence `version`, and every notice carries a unique step key.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::delivery::{MessageKind, Urgency};
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::cadence::CadencePolicy;
use tocsin_domain::incident::escalation_window::Escalated;
use uuid::Uuid;

use super::facts::{Facts, load_raw};
use super::view::{cadence_of, next_level};
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::outbox::{Notice, notify_users, owners_and_admins};
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// Every cadence instant due at `$1`, open incident or not, earliest first. `CROSS JOIN` keeps
/// SQLite walking `incident_cadence_due` from the earliest instant (joined as written, it would
/// start from every open incident); PostgreSQL plans it as the inner join it is.
const DUE: &str = "SELECT c.incident_id, c.version, i.status FROM incident_cadence c \
     CROSS JOIN incidents i WHERE i.id = c.incident_id \
     AND c.next_at IS NOT NULL AND c.next_at <= $1 ORDER BY c.next_at, c.incident_id LIMIT $2";
/// The earliest instant any cadence has something to do: an open incident's, or a closed one's
/// left from before it closed, which `act_on_due` then clears.
const NEXT: &str = "SELECT MIN(next_at) FROM incident_cadence";
/// A closed incident's cadence has nothing more to do (until a reopening touches it again, which
/// moves the version).
const SETTLE: &str = "UPDATE incident_cadence SET next_at = NULL, updated_at = $3 \
    WHERE incident_id = $1 AND version = $2";
const ADVANCE: &str = "UPDATE incident_cadence SET next_at = $3, reminded_due = $4, \
    missed_due = $5, escalated_level = $6, escalated_at = $7, version = version + 1, \
    updated_at = $8 WHERE incident_id = $1 AND version = $2";
const HOLDERS: &str = "SELECT role, user_id FROM incident_role_assignments \
    WHERE incident_id = $1 AND ended_at IS NULL \
    AND role IN ('communications_lead', 'incident_commander') ORDER BY started_at";

/// What was acted on for one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acted {
    pub incident_id: IncidentId,
    /// The timeline events appended (`incident.status_update_reminder` ...).
    pub events: Vec<&'static str>,
    /// Notifications newly queued.
    pub queued: usize,
}

/// The earliest instant an open incident's cadence has something to do.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let next: Option<i64> = reader.scalar_optional(NEXT, crate::args![]).await?;
    Ok(next.map(from_micros))
}

/// The current holder of `role`, if any.
fn holder(holders: &[(String, Uuid)], role: &str) -> Option<UserId> {
    holders
        .iter()
        .rev()
        .find(|(held, _)| held == role)
        .map(|(_, user)| UserId(*user))
}

/// One decision: its timeline event, payload, notice and recipients.
struct Decision {
    event: &'static str,
    payload: serde_json::Value,
    notice: Notice,
    recipients: Vec<UserId>,
}

/// Decides what is due for `facts` at `now`; answers the decisions and the state to record.
async fn decide(
    tx: &mut Tx,
    id: IncidentId,
    policy: &CadencePolicy,
    facts: &Facts,
    now: Timestamp,
) -> Result<(Vec<Decision>, super::facts::Acted, Option<Timestamp>), StoreError> {
    let cadence = cadence_of(policy, facts, now);
    let holders: Vec<(String, Uuid)> = tx.fetch_all(HOLDERS, crate::args![id.0]).await?;
    let commander = holder(&holders, "incident_commander");
    let mut acted = facts.acted;
    let mut decisions = Vec::new();
    let notice = |key: String, kind, urgency| Notice {
        incident_id: id,
        step_key: format!("cadence:{key}"),
        kind,
        urgency,
    };
    if let Some(missed) = cadence
        .last_missed_at
        .filter(|m| to_micros(*m) > acted.missed_due)
    {
        acted.missed_due = to_micros(missed);
        let recipients = match commander {
            Some(user) => vec![user],
            None => owners_and_admins(tx).await?,
        };
        decisions.push(Decision {
            event: "incident.status_update_missed",
            payload: json!({
                "due_at": missed, "overdue_since": cadence.overdue_since,
                "missed_intervals": cadence.missed_intervals, "next_due_at": cadence.next_due_at,
                "recipients": recipients,
            }),
            notice: notice(
                format!("missed:{}", acted.missed_due),
                MessageKind::StatusUpdateMissed,
                Urgency::High,
            ),
            recipients,
        });
    }
    if let (Some(due), Some(reminder)) = (cadence.next_due_at, cadence.reminder_at)
        && reminder <= now
        && to_micros(due) > acted.reminded_due
    {
        acted.reminded_due = to_micros(due);
        let recipients: Vec<UserId> = holder(&holders, "communications_lead")
            .or(commander)
            .into_iter()
            .collect();
        decisions.push(Decision {
            event: "incident.status_update_reminder",
            payload: json!({
                "due_at": due, "interval_minutes": cadence.interval.map(|i| i.as_mins()),
                "recipients": recipients,
            }),
            notice: notice(
                format!("reminder:{}", acted.reminded_due),
                MessageKind::StatusUpdateReminder,
                Urgency::Low,
            ),
            recipients,
        });
    }
    if let Some((next, name)) = next_level(policy, facts, now).filter(|(n, _)| n.at <= now) {
        acted.escalated = Escalated {
            done: next.level,
            last_at: Some(now),
        };
        let recipients = policy
            .management_levels
            .get(next.level - 1)
            .map(|level| level.user_ids.clone())
            .unwrap_or_default();
        decisions.push(Decision {
            event: "incident.management_escalated",
            payload: json!({
                "level": next.level, "name": name, "recipients": recipients, "due_at": next.at,
                "window_minutes": policy.window(facts.priority).map(|w| w.as_mins()),
            }),
            notice: notice(
                format!("level:{}", next.level),
                MessageKind::ManagementEscalation,
                Urgency::High,
            ),
            recipients,
        });
    }
    let escalation = Facts {
        acted,
        ..facts.clone()
    };
    let next_escalation = next_level(policy, &escalation, now).map(|(n, _)| n.at);
    let next_cadence = cadence.next_due_at.map(|due| match cadence.reminder_at {
        Some(reminder) if to_micros(due) > acted.reminded_due => reminder,
        _ => due,
    });
    let next_at = [next_cadence, next_escalation].into_iter().flatten().min();
    Ok((decisions, acted, next_at))
}

/// Acts on at most `limit` incidents whose cadence is due at `now` under `policy`; answers what
/// was acted on and how many incidents were looked at.
pub async fn act_on_due(
    tx: &mut Tx,
    policy: &CadencePolicy,
    now: Timestamp,
    limit: i64,
) -> Result<(Vec<Acted>, usize), StoreError> {
    let due: Vec<(Uuid, i64, String)> = tx
        .fetch_all(DUE, crate::args![to_micros(now), limit])
        .await?;
    let looked_at = due.len();
    let mut all = Vec::new();
    for (incident, version, status) in due {
        if !IncidentStatus::parse(&status).is_some_and(IncidentStatus::is_open) {
            tx.execute(SETTLE, crate::args![incident, version, to_micros(now)])
                .await?;
            continue;
        }
        let id = IncidentId(incident);
        let facts = load_raw!(tx, incident).decode()?;
        let (decisions, acted, next_at) = decide(tx, id, policy, &facts, now).await?;
        let args = crate::args![
            incident,
            facts.acted.version,
            next_at.map(to_micros),
            acted.reminded_due,
            acted.missed_due,
            i64::try_from(acted.escalated.done).unwrap_or_default(),
            acted.escalated.last_at.map(to_micros),
            to_micros(now)
        ];
        if tx.execute(ADVANCE, args).await? == 0 || decisions.is_empty() {
            continue;
        }
        let mut done = Acted {
            incident_id: id,
            events: Vec::new(),
            queued: 0,
        };
        for decision in decisions {
            tx.append(NewEvent::new(
                "incident",
                incident,
                decision.event,
                "system:tocsin",
                now,
                decision.payload,
            ))
            .await?;
            done.queued += notify_users(tx, &decision.notice, &decision.recipients, now).await?;
            done.events.push(decision.event);
        }
        all.push(done);
    }
    Ok((all, looked_at))
}
