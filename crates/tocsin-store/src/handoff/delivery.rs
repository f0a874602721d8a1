//! Claiming due handoff notices under a lease and a fencing token and recording an attempt's
//! outcome only while the claim holds, as the outbox does for pages.
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::delivery::{Channel, HandoffSummary, mask_address};
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::handoff::Direction;
use uuid::Uuid;

use super::ClaimedHandoff;
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::lease::{self, LeasedSql, leased_sql};
use crate::outbox::Recorded;
use crate::time::from_micros;
use crate::tx::Tx;

/// The handoff notices' leased-row statements.
const SQL: LeasedSql = leased_sql!("handoff_notices");

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
    lease::claim::<HandoffRow, _>(tx, &SQL, LOAD, node, now, lease, limit).await
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
    if !lease::finish(tx, &SQL, id, fence, &outcome, now).await? {
        return Ok(false);
    }
    let (kind, last_outcome) = match &outcome {
        Recorded::Delivered { .. } => ("schedule.handoff_notice_delivered", "delivered"),
        Recorded::Retry { reason, .. } => {
            ("schedule.handoff_notice_attempt_failed", reason.as_str())
        }
        Recorded::Failed { reason } => ("schedule.handoff_notice_failed", reason.as_str()),
    };
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
    lease::defer(tx, &SQL, id, fence, until, now).await
}

/// The earliest instant a notice is due: a pending one's next attempt, or a lease running out.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    lease::next_due(reader, &SQL).await
}
