//! Claiming due handoff notices under a lease and a fencing token and recording an attempt's
//! outcome only while the claim holds, as the outbox does for pages.
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::delivery::{Channel, HandoffSummary, mask_address};
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::handoff::Direction;
use uuid::Uuid;

use super::ClaimedHandoff;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::outbox::Recorded;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;
use crate::{Backend, Reader};

/// Due pending rows, or rows whose sender's lease ran out; only the lock clause differs.
const CLAIM_POSTGRES: &str = "UPDATE handoff_notices SET state = 'sending', claimed_by = $1, \
    lease_until = $2, fence = fence + 1, updated_at = $3 WHERE id IN (SELECT id FROM \
    handoff_notices WHERE (state = 'pending' AND next_attempt_at <= $3) \
    OR (state = 'sending' AND lease_until <= $3) ORDER BY next_attempt_at LIMIT $4 \
    FOR UPDATE SKIP LOCKED) RETURNING id";
const CLAIM_SQLITE: &str = "UPDATE handoff_notices SET state = 'sending', claimed_by = $1, \
    lease_until = $2, fence = fence + 1, updated_at = $3 WHERE id IN (SELECT id FROM \
    handoff_notices WHERE (state = 'pending' AND next_attempt_at <= $3) \
    OR (state = 'sending' AND lease_until <= $3) ORDER BY next_attempt_at LIMIT $4) RETURNING id";

const LOAD: &str = "SELECT id, schedule_id, user_id, direction, channel, address, secret, \
    recipient_name, handoff, attempts, last_delay_ms, fence, lease_until FROM handoff_notices \
    WHERE id = $1";

crate::sql_row! {
    struct HandoffRow {
        id: Uuid, schedule_id: Uuid, user_id: Uuid, direction: String, channel: String,
        address: String, secret: Option<String>, recipient_name: String, handoff: String,
        attempts: i64, last_delay_ms: Option<i64>, fence: i64, lease_until: Option<i64>
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("handoff notice has {what} {value:?}"))
}

impl TryFrom<HandoffRow> for ClaimedHandoff {
    type Error = StoreError;

    fn try_from(row: HandoffRow) -> Result<Self, StoreError> {
        let handoff: HandoffSummary = serde_json::from_str(&row.handoff)
            .map_err(|e| StoreError::Corrupt(format!("handoff notice summary: {e}")))?;
        Ok(ClaimedHandoff {
            id: row.id,
            schedule_id: ScheduleId(row.schedule_id),
            user_id: UserId(row.user_id),
            direction: Direction::parse(&row.direction)
                .ok_or_else(|| corrupt("direction", &row.direction))?,
            channel: Channel::parse(&row.channel)
                .ok_or_else(|| corrupt("channel", &row.channel))?,
            address: row.address,
            secret: row.secret,
            recipient_name: row.recipient_name,
            handoff,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            last_delay_ms: row.last_delay_ms,
            fence: row.fence,
            lease_until: from_micros(row.lease_until.unwrap_or_default()),
        })
    }
}

/// Claims at most `limit` notices due by `now` for `node`, each leased until `now + lease`
/// under a new fencing token.
pub async fn claim_due(
    tx: &mut Tx,
    node: &str,
    now: Timestamp,
    lease: SignedDuration,
    limit: i64,
) -> Result<Vec<ClaimedHandoff>, StoreError> {
    let sql = match tx.backend() {
        Backend::Postgres => CLAIM_POSTGRES,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let args = crate::args![node, to_micros(now + lease), to_micros(now), limit];
    let ids: Vec<Uuid> = tx.scalars(sql, args).await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let row: HandoffRow = tx.fetch_one(LOAD, crate::args![id]).await?;
        claimed.push(ClaimedHandoff::try_from(row)?);
    }
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Records how an attempt ended if the claim (`fence`) still holds; answers whether it did.
/// Each outcome is an event on the schedule's stream (address masked).
pub async fn record_outcome(
    tx: &mut Tx,
    id: Uuid,
    fence: i64,
    outcome: Recorded,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (state, next_at, delay_ms, last_outcome, receipt, kind) = match &outcome {
        Recorded::Delivered { receipt } => (
            "delivered",
            now,
            None,
            "delivered".to_owned(),
            receipt.clone(),
            "schedule.handoff_notice_delivered",
        ),
        Recorded::Retry {
            at,
            delay_ms,
            reason,
        } => (
            "pending",
            *at,
            Some(*delay_ms),
            reason.clone(),
            None,
            "schedule.handoff_notice_attempt_failed",
        ),
        Recorded::Failed { reason } => (
            "failed",
            now,
            None,
            reason.clone(),
            None,
            "schedule.handoff_notice_failed",
        ),
    };
    let changed = tx
        .execute(
            "UPDATE handoff_notices SET state = $3, attempts = attempts + 1, \
             next_attempt_at = $4, last_delay_ms = COALESCE($5, last_delay_ms), last_outcome = $6, \
             receipt = $7, claimed_by = NULL, lease_until = NULL, updated_at = $8 \
             WHERE id = $1 AND fence = $2 AND state = 'sending'",
            crate::args![
                id,
                fence,
                state,
                to_micros(next_at),
                delay_ms,
                last_outcome.as_str(),
                &receipt,
                to_micros(now)
            ],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let row: HandoffRow = tx.fetch_one(LOAD, crate::args![id]).await?;
    let done = ClaimedHandoff::try_from(row)?;
    let payload = json!({
        "notice_id": id, "attempt": done.attempts, "direction": done.direction,
        "boundary_at": done.handoff.at, "user_id": done.user_id, "channel": done.channel,
        "address": mask_address(done.channel, &done.address), "outcome": last_outcome,
    });
    let event = NewEvent::new(
        "schedule",
        done.schedule_id.0,
        kind,
        "system:tocsin",
        now,
        payload,
    );
    tx.append(event).await?;
    Ok(true)
}

/// Puts a claimed notice back without counting an attempt (rate limited, circuit open):
/// pending again at `until`. Answers whether the claim still held.
pub async fn defer(
    tx: &mut Tx,
    id: Uuid,
    fence: i64,
    until: Timestamp,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let changed = tx
        .execute(
            "UPDATE handoff_notices SET state = 'pending', next_attempt_at = $3, \
             claimed_by = NULL, lease_until = NULL, updated_at = $4 \
             WHERE id = $1 AND fence = $2 AND state = 'sending'",
            crate::args![id, fence, to_micros(until), to_micros(now)],
        )
        .await?;
    Ok(changed > 0)
}

/// The earliest instant a notice is due: a pending one's next attempt, or a lease running out.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let (pending, leased): (Option<i64>, Option<i64>) = reader
        .fetch_one(
            "SELECT (SELECT MIN(next_attempt_at) FROM handoff_notices WHERE state = 'pending'), \
             (SELECT MIN(lease_until) FROM handoff_notices WHERE state = 'sending')",
            crate::args![],
        )
        .await?;
    Ok(pending.into_iter().chain(leased).min().map(from_micros))
}
