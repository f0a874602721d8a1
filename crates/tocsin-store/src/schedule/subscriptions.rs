//! Secret calendar subscription URLs: a random token shown once, stored as its SHA-256 hash, for
//! a schedule's final shifts or one user's shifts across schedules. Each owner holds at most one
//! live subscription per target: subscribing again revokes the previous URL (rotation).
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use tocsin_domain::id::{ScheduleId, UserId};
use uuid::Uuid;

use super::reads::load;
use crate::Reader;
use crate::catalog::corrupt;
use crate::catalog::users::get_user_in;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// What a subscription shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionKind {
    /// A schedule's final shifts (`target_id` is the schedule).
    Schedule,
    /// One user's shifts across every schedule (`target_id` is the user).
    User,
}

impl SubscriptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::User => "user",
        }
    }

    fn parse(raw: &str) -> Result<Self, StoreError> {
        match raw {
            "schedule" => Ok(Self::Schedule),
            "user" => Ok(Self::User),
            other => Err(corrupt("calendar subscription kind", other)),
        }
    }
}

/// A live subscription (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarSubscription {
    pub id: Uuid,
    pub kind: SubscriptionKind,
    pub target_id: Uuid,
    /// Who the URL was made for; it stops working when they are deactivated.
    pub owner_id: UserId,
    pub created_at: Timestamp,
}

const REVOKE_PREVIOUS: &str = "UPDATE calendar_subscriptions SET revoked_at = $4 \
    WHERE kind = $1 AND target_id = $2 AND owner_id = $3 AND revoked_at IS NULL";
const INSERT: &str = "INSERT INTO calendar_subscriptions \
    (id, token_hash, kind, target_id, owner_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const FIND_LIVE: &str = "SELECT c.id, c.kind, c.target_id, c.owner_id, c.created_at \
    FROM calendar_subscriptions c JOIN users u ON u.id = c.owner_id \
    WHERE c.token_hash = $1 AND c.revoked_at IS NULL AND u.active = $2";

/// Makes a subscription for `owner` to `target`, revoking the owner's previous one to the same
/// target, and records it (without the token) on the target's stream: `schedule.calendar_subscribed`
/// or `user.calendar_subscribed`. The target must exist.
pub async fn subscribe_calendar(
    tx: &mut Tx,
    kind: SubscriptionKind,
    target_id: Uuid,
    owner: UserId,
    token_hash: &[u8],
    actor: &str,
    at: Timestamp,
) -> Result<CalendarSubscription, StoreError> {
    let (stream, event) = match kind {
        SubscriptionKind::Schedule => {
            load(tx, ScheduleId(target_id)).await?;
            ("schedule", "schedule.calendar_subscribed")
        }
        SubscriptionKind::User => {
            get_user_in(tx, UserId(target_id)).await?;
            ("user", "user.calendar_subscribed")
        }
    };
    let now = to_micros(at);
    let revoked = tx
        .execute(
            REVOKE_PREVIOUS,
            crate::args![kind.as_str(), target_id, owner.0, now],
        )
        .await?;
    let subscription = CalendarSubscription {
        id: tocsin_domain::id::uuid_v7_at(at),
        kind,
        target_id,
        owner_id: owner,
        created_at: from_micros(now),
    };
    tx.execute(
        INSERT,
        crate::args![
            subscription.id,
            token_hash,
            kind.as_str(),
            target_id,
            owner.0,
            now
        ],
    )
    .await?;
    let body = json!({
        "subscription_id": subscription.id, "owner_id": owner, "revoked_previous": revoked,
    });
    tx.append(NewEvent::new(stream, target_id, event, actor, at, body))
        .await?;
    Ok(subscription)
}

/// The live subscription whose token hashes to `token_hash`: not revoked, its owner active.
pub async fn find_live_subscription(
    reader: Reader<'_>,
    token_hash: &[u8],
) -> Result<Option<CalendarSubscription>, StoreError> {
    let row: Option<(Uuid, String, Uuid, Uuid, i64)> = reader
        .fetch_optional(FIND_LIVE, crate::args![token_hash, true])
        .await?;
    row.map(|(id, kind, target_id, owner_id, created_at)| {
        Ok(CalendarSubscription {
            id,
            kind: SubscriptionKind::parse(&kind)?,
            target_id,
            owner_id: UserId(owner_id),
            created_at: from_micros(created_at),
        })
    })
    .transpose()
}
