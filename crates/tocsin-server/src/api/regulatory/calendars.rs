//! `GET` and `PUT /api/v1/holiday-calendars/{name}`: the holiday calendars business-day deadlines
//! count in (`us-federal` and `target2` are seeded for 2026 and 2027). Anyone who reads incidents
//! reads them; admins change them. A change applies to clocks started afterwards: a deadline is
//! recorded once, when its clock starts.
use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use jiff::tz::TimeZone;
use serde::Deserialize;
use tocsin_domain::error::Collector;
use tocsin_domain::regulatory::business_days::limits::MAX_HOLIDAYS;
use tocsin_store::regulatory::{self as store, Holiday};

use super::views::{CalendarView, HolidayView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract;
use crate::state::AppState;

/// The longest calendar or holiday name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// A calendar's name as stored: 1 to 40 of `a-z`, `0-9` and `-`, starting with a letter.
fn parse_name(raw: &str) -> Result<String, ApiError> {
    let mut chars = raw.chars();
    let first = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if first && rest && raw.len() <= 40 {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::parameter(
            "name",
            "must be 1 to 40 lowercase letters, digits and '-', starting with a letter",
        ))
    }
}

/// A calendar's content.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCalendar {
    /// An IANA time zone (`America/New_York`): business days are counted in it.
    pub time_zone: String,
    /// The closed days, each date once (at most 1000).
    pub holidays: Vec<HolidayView>,
}

/// Read a holiday calendar.
#[utoipa::path(get, path = "/api/v1/holiday-calendars/{name}", tag = "regulatory",
    security(("bearer" = [])), params(("name" = String, Path)), responses(
    (status = 200, body = CalendarView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_calendar(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Json<CalendarView>, ApiError> {
    let name = parse_name(&name)?;
    let stored = store::get_calendar(state.store.reader(), &name)
        .await?
        .ok_or_else(|| ApiError::not_found("holiday calendar"))?;
    Ok(Json(stored.into()))
}

/// Create or replace a holiday calendar (admins).
#[utoipa::path(put, path = "/api/v1/holiday-calendars/{name}", tag = "regulatory",
    security(("bearer" = [])), params(("name" = String, Path)),
    request_body = SetCalendar, responses(
    (status = 200, body = CalendarView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_calendar(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(name): axum::extract::Path<String>,
    extract::Json(input): extract::Json<SetCalendar>,
) -> Result<Json<CalendarView>, ApiError> {
    let name = parse_name(&name)?;
    let mut problems = Collector::default();
    problems.take("/time_zone", TimeZone::get(&input.time_zone));
    if input.holidays.len() > MAX_HOLIDAYS {
        problems.take::<(), _>(
            "/holidays",
            Err(format!("must have at most {MAX_HOLIDAYS} items")),
        );
    }
    let mut seen = BTreeSet::new();
    for (index, holiday) in input.holidays.iter().enumerate() {
        if !seen.insert(holiday.date) {
            problems.take::<(), _>(&format!("/holidays/{index}/date"), Err("is listed twice"));
        }
        let chars = holiday.name.trim().chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            problems.take::<(), _>(
                &format!("/holidays/{index}/name"),
                Err(format!("must be 1 to {MAX_NAME_CHARS} characters")),
            );
        }
    }
    problems.finish()?;
    let mut holidays: Vec<Holiday> = input
        .holidays
        .into_iter()
        .map(|h| Holiday {
            date: h.date,
            name: h.name.trim().to_owned(),
        })
        .collect();
    holidays.sort_by_key(|h| h.date);
    let (actor, now, zone) = (caller.actor(), state.clock.now(), input.time_zone);
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { store::put_calendar(tx, &name, &zone, holidays, &actor, now).await },
            )
        })
        .await?;
    Ok(Json(stored.into()))
}
