//! The notification outbox: one row per (incident, escalation step, contact method, kind) under a
//! unique key, so a notification is queued once however often the engine decides it. The delivery
//! worker claims due rows with a lease and a fencing token (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), and records each attempt's outcome only while it still holds the row. Every
//! queueing, attempt and cancellation is an event on the incident's timeline (addresses masked).
mod claim;
mod enqueue;
pub mod handoff;
mod notices;
mod reads;
pub mod templates;

use jiff::Timestamp;
use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
use tocsin_domain::id::{IncidentId, UserId};
use uuid::Uuid;

use crate::events::NewEvent;

pub use claim::{claim_due, defer, next_due, record_outcome};
pub use enqueue::{
    PagedRecipient, cancel_pages, enqueue, enqueue_resolution_notices, paged_recipients,
};
pub use notices::{Notice, notify_users, owners_and_admins};
pub use reads::{
    AlertContext, LINK_USER_INACTIVE, NoticeContext, ensure_signing_key, notice_context,
    signing_key, use_action_link,
};

/// The channel PostgreSQL nodes `LISTEN` on to wake each other when a notification is queued.
pub const NOTIFY_CHANNEL: &str = "tocsin_outbox";

/// The step key of an incident's first resolution notices (the resolve contract); after a reopen
/// the next resolution is `resolved.2`, and so on (`resolution_step_key`).
pub const RESOLVED_STEP: &str = tocsin_domain::delivery::FIRST_RESOLUTION_STEP;

/// A notification to queue.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub incident_id: IncidentId,
    pub user_id: Option<UserId>,
    pub contact_method_id: Uuid,
    /// Chosen by the escalation engine (`c0.r0.s1`); part of the unique key.
    pub step_key: String,
    pub kind: MessageKind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub address: String,
    /// A webhook's signing secret (`whsec_...`).
    pub secret: Option<String>,
    pub recipient_name: Option<String>,
    /// Not sent before this instant (an incident's group wait).
    pub not_before: Timestamp,
}

/// A claimed row, with the fencing token its outcome must be recorded with.
#[derive(Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub incident_id: IncidentId,
    pub user_id: Option<UserId>,
    pub contact_method_id: Uuid,
    pub kind: MessageKind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub address: String,
    pub secret: Option<String>,
    pub recipient_name: Option<String>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The delay that preceded this attempt, in milliseconds (none before the first).
    pub last_delay_ms: Option<i64>,
    pub fence: i64,
    pub lease_until: Timestamp,
}

impl std::fmt::Debug for Claimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("id", &self.id)
            .field("incident_id", &self.incident_id)
            .field("kind", &self.kind)
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

/// How an attempt ended, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Delivered {
        receipt: Option<String>,
    },
    /// Failed for now; the next attempt is at `at` (after `delay_ms`).
    Retry {
        at: Timestamp,
        delay_ms: i64,
        reason: String,
    },
    /// Failed for good (a permanent refusal, or the retries ran out).
    Failed {
        reason: String,
    },
}

fn event(
    incident: IncidentId,
    kind: &'static str,
    actor: &str,
    at: Timestamp,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent::new("incident", incident.0, kind, actor, at, payload)
}
