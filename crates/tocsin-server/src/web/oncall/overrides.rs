//! The schedule page's override forms: add an override for a range typed (or picked on the
//! timeline) in the schedule's time zone, and remove one. Both call the API's override functions
//! with the viewer's caller, so the same people may do it.
use axum::extract::{Path, State};
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::ScheduleId;
use tocsin_store::schedule::{self, StoredSchedule};

use super::path_id;
use super::time::{self, Window};
use crate::api::common::PathIds;
use crate::api::schedules::overrides::{self as api_overrides, CreateOverride};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;
use crate::web::chrome::{after_action, api_problem};
use crate::web::clock;
use crate::web::form::{WebForm, non_blank};

/// The create-override form: local date-times in the schedule's zone and who covers.
#[derive(Debug, Deserialize)]
pub struct OverrideForm {
    starts_at: Option<String>,
    ends_at: Option<String>,
    user_id: Option<String>,
}

/// A form with only its CSRF token (a button).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// The range and person of a form, every problem named by its field.
fn parse(form: &OverrideForm, tz: &jiff::tz::TimeZone) -> Result<CreateOverride, ApiError> {
    let mut errors = Collector::default();
    let mut instant = |field: &str, raw: &Option<String>| match time::parse_local(
        raw.as_deref().unwrap_or_default(),
        tz,
    ) {
        Ok(at) => Some(at),
        Err(message) => {
            errors.push(FieldError::new(format!("/{field}"), message));
            None
        }
    };
    let start = instant("starts_at", &form.starts_at);
    let end = instant("ends_at", &form.ends_at);
    let user = non_blank(&form.user_id).and_then(|raw| raw.parse::<uuid::Uuid>().ok());
    if user.is_none() {
        errors.push(FieldError::new("/user_id", "choose who is on call instead"));
    }
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        errors.push(FieldError::new("/ends_at", "must be after starts_at"));
    }
    errors.finish()?;
    match (start, end, user) {
        (Some(start), Some(end), Some(user_id)) => Ok(CreateOverride {
            user_id,
            start,
            end,
        }),
        _ => Err(ApiError::internal()),
    }
}

/// The schedule of the path, once the viewer may override it.
async fn overridable(
    state: &AppState,
    viewer: &crate::web::chrome::Viewer,
    raw: &str,
) -> Result<StoredSchedule, ApiError> {
    let id: ScheduleId = path_id(raw, "schedule")?;
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    viewer
        .caller
        .authorize(Action::OverrideSchedule(stored.team_id))?;
    Ok(stored)
}

/// Where to go after adding an override starting at `start`: the schedule's default timeline,
/// or the one starting that day when the default does not show it.
fn back_to(state: &AppState, stored: &StoredSchedule, start: Timestamp) -> String {
    let page = format!("/on-call/schedules/{}", stored.id);
    let tz = clock::zone_named(stored.definition.time_zone.as_str());
    let now = state.clock.now();
    let shown = Window::parse(None, None, time::date_of(now, &tz), &tz)
        .is_ok_and(|window| window.from <= start && start < window.to);
    if shown {
        page
    } else {
        format!("{page}?from={}", time::date_of(start, &tz))
    }
}

/// `POST /on-call/schedules/{id}/overrides`
pub async fn create(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    WebForm(viewer, form): WebForm<OverrideForm>,
) -> Response {
    let back = format!("/on-call/schedules/{raw}");
    let stored = match overridable(&state, &viewer, &raw).await {
        Ok(stored) => stored,
        Err(error) => return api_problem(&viewer, error, &back),
    };
    let tz = clock::zone_named(stored.definition.time_zone.as_str());
    let input = match parse(&form, &tz) {
        Ok(input) => input,
        Err(error) => return api_problem(&viewer, error, &back),
    };
    let target = back_to(&state, &stored, input.start);
    let outcome = api_overrides::create(
        State(state.clone()),
        viewer.caller.clone(),
        PathId(stored.id),
        extract::Json(input),
    )
    .await;
    after_action(&viewer, outcome, &target)
}

/// `POST /on-call/schedules/{id}/overrides/{override_id}/remove`
pub async fn remove(
    State(state): State<AppState>,
    Path((raw, override_raw)): Path<(String, String)>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let back = format!("/on-call/schedules/{raw}");
    let ids = overridable(&state, &viewer, &raw).await.and_then(|stored| {
        let override_id: uuid::Uuid = path_id(&override_raw, "override")?;
        Ok(PathIds(stored.id, override_id))
    });
    let outcome = match ids {
        Ok(ids) => api_overrides::delete(State(state.clone()), viewer.caller.clone(), ids).await,
        Err(error) => Err(error),
    };
    after_action(&viewer, outcome, &back)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(start: &str, end: &str, user: &str) -> OverrideForm {
        OverrideForm {
            starts_at: Some(start.to_owned()),
            ends_at: Some(end.to_owned()),
            user_id: Some(user.to_owned()),
        }
    }

    const ADA: &str = "0192f0c4-0000-7000-8000-000000000001";

    fn pointers(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn a_range_is_read_in_the_schedule_zone() {
        let tz = clock::zone_named("America/New_York");
        let parsed = parse(&form("2026-11-28T09:00", "2026-11-28T17:00", ADA), &tz).expect("ok");
        assert_eq!(parsed.start.to_string(), "2026-11-28T14:00:00Z");
        assert_eq!(parsed.end.to_string(), "2026-11-28T22:00:00Z");
        assert_eq!(parsed.user_id.to_string(), ADA);
    }

    #[test]
    fn every_bad_field_is_named() {
        let tz = clock::zone_named("UTC");
        let backwards = parse(&form("2026-11-28T09:00", "2026-11-28T08:00", ADA), &tz);
        assert_eq!(pointers(backwards.expect_err("refused")), ["/ends_at"]);
        let garbage = parse(&form("soon", "", "nobody"), &tz).expect_err("refused");
        assert_eq!(garbage.kind.status().as_u16(), 422);
        assert_eq!(pointers(garbage), ["/starts_at", "/ends_at", "/user_id"]);
    }
}
