//! Quiet hours: `{"start":"22:00","end":"07:00","days":["mon",...]}` in the user's time zone;
//! low-urgency notifications falling inside wait for the window's end.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Time;
use serde::Deserialize;
use tocsin_domain::contact::{QuietHours, Weekdays};
use tocsin_domain::error::Collector;
use tocsin_domain::id::UserId;
use tocsin_store::catalog::users;
use tocsin_store::contact;

use super::authorize;
use super::views::QuietHoursView;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// Quiet hours to set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutQuietHours {
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`; before `start` the window ends the next day; must differ from `start`.
    pub end: String,
    /// The weekdays a window starts on (`mon` ... `sun`); every day when omitted.
    pub days: Option<Vec<String>>,
}

/// `HH:MM`, 00:00 to 23:59.
fn parse_hhmm(raw: &str) -> Result<Time, String> {
    let expected = || "must be a local time HH:MM such as 22:00".to_owned();
    let (h, m) = raw.trim().split_once(':').ok_or_else(expected)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(expected());
    }
    let hour: i8 = h.parse().map_err(|_| expected())?;
    let minute: i8 = m.parse().map_err(|_| expected())?;
    Time::new(hour, minute, 0, 0).map_err(|_| expected())
}

/// A user's quiet hours (`null` when none are set).
#[utoipa::path(get, path = "/api/v1/users/{id}/quiet-hours", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = Option<QuietHoursView>),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<Json<Option<QuietHoursView>>, ApiError> {
    authorize(&caller, id)?;
    users::get_user(state.store.reader(), id).await?;
    let quiet = contact::get_quiet_hours(state.store.reader(), id).await?;
    Ok(Json(quiet.map(QuietHoursView::from)))
}

/// Set (or replace) a user's quiet hours.
#[utoipa::path(put, path = "/api/v1/users/{id}/quiet-hours", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = PutQuietHours, responses(
    (status = 200, body = QuietHoursView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(input): extract::Json<PutQuietHours>,
) -> Result<Json<QuietHoursView>, ApiError> {
    authorize(&caller, id)?;
    let mut problems = Collector::default();
    let start = problems.take("/start", parse_hhmm(&input.start));
    let end = problems.take("/end", parse_hhmm(&input.end));
    let days = match &input.days {
        Some(names) => problems.take("/days", Weekdays::parse_names(names)),
        None => Some(Weekdays::ALL),
    };
    problems.finish()?;
    let (Some(start), Some(end), Some(days)) = (start, end, days) else {
        return Err(ApiError::internal());
    };
    let quiet = QuietHours::new(start, end, days).map_err(|e| {
        let pointer = match e {
            tocsin_domain::contact::QuietHoursError::Empty => "/end",
            tocsin_domain::contact::QuietHoursError::NoDays => "/days",
        };
        ApiError::field(pointer, e.to_string())
    })?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let saved = state
        .store
        .write(move |tx| {
            Box::pin(async move { contact::put_quiet_hours(tx, id, quiet, &actor, now).await })
        })
        .await?;
    Ok(Json(saved.into()))
}

/// Remove a user's quiet hours.
#[utoipa::path(delete, path = "/api/v1/users/{id}/quiet-hours", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller, id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { contact::delete_quiet_hours(tx, id, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_two_digit_hours_and_minutes() {
        assert_eq!(parse_hhmm("22:00"), Ok(Time::constant(22, 0, 0, 0)));
        assert_eq!(parse_hhmm(" 07:30 "), Ok(Time::constant(7, 30, 0, 0)));
        for bad in ["24:00", "7:00", "07:60", "0700", "07:00:00", "aa:bb"] {
            assert!(parse_hhmm(bad).is_err(), "{bad}");
        }
    }
}
