//! Planning handoff notices: the boundaries each schedule passed since the last planning (read
//! from the schedules as they are now, so a changed schedule or override counts at once), then,
//! in one write, a row per wanted notice and contact method (skipped when older than the grace)
//! and the planning mark moved on.
use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::contact::{NotifyProfile, plan_notifications};
use tocsin_domain::delivery::{Channel, HandoffSummary, Urgency};
use tocsin_domain::id::{ContactMethodId, ScheduleId, UserId};
use tocsin_domain::oncall::handoff::{Handoff, Transition, is_stale, next_after, transitions};
use tocsin_domain::oncall::{Interval, shifts_between};

use super::preferences::preference_in;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;
use crate::{Reader, contact, schedule};

/// The planning mark's row.
const MARK: &str = "handoffs";
/// Shifts are computed from this long before the first boundary looked at, so a shift that
/// continues one ending there is seen as one stretch (no false "off" and "on").
const MARGIN: SignedDuration = SignedDuration::from_mins(1);

const INSERT: &str = "INSERT INTO handoff_notices (id, schedule_id, user_id, boundary_at, \
    direction, contact_method_id, channel, address, secret, recipient_name, handoff, state, \
    next_attempt_at, last_outcome, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
    ON CONFLICT (schedule_id, user_id, boundary_at, direction, contact_method_id) DO NOTHING";
const MOVE_MARK: &str = "INSERT INTO handoff_planning (name, planned_until) VALUES ($1, $2) \
    ON CONFLICT (name) DO UPDATE SET planned_until = CASE \
    WHEN handoff_planning.planned_until < $2 THEN $2 ELSE handoff_planning.planned_until END";

/// A boundary of one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleTransition {
    pub schedule_id: ScheduleId,
    pub schedule_name: String,
    pub transition: Transition,
}

/// What a planning queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    /// Rows newly queued to send.
    pub pending: usize,
    /// Rows newly recorded as skipped (older than the grace).
    pub skipped: usize,
}

/// The instant boundaries were planned up to (none before the first planning).
pub async fn planned_until(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let mark: Option<i64> = reader
        .scalar_optional(
            "SELECT planned_until FROM handoff_planning WHERE name = $1",
            crate::args![MARK],
        )
        .await?;
    Ok(mark.map(from_micros))
}

/// Every schedule's boundaries in `(since, now]`, and the first boundary of any schedule after
/// `now` within `look_ahead` (when to plan next).
pub async fn due_transitions(
    reader: Reader<'_>,
    since: Timestamp,
    now: Timestamp,
    look_ahead: SignedDuration,
) -> Result<(Vec<ScheduleTransition>, Option<Timestamp>), StoreError> {
    let window = Interval {
        start: since.saturating_sub(MARGIN).unwrap_or(since),
        end: now.saturating_add(look_ahead).unwrap_or(now),
    };
    let mut due = Vec::new();
    let mut next: Option<Timestamp> = None;
    for stored in schedule::list_all_schedules(reader).await? {
        let (definition, _) =
            schedule::with_overrides(reader, &stored, window.start, window.end).await?;
        let found = transitions(
            &shifts_between(&definition, window.start, window.end),
            window,
        );
        next = next.into_iter().chain(next_after(&found, now)).min();
        due.extend(
            found
                .into_iter()
                .filter(|t| since < t.at && t.at <= now)
                .map(|transition| ScheduleTransition {
                    schedule_id: stored.id,
                    schedule_name: stored.name.as_str().to_owned(),
                    transition,
                }),
        );
    }
    Ok((due, next))
}

/// The message's summary of `t`, naming people by `names`.
fn summary(t: &ScheduleTransition, names: &HashMap<UserId, String>) -> HandoffSummary {
    let named = |users: &[UserId]| -> Vec<String> {
        users
            .iter()
            .filter_map(|user| names.get(user).cloned())
            .collect()
    };
    let (until, previous, next) = match &t.transition.handoff {
        Handoff::OnCall { until, previous } => (*until, named(previous), Vec::new()),
        Handoff::OffCall { next } => (None, Vec::new(), named(next)),
    };
    HandoffSummary {
        schedule_id: t.schedule_id.0.to_string(),
        schedule: t.schedule_name.clone(),
        at: t.transition.at,
        until,
        previous,
        next,
    }
}

/// Everyone `due` names: the people changing status and those before and after them.
fn people(due: &[ScheduleTransition]) -> Vec<UserId> {
    let mut users: Vec<UserId> = due
        .iter()
        .flat_map(|t| {
            let others = match &t.transition.handoff {
                Handoff::OnCall { previous, .. } => previous.clone(),
                Handoff::OffCall { next } => next.clone(),
            };
            std::iter::once(t.transition.user).chain(others)
        })
        .collect();
    users.sort();
    users.dedup();
    users
}

/// The contact methods a notice goes to: those the person's low-urgency notification rules name
/// (else their high-urgency rules', else every verified method), each once, at the boundary.
fn methods(profile: &NotifyProfile, at: Timestamp) -> Vec<(ContactMethodId, Channel, String)> {
    let mut chosen: Vec<(ContactMethodId, Channel, String)> = Vec::new();
    for contact in plan_notifications(profile, Urgency::Low, at).contacts {
        if !chosen
            .iter()
            .any(|(id, ..)| *id == contact.contact_method_id)
        {
            chosen.push((contact.contact_method_id, contact.channel, contact.address));
        }
    }
    chosen
}

/// Queues the wanted notices of `due` (as pending, or as skipped when older than `grace` at
/// `now`) and moves the planning mark to `now`.
pub async fn queue(
    tx: &mut Tx,
    due: Vec<ScheduleTransition>,
    now: Timestamp,
    grace: SignedDuration,
) -> Result<Queued, StoreError> {
    let mut queued = Queued::default();
    let profiles = contact::profiles(tx, &people(&due)).await?;
    let names: HashMap<UserId, String> = profiles
        .iter()
        .map(|(id, profile)| (*id, profile.name.clone()))
        .collect();
    for t in &due {
        let (user, at) = (t.transition.user, t.transition.at);
        let direction = t.transition.handoff.direction();
        let Some(profile) = profiles.get(&user) else {
            continue;
        };
        if !preference_in(tx, user).await?.wants(direction) {
            continue;
        }
        let stale = is_stale(at, now, grace);
        let handoff = serde_json::to_string(&summary(t, &names))
            .map_err(|e| StoreError::Corrupt(format!("handoff summary: {e}")))?;
        let (state, outcome) = if stale {
            (
                "skipped",
                Some("missed: planned after the grace; not sent late"),
            )
        } else {
            ("pending", None)
        };
        for (method, channel, address) in methods(profile, at) {
            let secret = match channel {
                Channel::Webhook => contact::webhook_secret(tx, method).await?,
                _ => None,
            };
            let args = crate::args![
                tocsin_domain::id::uuid_v7_at(now),
                t.schedule_id.0,
                user.0,
                to_micros(at),
                direction.as_str(),
                method.0,
                channel.as_str(),
                address.as_str(),
                secret,
                profile.name.as_str(),
                handoff.as_str(),
                state,
                to_micros(now),
                outcome,
                to_micros(now)
            ];
            if tx.execute(INSERT, args).await? == 0 {
                continue;
            }
            if stale {
                queued.skipped += 1;
                let payload = json!({ "user_id": user, "boundary_at": at,
                    "direction": direction, "channel": channel, "outcome": "skipped" });
                tx.append(NewEvent::new(
                    "schedule",
                    t.schedule_id.0,
                    "schedule.handoff_notice_skipped",
                    "system:tocsin",
                    now,
                    payload,
                ))
                .await?;
            } else {
                queued.pending += 1;
            }
        }
    }
    tx.execute(MOVE_MARK, crate::args![MARK, to_micros(now)])
        .await?;
    Ok(queued)
}
