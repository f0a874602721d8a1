//! Processing one due escalation timer inside the engine's write: read the incident and its
//! policy, let `tocsin_domain::paging::decide` say what happens, and carry it out — resolve the
//! step's people, plan each person's contacts from their notification rules, queue one outbox row
//! per contact, record the escalation on the incident's timeline, and re-arm or drop the timer.
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::alerting::FieldMap;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::contact::plan_notifications;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
use tocsin_domain::escalation::{EscalationPolicy, EscalationPosition};
use tocsin_domain::id::{EscalationPolicyId, IncidentId, ServiceId, UserId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::paging::{
    Decision, Phase, PolicyShape, Position, StopReason, decide, urgency_for,
};
use uuid::Uuid;

use super::timers::{self, DueTimer};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::outbox::{self, NewNotification};
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;
use crate::{contact, escalation};

/// What processing one timer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// Paged the step at `position`: `notifications` outbox rows queued for `users` people.
    Paged {
        incident: IncidentId,
        position: Position,
        users: usize,
        notifications: usize,
    },
    /// Waits for an acknowledgement timeout.
    Waiting { incident: IncidentId },
    /// Escalation ended for the incident.
    Stopped { incident: IncidentId },
}

/// The step a timer pages.
struct Step<'p> {
    policy_id: Uuid,
    policy: &'p EscalationPolicy,
    position: Position,
    chosen_because: Option<String>,
    /// When the timer was due (the timeline shows how late the page went out).
    due_at: Timestamp,
}

/// The incident as escalation needs it.
pub(super) struct Paged {
    pub(super) id: IncidentId,
    pub(super) service: ServiceId,
    pub(super) severity: Severity,
    pub(super) phase: Phase,
}

pub(crate) async fn process_one(
    tx: &mut Tx,
    timer: DueTimer,
    now: Timestamp,
) -> Result<Processed, StoreError> {
    let incident = timer.incident_id;
    let Some(paged) = load_incident(tx, incident).await? else {
        timers::idle(tx, incident, now).await?;
        return Ok(Processed::Stopped { incident });
    };
    let Some((policy_id, policy, chosen_because)) = policy_of(tx, &paged, &timer, now).await?
    else {
        timers::idle(tx, incident, now).await?;
        record_no_policy(tx, incident, now).await?;
        return Ok(Processed::Stopped { incident });
    };
    let shape = shape_of(&policy);
    match decide(timer.kind, timer.position, paged.phase, &shape, now) {
        Decision::Page {
            position,
            next,
            reescalated,
        } => {
            if reescalated {
                retrigger(tx, incident, now).await?;
            }
            let step = Step {
                policy_id,
                policy: &policy,
                position,
                chosen_because,
                due_at: timer.due_at,
            };
            let (users, notifications) = page_step(tx, &paged, step, now).await?;
            match next {
                Some(next) => timers::set(tx, incident, Some(policy_id), next, now).await?,
                None => {
                    timers::idle(tx, incident, now).await?;
                    append(
                        tx,
                        incident,
                        "incident.escalation_exhausted",
                        now,
                        json!({
                            "policy_id": policy_id,
                            "reason": "every step of every round has been paged",
                        }),
                    )
                    .await?;
                }
            }
            Ok(Processed::Paged {
                incident,
                position,
                users,
                notifications,
            })
        }
        Decision::Rearm(next) => {
            timers::set(tx, incident, Some(policy_id), next, now).await?;
            Ok(Processed::Waiting { incident })
        }
        Decision::Stop(reason) => {
            timers::idle(tx, incident, now).await?;
            if reason != StopReason::Resolved {
                append(
                    tx,
                    incident,
                    "incident.escalation_stopped",
                    now,
                    json!({
                        "reason": reason.describe(),
                    }),
                )
                .await?;
            }
            Ok(Processed::Stopped { incident })
        }
    }
}

/// Resolves the step's people, plans their contacts and queues the pages; answers how many
/// people and how many outbox rows.
async fn page_step(
    tx: &mut Tx,
    incident: &Paged,
    step: Step<'_>,
    now: Timestamp,
) -> Result<(usize, usize), StoreError> {
    let Step {
        policy_id,
        policy,
        position,
        chosen_because,
        due_at,
    } = step;
    let at_position = EscalationPosition {
        round: u8::try_from(position.round).unwrap_or(u8::MAX),
        step: usize::try_from(position.step).unwrap_or(usize::MAX),
    };
    let resolved =
        escalation::resolve_step(tx, EscalationPolicyId(policy_id), policy, at_position, now)
            .await?;
    let urgency = urgency_for(incident.severity);
    let step_key = position.step_key();
    let targets: Vec<_> = resolved
        .users
        .iter()
        .map(|user| (user.user_id, user.reason.clone()))
        .collect();
    let (people, queued) = queue_pages(tx, incident.id, &targets, &step_key, urgency, now).await?;
    append(
        tx,
        incident.id,
        "incident.escalated",
        now,
        json!({
            "level": position.level(),
            "round": position.round,
            "cycle": position.cycle,
            "step_key": step_key,
            "due_at": due_at,
            "policy_id": policy_id,
            "policy_chosen_because": chosen_because,
            "urgency": urgency,
            "users": people,
            "warnings": resolved.warnings,
            "notifications_queued": queued,
        }),
    )
    .await?;
    Ok((resolved.users.len(), queued))
}

/// The incident's escalation policy: the one the timer already follows, else the one routing
/// chooses now (with why). `None`: the service has none.
async fn policy_of(
    tx: &mut Tx,
    incident: &Paged,
    timer: &DueTimer,
    now: Timestamp,
) -> Result<Option<(Uuid, EscalationPolicy, Option<String>)>, StoreError> {
    if let Some(id) = timer.policy_id {
        match escalation::load_policy(tx, EscalationPolicyId(id)).await {
            Ok(stored) => return Ok(Some((id, stored.policy, None))),
            // Deleted since: routing chooses again.
            Err(StoreError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    let fields = first_alert_fields(tx, incident.id).await?;
    let chosen =
        escalation::policy_for_alert(tx, incident.service, &fields, incident.severity, now).await?;
    Ok(chosen.map(|(chosen, policy)| (chosen.policy_id.0, policy, Some(chosen.reason))))
}

pub(super) fn shape_of(policy: &EscalationPolicy) -> PolicyShape {
    PolicyShape {
        step_delays: policy
            .steps
            .iter()
            .map(|step| SignedDuration::from_mins(i64::from(step.delay_minutes)))
            .collect(),
        repeat: u32::from(policy.repeat),
        ack_timeout: policy
            .ack_timeout_minutes
            .map(|minutes| SignedDuration::from_mins(i64::from(minutes))),
    }
}

pub(super) async fn load_incident(
    tx: &mut Tx,
    id: IncidentId,
) -> Result<Option<Paged>, StoreError> {
    type Row = (Uuid, String, String, Option<i64>);
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT service_id, severity, status, acknowledged_at FROM incidents WHERE id = $1",
            crate::args![id.0],
        )
        .await?;
    let Some((service, severity, status, acknowledged_at)) = row else {
        return Ok(None);
    };
    let severity = severity
        .parse::<Severity>()
        .map_err(|_| StoreError::Corrupt(format!("incident severity {severity:?}")))?;
    let status = IncidentStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("incident status {status:?}")))?;
    let phase = match (status, acknowledged_at) {
        (IncidentStatus::Resolved, _) => Phase::Resolved,
        (status, _) if status.is_final() => Phase::Ended,
        (IncidentStatus::Acknowledged, Some(at)) => Phase::Acknowledged {
            at: from_micros(at),
        },
        (status, _) if status.is_engaged() && status != IncidentStatus::Acknowledged => {
            Phase::Engaged
        }
        _ => Phase::Triggered,
    };
    Ok(Some(Paged {
        id,
        service: ServiceId(service),
        severity,
        phase,
    }))
}

/// The normalised fields of the incident's first alert, for routing rules (empty for an incident
/// opened without one).
async fn first_alert_fields(tx: &mut Tx, incident: IncidentId) -> Result<FieldMap, StoreError> {
    let fields: Option<String> = tx
        .scalar_optional(
            "SELECT fields FROM alerts WHERE incident_id = $1 ORDER BY id LIMIT 1",
            crate::args![incident.0],
        )
        .await?;
    Ok(fields
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// The acknowledgement timed out: the incident is triggered again.
pub(super) async fn retrigger(
    tx: &mut Tx,
    incident: IncidentId,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE incidents SET status = 'triggered', acknowledged_at = NULL, updated_at = $2 \
         WHERE id = $1 AND status = 'acknowledged'",
        crate::args![incident.0, to_micros(now)],
    )
    .await?;
    append(
        tx,
        incident,
        "incident.reescalated",
        now,
        json!({
            "reason": "its acknowledgement timed out before it was resolved",
        }),
    )
    .await
}

/// Records on the incident's timeline that nobody is paged because no policy applies.
pub(super) async fn record_no_policy(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<(), StoreError> {
    append(
        tx,
        incident,
        "incident.escalation_skipped",
        at,
        json!({
            "reason": "its service has no escalation policy, so nobody is paged",
        }),
    )
    .await
}

pub(super) async fn append(
    tx: &mut Tx,
    incident: IncidentId,
    kind: &'static str,
    at: Timestamp,
    payload: serde_json::Value,
) -> Result<(), StoreError> {
    tx.append(NewEvent::new(
        "incident", incident.0, kind, "engine", at, payload,
    ))
    .await?;
    Ok(())
}

/// Plans each person's contacts for a page at `urgency` (their notification rules, quiet hours)
/// and queues one outbox row per contact under `step_key`; answers each person's entry for the
/// timeline and how many rows were newly queued.
pub(super) async fn queue_pages(
    tx: &mut Tx,
    incident: IncidentId,
    targets: &[(UserId, String)],
    step_key: &str,
    urgency: Urgency,
    now: Timestamp,
) -> Result<(Vec<serde_json::Value>, usize), StoreError> {
    let user_ids: Vec<UserId> = targets.iter().map(|(user, _)| *user).collect();
    let profiles = contact::profiles(tx, &user_ids).await?;
    let plans: Vec<_> = targets
        .iter()
        .filter_map(|(user, reason)| {
            let profile = profiles.get(user)?;
            Some((
                *user,
                reason,
                profile,
                plan_notifications(profile, urgency, now),
            ))
        })
        .collect();
    let pages_a_webhook = plans.iter().any(|(.., plan)| {
        plan.contacts
            .iter()
            .any(|contact| contact.channel == Channel::Webhook)
    });
    let secrets = if pages_a_webhook {
        contact::webhook_secrets(tx, &user_ids).await?
    } else {
        contact::WebhookSecrets::default()
    };
    let mut queued = 0;
    let mut people = Vec::with_capacity(plans.len());
    for (user, reason, profile, plan) in plans {
        for contact in &plan.contacts {
            let secret = match contact.channel {
                Channel::Webhook => secrets.get(contact.contact_method_id).map(str::to_owned),
                _ => None,
            };
            let notification = NewNotification {
                incident_id: incident,
                user_id: Some(user),
                contact_method_id: contact.contact_method_id.0,
                step_key: step_key.to_owned(),
                kind: MessageKind::Page,
                urgency,
                channel: contact.channel,
                address: contact.address.clone(),
                secret,
                recipient_name: Some(profile.name.clone()),
                not_before: contact.send_at,
            };
            if outbox::enqueue(tx, notification, now).await? {
                queued += 1;
            }
        }
        people.push(json!({
            "user_id": user,
            "reason": reason,
            "contacts": plan.contacts.len(),
            "fallback": plan.fallback,
        }));
    }
    Ok((people, queued))
}
