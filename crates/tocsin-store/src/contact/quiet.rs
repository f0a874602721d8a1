//! Quiet hours as stored: minutes after local midnight for start and end, and a weekday mask.
use jiff::Timestamp;
use jiff::civil::Time;
use serde_json::json;
use tocsin_domain::contact::{QuietHours, Weekdays};
use tocsin_domain::id::UserId;
use uuid::Uuid;

use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

pub(crate) type QuietRow = (Uuid, i64, i64, i64);

fn minute_of(time: Time) -> i64 {
    i64::from(time.hour()) * 60 + i64::from(time.minute())
}

fn time_of(minute: i64) -> Result<Time, StoreError> {
    let hour = i8::try_from(minute / 60).map_err(|e| corrupt("quiet hours", e))?;
    let minute = i8::try_from(minute % 60).map_err(|e| corrupt("quiet hours", e))?;
    Time::new(hour, minute, 0, 0).map_err(|e| corrupt("quiet hours", e))
}

pub(crate) fn quiet_from(row: QuietRow) -> Result<(UserId, QuietHours), StoreError> {
    let (user, start, end, mask) = row;
    let days = Weekdays::from_mask(u8::try_from(mask).map_err(|e| corrupt("quiet days", e))?);
    let quiet = QuietHours::new(time_of(start)?, time_of(end)?, days)
        .map_err(|e| corrupt("quiet hours", e))?;
    Ok((UserId(user), quiet))
}

const SELECT: &str =
    "SELECT user_id, start_minute, end_minute, days_mask FROM user_quiet_hours WHERE user_id = $1";
const UPSERT: &str = "INSERT INTO user_quiet_hours \
    (user_id, start_minute, end_minute, days_mask, updated_at) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (user_id) DO UPDATE SET start_minute = $2, end_minute = $3, days_mask = $4, \
    updated_at = $5";
const DELETE: &str = "DELETE FROM user_quiet_hours WHERE user_id = $1";
const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE id = $1";

pub async fn get_quiet_hours(
    reader: Reader<'_>,
    user: UserId,
) -> Result<Option<QuietHours>, StoreError> {
    let row: Option<QuietRow> = reader.fetch_optional(SELECT, crate::args![user.0]).await?;
    row.map(|row| quiet_from(row).map(|(_, q)| q)).transpose()
}

fn describe(quiet: &QuietHours) -> serde_json::Value {
    json!({ "start": quiet.start().to_string(), "end": quiet.end().to_string(),
            "days": quiet.days().names() })
}

/// Sets (or replaces) a user's quiet hours and appends `user.quiet_hours_set`.
pub async fn put_quiet_hours(
    tx: &mut Tx,
    user: UserId,
    quiet: QuietHours,
    actor: &str,
    at: Timestamp,
) -> Result<QuietHours, StoreError> {
    let exists: i64 = tx.scalar(USER_EXISTS, crate::args![user.0]).await?;
    if exists == 0 {
        return Err(StoreError::NotFound("user"));
    }
    tx.execute(
        UPSERT,
        crate::args![
            user.0,
            minute_of(quiet.start()),
            minute_of(quiet.end()),
            i64::from(quiet.days().mask()),
            to_micros(at)
        ],
    )
    .await?;
    tx.append(NewEvent::new(
        "user",
        user.0,
        "user.quiet_hours_set",
        actor,
        at,
        describe(&quiet),
    ))
    .await?;
    Ok(quiet)
}

/// Removes a user's quiet hours (appending `user.quiet_hours_removed` when there were some).
pub async fn delete_quiet_hours(
    tx: &mut Tx,
    user: UserId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if tx.execute(DELETE, crate::args![user.0]).await? > 0 {
        tx.append(NewEvent::new(
            "user",
            user.0,
            "user.quiet_hours_removed",
            actor,
            at,
            json!({}),
        ))
        .await?;
    }
    Ok(())
}
