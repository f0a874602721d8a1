//! iCalendar subscriptions: a secret URL per (owner, schedule) or (owner, user), shown once, that
//! calendar applications poll without signing in. Creating one again rotates it (the previous URL
//! stops working). The feed holds final shifts from 7 days back to 60 days ahead, in UTC.
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::{self, CalendarShift, FinalShift};
use tocsin_store::catalog::users;
use tocsin_store::schedule::{self, CalendarSubscription, StoredSchedule, SubscriptionKind};

use super::budget;
use super::range::days;
use super::timeline::with_overrides;
use super::views::Names;
use crate::auth::Caller;
use crate::auth::secrets::{hash_secret, random_secret};
use crate::error::ApiError;
use crate::extract::PathId;
use crate::state::AppState;

/// Prefix of calendar subscription tokens.
pub const CALENDAR_TOKEN_PREFIX: &str = "tocsin_cal_";
/// How far back and ahead a feed reaches, in days.
const DAYS_BACK: i64 = 7;
const DAYS_AHEAD: i64 = 60;

/// A new calendar subscription. The URL is shown only now; keep it secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// `schedule` or `user`.
    pub kind: String,
    #[schema(value_type = String, format = Uuid)]
    pub target_id: uuid::Uuid,
    /// The feed (`https://.../api/v1/calendars/<token>.ics`).
    pub url: String,
    /// The same feed as a `webcal://` link, which calendar applications open as a subscription.
    pub webcal_url: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

async fn subscribe(
    state: &AppState,
    caller: &Caller,
    kind: SubscriptionKind,
    target: uuid::Uuid,
) -> Result<(StatusCode, axum::Json<SubscriptionView>), ApiError> {
    let owner = caller.user_id()?;
    let token = random_secret(CALENDAR_TOKEN_PREFIX);
    let token_hash = hash_secret(&token);
    let (actor, now) = (caller.actor(), state.clock.now());
    let made: CalendarSubscription = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                schedule::subscribe_calendar(tx, kind, target, owner, &token_hash, &actor, now)
                    .await
            })
        })
        .await?;
    let url = format!(
        "{}/api/v1/calendars/{token}.ics",
        state.config.public_url.trim_end_matches('/')
    );
    let webcal_url = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    let view = SubscriptionView {
        id: made.id,
        kind: kind.as_str().to_owned(),
        target_id: made.target_id,
        url,
        webcal_url,
        created_at: made.created_at,
    };
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Create (or rotate) your secret iCalendar URL for a schedule's final shifts. Your previous URL
/// for this schedule stops working.
#[utoipa::path(post, path = "/api/v1/schedules/{id}/calendar-subscription", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 201, body = SubscriptionView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn subscribe_schedule(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ScheduleId>,
) -> Result<(StatusCode, axum::Json<SubscriptionView>), ApiError> {
    subscribe(&state, &caller, SubscriptionKind::Schedule, id.0).await
}

/// Create (or rotate) a secret iCalendar URL for one user's shifts across every schedule: for
/// yourself, or (admins) for anyone. The previous URL you made for that user stops working.
#[utoipa::path(post, path = "/api/v1/users/{id}/calendar-subscription", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 201, body = SubscriptionView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn subscribe_user(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<(StatusCode, axum::Json<SubscriptionView>), ApiError> {
    if caller.user_id()? == id {
        caller.authorize(Action::ReadSchedules)?;
    } else {
        caller.authorize(Action::ManageUsers)?;
    }
    subscribe(&state, &caller, SubscriptionKind::User, id.0).await
}

/// A calendar feed, by its secret: `<token>.ics`.
#[utoipa::path(get, path = "/api/v1/calendars/{file}", tag = "oncall",
    params(("file" = String, Path, description = "The subscription's secret token followed by `.ics`")),
    responses(
    (status = 200, content_type = "text/calendar", body = String,
        description = "RFC 5545 calendar: one event per shift, UTC times"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json",
        description = "No live subscription has this token (unknown, rotated or revoked)"),
))]
pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found("calendar");
    let token = file.strip_suffix(".ics").ok_or_else(missing)?;
    if !token.starts_with(CALENDAR_TOKEN_PREFIX) {
        return Err(missing());
    }
    let reader = state.store.reader();
    let subscription = schedule::find_live_subscription(reader, &hash_secret(token))
        .await?
        .ok_or_else(missing)?;
    let now = state.clock.now();
    let from = now.checked_sub(days(DAYS_BACK)).map_err(|_| missing())?;
    let to = now.checked_add(days(DAYS_AHEAD)).map_err(|_| missing())?;
    let (calendar_name, schedules, only) = match subscription.kind {
        SubscriptionKind::Schedule => {
            let id = ScheduleId(subscription.target_id);
            let stored = found(schedule::get_schedule(reader, id).await)?;
            (stored.name.to_string(), vec![stored], None)
        }
        SubscriptionKind::User => {
            let user = UserId(subscription.target_id);
            let person = found(users::get_user(reader, user).await)?;
            let schedules = schedule::schedules_of_user(reader, user, from, to).await?;
            (format!("On call: {}", person.name), schedules, Some(user))
        }
    };
    let mut shifts = Vec::new();
    for (index, stored) in schedules.iter().enumerate() {
        let (definition, _) = with_overrides(&state, stored, from, to).await?;
        let until = budget::fit(&definition, from, to);
        let all = oncall::shifts_between(&definition, from, until);
        let wanted = all.into_iter().filter(|s| only.is_none_or(|u| s.user == u));
        shifts.extend(wanted.map(|shift| (index, shift)));
    }
    shifts.sort_by_key(|(_, shift)| (shift.start, shift.end));
    let body = render(&state, &calendar_name, now, &schedules, &shifts).await?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// A lookup whose target has gone answers like an unknown token.
fn found<T>(result: Result<T, tocsin_store::StoreError>) -> Result<T, ApiError> {
    match result {
        Err(tocsin_store::StoreError::NotFound(_)) => Err(ApiError::not_found("calendar")),
        other => Ok(other?),
    }
}

/// The calendar of `shifts`, each a final shift of `schedules[index]`.
async fn render(
    state: &AppState,
    calendar_name: &str,
    now: Timestamp,
    schedules: &[StoredSchedule],
    shifts: &[(usize, FinalShift)],
) -> Result<String, ApiError> {
    let names = Names::of(state.store.reader(), shifts.iter().map(|(_, s)| s.user)).await?;
    let events: Vec<CalendarShift<'_>> = shifts
        .iter()
        .filter_map(|(index, shift)| {
            let stored = schedules.get(*index)?;
            Some(CalendarShift {
                schedule: stored.id,
                schedule_name: stored.name.as_str(),
                user_name: names.name(shift.user),
                shift,
            })
        })
        .collect();
    Ok(oncall::to_icalendar(calendar_name, now, &events))
}
