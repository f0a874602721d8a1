//! Acting on due reminder and escalation stages: for each open obligation whose next stage is
//! due, the latest stage due (earlier ones missed while no node ran are not sent late) is
//! recorded once — a compare-and-set on `stages_done`, so two nodes acting on the same stage
//! record it once — with its timeline event (`regulatory.reminder`, `regulatory.escalated`,
//! `regulatory.overdue`) and a notification per contact method of each recipient through the
//! outbox, under a unique step key `regulatory:<obligation>:<stage>`. Reminders go to the owner;
//! escalations and overdue notices to the owner and the profile's escalation user, or else
//! every active owner and admin of the organisation.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::delivery::{MessageKind, Urgency};
use tocsin_domain::id::UserId;
use tocsin_domain::regulatory::{Stage, StageKind, due_stage, next_stage_at, stages};

use super::profile::margin;
use super::reads::{DUE, obligations_of, profile_in};
use super::{Obligation, step_prefix};
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::outbox::{Notice, notify_users, owners_and_admins};
use crate::time::to_micros;
use crate::tx::Tx;

const ADVANCE: &str = "UPDATE regulatory_obligations SET stages_done = $3, next_stage_at = $4, \
    updated_at = $5 WHERE id = $1 AND stages_done = $2 AND status = 'open'";
const NEXT: &str = "SELECT MIN(next_stage_at) FROM regulatory_obligations \
    WHERE status = 'open' AND next_stage_at IS NOT NULL";

/// A stage acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acted {
    pub obligation: Obligation,
    pub stage: Stage,
    /// Notifications newly queued.
    pub queued: usize,
}

/// The earliest instant an open obligation's next stage is due.
pub async fn next_stage_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let next: Option<i64> = reader.scalar_optional(NEXT, crate::args![]).await?;
    Ok(next.map(crate::time::from_micros))
}

fn event_kind(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Reminder => "regulatory.reminder",
        StageKind::Escalation => "regulatory.escalated",
        StageKind::Overdue => "regulatory.overdue",
    }
}

/// Who hears about `stage` of `obligation`.
async fn recipients(
    tx: &mut Tx,
    obligation: &Obligation,
    escalation_user: Option<UserId>,
    stage: &Stage,
) -> Result<Vec<UserId>, StoreError> {
    let mut users = vec![obligation.owner_user_id];
    if stage.kind != StageKind::Reminder {
        match escalation_user {
            Some(user) => users.push(user),
            None => users.extend(owners_and_admins(tx).await?),
        }
    }
    users.sort();
    users.dedup();
    Ok(users)
}

/// Queues `stage`'s notifications of `obligation` to `users`; answers how many were queued.
async fn notify(
    tx: &mut Tx,
    obligation: &Obligation,
    stage: &Stage,
    users: &[UserId],
    now: Timestamp,
) -> Result<usize, StoreError> {
    let (kind, urgency) = match stage.kind {
        StageKind::Reminder => (MessageKind::RegulatoryReminder, Urgency::Low),
        _ => (MessageKind::RegulatoryEscalation, Urgency::High),
    };
    let notice = Notice {
        incident_id: obligation.incident_id,
        step_key: format!("{}{}", step_prefix(obligation.id), stage.key),
        kind,
        urgency,
    };
    notify_users(tx, &notice, users, now).await
}

/// Acts on at most `limit` obligations whose next stage is due at `now`; answers what was acted
/// on and how many obligations were looked at.
pub async fn act_on_due(
    tx: &mut Tx,
    now: Timestamp,
    limit: i64,
) -> Result<(Vec<Acted>, usize), StoreError> {
    let due = obligations_of(
        tx.fetch_all(DUE, crate::args![to_micros(now), limit])
            .await?,
    )?;
    let looked_at = due.len();
    let mut acted = Vec::new();
    for obligation in due {
        let profile = profile_in(tx, obligation.incident_id).await?;
        let margin = profile.as_ref().and_then(|p| margin(&p.profile));
        let escalation_user = profile.as_ref().and_then(|p| p.profile.escalation_user_id);
        let all = stages(obligation.started_at, obligation.due_at, margin);
        let done = obligation.stages_done;
        let done_arg = i64::try_from(done).unwrap_or_default();
        let Some((index, stage)) = due_stage(&all, done, now) else {
            // Not due after all (the margin changed since): wait for the next stage's instant.
            let next = next_stage_at(&all, done).map(to_micros);
            let args = crate::args![obligation.id.0, done_arg, done_arg, next, to_micros(now)];
            tx.execute(ADVANCE, args).await?;
            continue;
        };
        let next = next_stage_at(&all, index + 1).map(to_micros);
        let args = crate::args![
            obligation.id.0,
            done_arg,
            i64::try_from(index + 1).unwrap_or_default(),
            next,
            to_micros(now)
        ];
        if tx.execute(ADVANCE, args).await? == 0 {
            continue;
        }
        let users = recipients(tx, &obligation, escalation_user, &stage).await?;
        let skipped: Vec<&str> = all[done..index].iter().map(|s| s.key).collect();
        let payload = json!({
            "obligation_id": obligation.id, "regime": obligation.regime,
            "obligation": obligation.obligation, "stage": stage.key, "stage_at": stage.at,
            "due_at": obligation.due_at, "recipients": users, "skipped_stages": skipped,
        });
        tx.append(NewEvent::new(
            "incident",
            obligation.incident_id.0,
            event_kind(stage.kind),
            "system:tocsin",
            now,
            payload,
        ))
        .await?;
        let queued = notify(tx, &obligation, &stage, &users, now).await?;
        acted.push(Acted {
            obligation,
            stage,
            queued,
        });
    }
    Ok((acted, looked_at))
}
