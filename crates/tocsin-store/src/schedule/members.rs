//! The users a schedule's definition names (rotation participants, temporary shifts): each must
//! exist and be active when the schedule is saved, and `schedule_members` keeps the list so a user
//! in a schedule cannot be deactivated from under it and a user's calendar finds their schedules.
use std::collections::BTreeSet;

use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::Schedule;
use uuid::Uuid;

use crate::error::StoreError;
use crate::tx::Tx;

const USER_ACTIVE: &str = "SELECT active FROM users WHERE id = $1";
const CLEAR: &str = "DELETE FROM schedule_members WHERE schedule_id = $1";
const INSERT: &str = "INSERT INTO schedule_members (schedule_id, user_id) VALUES ($1, $2)";
const NAMING_USER: &str = "SELECT s.name FROM schedules s WHERE s.id IN \
    (SELECT schedule_id FROM schedule_members WHERE user_id = $1 \
     UNION SELECT schedule_id FROM schedule_overrides WHERE user_id = $1 AND ends_at > $2) \
    ORDER BY s.name";

/// Every user the definition names, with the JSON pointer of each mention.
pub(crate) fn user_mentions(schedule: &Schedule) -> Vec<(String, UserId)> {
    let mut mentions = Vec::new();
    for (l, layer) in schedule.layers.iter().enumerate() {
        for (p, user) in layer.rotation.participants.iter().enumerate() {
            mentions.push((format!("/layers/{l}/rotation/participants/{p}"), *user));
        }
    }
    for (t, temporary) in schedule.temporary.iter().enumerate() {
        for (s, shift) in temporary.shifts.iter().enumerate() {
            mentions.push((format!("/temporary/{t}/shifts/{s}/user"), shift.user));
        }
    }
    mentions
}

/// Refuses a user who does not exist or is deactivated, under `pointer`.
pub(crate) async fn check_user(
    tx: &mut Tx,
    problems: &mut Collector,
    pointer: &str,
    user: UserId,
) -> Result<(), StoreError> {
    let active: Option<bool> = tx
        .scalar_optional(USER_ACTIVE, crate::args![user.0])
        .await?;
    match active {
        None => problems.push(FieldError::new(
            pointer,
            format!("no user has the id {user}"),
        )),
        Some(false) => problems.push(FieldError::new(
            pointer,
            format!("the user {user} is deactivated"),
        )),
        Some(true) => {}
    }
    Ok(())
}

/// Checks every user the definition names (each distinct user once, reported at its first
/// mention).
pub(crate) async fn check_users(tx: &mut Tx, schedule: &Schedule) -> Result<(), StoreError> {
    let mut problems = Collector::default();
    let mut seen = BTreeSet::new();
    for (pointer, user) in user_mentions(schedule) {
        if seen.insert(user) {
            check_user(tx, &mut problems, &pointer, user).await?;
        }
    }
    problems.finish().map_err(StoreError::Invalid)
}

/// Replaces the schedule's member rows with the users its definition names.
pub(crate) async fn write_members(
    tx: &mut Tx,
    id: ScheduleId,
    schedule: &Schedule,
) -> Result<(), StoreError> {
    tx.execute(CLEAR, crate::args![id.0]).await?;
    let users: BTreeSet<Uuid> = user_mentions(schedule)
        .into_iter()
        .map(|(_, u)| u.0)
        .collect();
    for user in users {
        tx.execute(INSERT, crate::args![id.0, user]).await?;
    }
    Ok(())
}

/// The names of the schedules that put `user` on call: in a rotation or a temporary shift, or
/// through an override that has not ended by `at`. Read inside a write, so a deactivation can
/// refuse.
pub async fn schedules_naming_user(
    tx: &mut Tx,
    user: UserId,
    at: jiff::Timestamp,
) -> Result<Vec<String>, StoreError> {
    tx.scalars(NAMING_USER, crate::args![user.0, crate::to_micros(at)])
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_point_at_participants_and_temporary_shifts() {
        let a = UserId(Uuid::from_u128(1));
        let b = UserId(Uuid::from_u128(2));
        let schedule: Schedule = serde_json::from_value(serde_json::json!({
            "time_zone": "UTC",
            "layers": [{"name": "L", "starts_at": "2026-01-01T00:00:00Z",
                "rotation": {"participants": [a, b], "shift": {"days": 1},
                    "first_handoff": "2026-01-01T09:00", "time_zone": "UTC"}}],
            "temporary": [{"start": "2026-02-01T00:00:00Z", "end": "2026-02-02T00:00:00Z",
                "shifts": [{"user": b, "start": "2026-02-01T00:00:00Z", "end": "2026-02-02T00:00:00Z"}]}]
        }))
        .expect("a valid schedule");
        let pointers: Vec<(String, UserId)> = user_mentions(&schedule);
        assert_eq!(
            pointers,
            vec![
                ("/layers/0/rotation/participants/0".to_owned(), a),
                ("/layers/0/rotation/participants/1".to_owned(), b),
                ("/temporary/0/shifts/0/user".to_owned(), b),
            ]
        );
    }
}
