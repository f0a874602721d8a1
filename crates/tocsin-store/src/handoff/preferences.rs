//! Which handoff notices a person wants: on-call start, end, both (the default) or none.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::UserId;
use tocsin_domain::oncall::handoff::HandoffPreference;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

const SELECT: &str =
    "SELECT on_call_start, on_call_end FROM handoff_preferences WHERE user_id = $1";
const UPSERT: &str = "INSERT INTO handoff_preferences (user_id, on_call_start, on_call_end, \
    updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET on_call_start = $2, \
    on_call_end = $3, updated_at = $4";
const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE id = $1";

fn from_row(row: Option<(bool, bool)>) -> HandoffPreference {
    row.map_or_else(
        HandoffPreference::default,
        |(on_call_start, on_call_end)| HandoffPreference {
            on_call_start,
            on_call_end,
        },
    )
}

/// A person's preference (both notices when they never chose).
pub async fn get_preference(
    reader: Reader<'_>,
    user: UserId,
) -> Result<HandoffPreference, StoreError> {
    Ok(from_row(
        reader.fetch_optional(SELECT, crate::args![user.0]).await?,
    ))
}

/// The same, inside a write (planning).
pub(super) async fn preference_in(
    tx: &mut Tx,
    user: UserId,
) -> Result<HandoffPreference, StoreError> {
    Ok(from_row(
        tx.fetch_optional(SELECT, crate::args![user.0]).await?,
    ))
}

/// Sets a person's preference and appends `user.handoff_notices_set`.
pub async fn put_preference(
    tx: &mut Tx,
    user: UserId,
    preference: HandoffPreference,
    actor: &str,
    at: Timestamp,
) -> Result<HandoffPreference, StoreError> {
    let exists: i64 = tx.scalar(USER_EXISTS, crate::args![user.0]).await?;
    if exists == 0 {
        return Err(StoreError::NotFound("user"));
    }
    let args = crate::args![
        user.0,
        preference.on_call_start,
        preference.on_call_end,
        to_micros(at)
    ];
    tx.execute(UPSERT, args).await?;
    let payload = json!({ "on_call_start": preference.on_call_start,
                          "on_call_end": preference.on_call_end });
    tx.append(NewEvent::new(
        "user",
        user.0,
        "user.handoff_notices_set",
        actor,
        at,
        payload,
    ))
    .await?;
    Ok(preference)
}
