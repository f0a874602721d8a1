//! Claiming due notifications with a lease and a fencing token, and recording an attempt's
//! outcome only while the claim still holds: a node whose lease expired (and whose row another
//! node claimed, raising the fence) records nothing.
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency, mask_address};
use tocsin_domain::id::{IncidentId, UserId};
use uuid::Uuid;

use super::{Claimed, Recorded, event};
use crate::Reader;
use crate::error::StoreError;
use crate::lease::{self, LeasedSql, leased_sql};
use crate::time::from_micros;
use crate::tx::Tx;

/// The outbox's leased-row statements.
const SQL: LeasedSql = leased_sql!("notification_outbox");

crate::sql_row! {
    struct ClaimedRow {
        id: Uuid, incident_id: Uuid, user_id: Option<Uuid>, contact_method_id: Uuid, kind: String, urgency: String,
        channel: String, address: String, secret: Option<String>, recipient_name: Option<String>,
        attempts: i64, last_delay_ms: Option<i64>, fence: i64, lease_until: Option<i64>
    }
}

const LOAD: &str = "SELECT id, incident_id, user_id, contact_method_id, kind, urgency, channel, address, secret, \
    recipient_name, attempts, last_delay_ms, fence, lease_until FROM notification_outbox \
    WHERE id = $1";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("outbox row has {what} {value:?}"))
}

impl TryFrom<ClaimedRow> for Claimed {
    type Error = StoreError;

    fn try_from(row: ClaimedRow) -> Result<Self, StoreError> {
        Ok(Claimed {
            id: row.id,
            incident_id: IncidentId(row.incident_id),
            user_id: row.user_id.map(UserId),
            contact_method_id: row.contact_method_id,
            kind: MessageKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
            urgency: Urgency::parse(&row.urgency)
                .ok_or_else(|| corrupt("urgency", &row.urgency))?,
            channel: Channel::parse(&row.channel)
                .ok_or_else(|| corrupt("channel", &row.channel))?,
            address: row.address,
            secret: row.secret,
            recipient_name: row.recipient_name,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            last_delay_ms: row.last_delay_ms,
            fence: row.fence,
            lease_until: from_micros(row.lease_until.unwrap_or_default()),
        })
    }
}

/// Claims at most `limit` notifications due by `now` for `node`, each leased until
/// `now + lease` under a new fencing token.
pub async fn claim_due(
    tx: &mut Tx,
    node: &str,
    now: Timestamp,
    lease: SignedDuration,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    lease::claim::<ClaimedRow, _>(tx, &SQL, LOAD, node, now, lease, limit).await
}

/// Records how an attempt of a claimed notification ended, if the claim (`fence`) still holds;
/// answers whether it did. Each attempt is an event on the incident's timeline.
pub async fn record_outcome(
    tx: &mut Tx,
    id: Uuid,
    fence: i64,
    outcome: Recorded,
    now: Timestamp,
) -> Result<bool, StoreError> {
    if !lease::finish(tx, &SQL, id, fence, &outcome, now).await? {
        return Ok(false);
    }
    let row: ClaimedRow = tx.fetch_one(LOAD, crate::args![id]).await?;
    let done = Claimed::try_from(row)?;
    let mut payload = json!({
        "notification_id": id, "attempt": done.attempts, "kind": done.kind,
        "channel": done.channel, "address": mask_address(done.channel, &done.address),
        "recipient_user_id": done.user_id,
    });
    let kind = match outcome {
        Recorded::Delivered { receipt } => {
            payload["outcome"] = json!("delivered");
            payload["receipt"] = json!(receipt);
            "notification.delivered"
        }
        Recorded::Retry { at, reason, .. } => {
            payload["outcome"] = json!("retryable");
            payload["reason"] = json!(reason);
            payload["next_attempt_at"] = json!(at);
            "notification.attempt_failed"
        }
        Recorded::Failed { reason } => {
            payload["outcome"] = json!("failed");
            payload["reason"] = json!(reason);
            "notification.failed"
        }
    };
    tx.append(event(done.incident_id, kind, "system:tocsin", now, payload))
        .await?;
    Ok(true)
}

/// Puts a claimed notification back without counting an attempt (its destination is rate limited
/// or its circuit open): pending again at `until`. Answers whether the claim still held.
pub async fn defer(
    tx: &mut Tx,
    id: Uuid,
    fence: i64,
    until: Timestamp,
    now: Timestamp,
) -> Result<bool, StoreError> {
    lease::defer(tx, &SQL, id, fence, until, now).await
}

/// The earliest instant a notification is due: a pending one's next attempt, or a claimed one's
/// lease running out.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    lease::next_due(reader, &SQL).await
}
