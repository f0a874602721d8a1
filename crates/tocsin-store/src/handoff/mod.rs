//! Handoff notices: "you are now on call" and "you are no longer on call" at each shift boundary,
//! to the people coming on and going off call. Planning finds the boundaries passed since the
//! last planning (from the schedules as they are now, overrides folded in) and queues one row per
//! (schedule, user, boundary, direction, contact method) under a unique key, so several nodes
//! planning the same boundary queue it once. Rows are delivered like the outbox's (claimed under
//! a lease and a fencing token, `FOR UPDATE SKIP LOCKED` on PostgreSQL) but live in their own
//! table: outbox rows belong to an incident and its timeline. Outcomes are events on the
//! schedule's stream.
mod delivery;
mod planning;
mod preferences;

use jiff::Timestamp;
use tocsin_domain::delivery::{Channel, HandoffSummary};
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::handoff::Direction;
use uuid::Uuid;

pub use delivery::{claim_due, defer, next_due, record_outcome};
pub use planning::{Queued, ScheduleTransition, due_transitions, planned_until, queue};
pub use preferences::{get_preference, put_preference};

/// A claimed handoff notice, with the fencing token its outcome must be recorded with.
#[derive(Clone)]
pub struct ClaimedHandoff {
    pub id: Uuid,
    pub schedule_id: ScheduleId,
    pub user_id: UserId,
    pub direction: Direction,
    pub channel: Channel,
    pub address: String,
    pub secret: Option<String>,
    pub recipient_name: String,
    pub handoff: HandoffSummary,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The delay that preceded this attempt, in milliseconds (none before the first).
    pub last_delay_ms: Option<i64>,
    pub fence: i64,
    pub lease_until: Timestamp,
}

impl std::fmt::Debug for ClaimedHandoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedHandoff")
            .field("id", &self.id)
            .field("schedule_id", &self.schedule_id)
            .field("direction", &self.direction)
            .field("channel", &self.channel)
            .field(
                "address",
                &tocsin_domain::delivery::mask_address(self.channel, &self.address),
            )
            .field("attempts", &self.attempts)
            .field("fence", &self.fence)
            .finish_non_exhaustive()
    }
}
