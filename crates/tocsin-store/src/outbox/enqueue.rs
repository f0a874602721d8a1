//! Queueing notifications: `enqueue` (once per unique key), cancelling pending pages when an
//! incident is acknowledged or resolved, and the resolve contract — everyone paged is told once.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency, mask_address, resolution_step_key};
use tocsin_domain::id::{IncidentId, UserId};
use uuid::Uuid;

use super::{Claimed, NOTIFY_CHANNEL, NewNotification, event};
use crate::Backend;
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

const INSERT: &str = "INSERT INTO notification_outbox (id, incident_id, user_id, contact_method_id, \
    step_key, kind, urgency, channel, address, secret, recipient_name, next_attempt_at, \
    created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
    ON CONFLICT (incident_id, step_key, contact_method_id, kind) DO NOTHING";

/// The same row queued already claimed for this node (see `handoff`): `sending`, leased, fenced.
const INSERT_CLAIMED: &str = "INSERT INTO notification_outbox (id, incident_id, user_id, \
    contact_method_id, step_key, kind, urgency, channel, address, secret, recipient_name, \
    next_attempt_at, created_at, updated_at, state, claimed_by, lease_until, fence) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 'sending', $14, $15, 1) \
    ON CONFLICT (incident_id, step_key, contact_method_id, kind) DO NOTHING";

/// Queues a notification; answers `false` (and changes nothing) when one with the same
/// (incident, step, contact method, kind) was ever queued. Appends `notification.queued` (the
/// address masked). One due at once is claimed for this node's worker when it registered (see
/// `handoff`) and handed to it at commit; any other wakes the other nodes at commit on
/// PostgreSQL.
pub async fn enqueue(tx: &mut Tx, n: NewNotification, at: Timestamp) -> Result<bool, StoreError> {
    let id = tocsin_domain::id::uuid_v7_at(at);
    let now = to_micros(at);
    let claimant = tx.claimant.clone().filter(|_| n.not_before <= at);
    let args = crate::args![
        id,
        n.incident_id.0,
        n.user_id.map(|u| u.0),
        n.contact_method_id,
        &n.step_key,
        n.kind.as_str(),
        n.urgency.as_str(),
        n.channel.as_str(),
        &n.address,
        &n.secret,
        &n.recipient_name,
        to_micros(n.not_before).max(now),
        now
    ];
    let inserted = match &claimant {
        None => tx.execute(INSERT, args).await?,
        Some(claimant) => {
            let mut args = args;
            args.push(crate::sql::Arg::from(claimant.node.as_str()));
            args.push(crate::sql::Arg::from(to_micros(at + claimant.lease)));
            tx.execute(INSERT_CLAIMED, args).await?
        }
    };
    if inserted == 0 {
        return Ok(false);
    }
    let payload = json!({
        "notification_id": id, "user_id": n.user_id, "contact_method_id": n.contact_method_id,
        "step_key": n.step_key, "kind": n.kind, "urgency": n.urgency, "channel": n.channel,
        "address": mask_address(n.channel, &n.address), "not_before": n.not_before,
        "claimed_by": claimant.as_ref().map(|c| c.node.as_str()),
    });
    tx.append(event(
        n.incident_id,
        "notification.queued",
        "system:tocsin",
        at,
        payload,
    ))
    .await?;
    if let Some(claimant) = claimant {
        tx.claimed.push(Claimed {
            id,
            incident_id: n.incident_id,
            user_id: n.user_id,
            contact_method_id: n.contact_method_id,
            kind: n.kind,
            urgency: n.urgency,
            channel: n.channel,
            address: n.address,
            secret: n.secret,
            recipient_name: n.recipient_name,
            attempts: 0,
            last_delay_ms: None,
            fence: 1,
            lease_until: at + claimant.lease,
        });
    } else if tx.backend() == Backend::Postgres {
        tx.execute("SELECT pg_notify($1, '')", crate::args![NOTIFY_CHANNEL])
            .await?;
    }
    Ok(true)
}

/// Cancels the incident's pending `page` and `escalated` notifications (it was acknowledged or
/// resolved: nobody needs paging any more); answers how many. One `notification.canceled` event.
pub async fn cancel_pages(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let canceled = tx
        .execute(
            "UPDATE notification_outbox SET state = 'canceled', updated_at = $2 \
             WHERE incident_id = $1 AND state = 'pending' AND kind IN ('page', 'escalated')",
            crate::args![incident.0, to_micros(at)],
        )
        .await?;
    if canceled > 0 {
        let payload = json!({
            "canceled": canceled,
            "reason": "the incident was acknowledged or resolved: pending pages are not sent",
        });
        tx.append(event(
            incident,
            "notification.canceled",
            "system:tocsin",
            at,
            payload,
        ))
        .await?;
    }
    Ok(canceled)
}

/// A destination paged for an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagedRecipient {
    pub user_id: Option<UserId>,
    pub contact_method_id: Uuid,
    pub channel: Channel,
    pub address: String,
    pub secret: Option<String>,
    pub recipient_name: Option<String>,
}

type RecipientRow = (
    Option<Uuid>,
    Uuid,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Every distinct destination that had a `page` (or `escalated`) notification delivered or in
/// flight for the incident, or for a duplicate merged into it (whoever was paged for the
/// duplicate hears when the primary resolves).
pub async fn paged_recipients(
    tx: &mut Tx,
    incident: IncidentId,
) -> Result<Vec<PagedRecipient>, StoreError> {
    let rows: Vec<RecipientRow> = tx
        .fetch_all(
            "SELECT user_id, contact_method_id, channel, address, MAX(secret), MAX(recipient_name) \
             FROM notification_outbox WHERE (incident_id = $1 OR incident_id IN \
             (SELECT id FROM incidents WHERE merged_into = $1)) AND kind IN ('page', 'escalated') \
             AND state IN ('sending', 'delivered') \
             GROUP BY user_id, contact_method_id, channel, address ORDER BY contact_method_id",
            crate::args![incident.0],
        )
        .await?;
    rows.into_iter()
        .map(|(user, method, channel, address, secret, name)| {
            Ok(PagedRecipient {
                user_id: user.map(UserId),
                contact_method_id: method,
                channel: Channel::parse(&channel).ok_or_else(|| {
                    StoreError::Corrupt(format!("outbox row has channel {channel:?}"))
                })?,
                address,
                secret,
                recipient_name: name,
            })
        })
        .collect()
}

/// The resolve contract: queues a `resolved` notice for every destination ever paged for the
/// incident, at most once each per resolution however often this runs (step `resolved` for the
/// first resolution, `resolved.2` for the one after the first reopen, ...); answers how many were
/// newly queued.
pub async fn enqueue_resolution_notices(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<usize, StoreError> {
    let reopens: i64 = tx
        .scalar(
            "SELECT COUNT(*) FROM events WHERE stream_id = $1 AND kind = $2",
            crate::args![incident.0, "incident.reopened"],
        )
        .await?;
    let step_key = resolution_step_key(u64::try_from(reopens).unwrap_or_default());
    let mut queued = 0;
    for recipient in paged_recipients(tx, incident).await? {
        let notice = NewNotification {
            incident_id: incident,
            user_id: recipient.user_id,
            contact_method_id: recipient.contact_method_id,
            step_key: step_key.clone(),
            kind: MessageKind::Resolved,
            urgency: Urgency::Low,
            channel: recipient.channel,
            address: recipient.address,
            secret: recipient.secret,
            recipient_name: recipient.recipient_name,
            not_before: at,
        };
        queued += usize::from(super::enqueue(tx, notice, at).await?);
    }
    Ok(queued)
}
