//! The home page's "on call now" panel: for each schedule of the viewer's teams, who is on call
//! at this moment and until when (their back-to-back shifts joined).
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::access::Action;
use tocsin_domain::id::UserId;
use tocsin_domain::oncall::{self, FinalShift};
use tocsin_store::{catalog, schedule};

use super::chrome::Viewer;
use crate::api::schedules::budget;
use crate::api::schedules::timeline::with_overrides;
use crate::api::schedules::views::Names;
use crate::error::ApiError;
use crate::state::AppState;

/// How far ahead the panel looks for the end of a shift.
const LOOK_AHEAD_DAYS: i64 = 14;

/// One person on call now in a schedule, and until when.
#[derive(Debug, Clone)]
pub struct OnCallPerson {
    pub name: String,
    /// `until 2026-11-28 09:00 UTC`, or `at least until ...` when the shift outlasts the
    /// look-ahead.
    pub until: String,
}

/// One schedule of the viewer's teams; no people: nobody is on call (a gap).
#[derive(Debug, Clone)]
pub struct OnCallRow {
    pub schedule_id: uuid::Uuid,
    pub schedule: String,
    pub people: Vec<OnCallPerson>,
}

/// Who is on call now in each schedule of the viewer's teams, by schedule name; `None`: their
/// role may not read schedules.
pub async fn on_call_for_teams(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Option<Vec<OnCallRow>>, ApiError> {
    if viewer.caller.authorize(Action::ReadSchedules).is_err() {
        return Ok(None);
    }
    let reader = state.store.reader();
    let teams: Vec<_> = catalog::teams_of_user(reader, viewer.user_id)
        .await?
        .into_iter()
        .map(|(team, _)| team)
        .collect();
    let now = state.clock.now();
    let horizon = now
        .checked_add(SignedDuration::from_hours(24 * LOOK_AHEAD_DAYS))
        .map_err(|_| ApiError::parameter("at", "is outside the supported range of dates"))?;
    let mut found = Vec::new();
    for stored in schedule::list_all_schedules(reader).await? {
        if !stored.team_id.is_some_and(|team| teams.contains(&team)) {
            continue;
        }
        let (definition, _) = with_overrides(state, &stored, now, horizon).await?;
        let end = budget::fit(&definition, now, horizon);
        let shifts = oncall::shifts_between(&definition, now, end);
        let on_call = on_call_until(&shifts, now);
        found.push((stored, on_call, end));
    }
    let people: Vec<UserId> = found
        .iter()
        .flat_map(|(_, on_call, _)| on_call.iter().map(|(user, _)| *user))
        .collect();
    let names = Names::of(reader, people).await?;
    let mut rows: Vec<OnCallRow> = found
        .into_iter()
        .map(|(stored, on_call, end)| OnCallRow {
            schedule_id: stored.id.0,
            schedule: stored.name.into(),
            people: on_call
                .into_iter()
                .map(|(user, until)| OnCallPerson {
                    name: names.name(user).to_owned(),
                    until: if until >= end {
                        format!("at least until {}", viewer.when(end))
                    } else {
                        format!("until {}", viewer.when(until))
                    },
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|row| row.schedule.to_lowercase());
    Ok(Some(rows))
}

/// The people on call at `now` and when each one's time ends: their shift holding `now`,
/// extended through shifts of theirs that touch or overlap it. In the shifts' order.
pub fn on_call_until(shifts: &[FinalShift], now: Timestamp) -> Vec<(UserId, Timestamp)> {
    let mut on_call: Vec<(UserId, Timestamp)> = Vec::new();
    for shift in shifts.iter().filter(|s| s.interval().contains(now)) {
        if on_call.iter().any(|(user, _)| *user == shift.user) {
            continue;
        }
        let mut until = shift.end;
        while let Some(next) = shifts
            .iter()
            .filter(|s| s.user == shift.user && s.start <= until && s.end > until)
            .map(|s| s.end)
            .max()
        {
            until = next;
        }
        on_call.push((shift.user, until));
    }
    on_call
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_domain::oncall::Source;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("test instant")
    }

    fn shift(user: UserId, start: &str, end: &str, source: Source) -> FinalShift {
        FinalShift {
            user,
            start: at(start),
            end: at(end),
            source,
        }
    }

    #[test]
    fn back_to_back_shifts_of_one_person_end_together() {
        let (ana, ben) = (UserId(uuid::Uuid::now_v7()), UserId(uuid::Uuid::now_v7()));
        let shifts = [
            shift(
                ana,
                "2026-11-28T00:00:00Z",
                "2026-11-28T12:00:00Z",
                Source::Layer(0),
            ),
            shift(
                ana,
                "2026-11-28T12:00:00Z",
                "2026-11-28T14:00:00Z",
                Source::Override(0),
            ),
            shift(
                ben,
                "2026-11-28T14:00:00Z",
                "2026-11-29T00:00:00Z",
                Source::Layer(0),
            ),
            shift(
                ana,
                "2026-11-29T00:00:00Z",
                "2026-11-29T12:00:00Z",
                Source::Layer(0),
            ),
        ];
        let now = at("2026-11-28T09:00:00Z");
        assert_eq!(
            on_call_until(&shifts, now),
            vec![(ana, at("2026-11-28T14:00:00Z"))]
        );
        assert_eq!(
            on_call_until(&shifts, at("2026-11-28T20:00:00Z")),
            vec![(ben, at("2026-11-29T00:00:00Z"))]
        );
    }

    #[test]
    fn a_gap_has_nobody_on_call() {
        let ana = UserId(uuid::Uuid::now_v7());
        let shifts = [shift(
            ana,
            "2026-11-28T12:00:00Z",
            "2026-11-28T14:00:00Z",
            Source::Layer(0),
        )];
        assert!(on_call_until(&shifts, at("2026-11-28T09:00:00Z")).is_empty());
    }
}
