//! A schedule's timeline over a range: the final shifts (who is on call when, and from which
//! layer, temporary schedule or override), each layer's own drawing, and the uncovered gaps.
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::ScheduleId;
use tocsin_domain::oncall::{self, Schedule};
use tocsin_store::schedule::{self, ScheduleOverride, StoredSchedule};

use super::budget;
use super::range::{self, DaysQuery, RangeQuery};
use super::views::{Names, Reason, TurnView, UserRef, Warning, gap_warnings};
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::state::AppState;

/// How many days ahead a schedule's warnings look, and the gaps route by default.
pub const WARNING_DAYS: i64 = 14;

/// The schedule's definition with the overrides touching `[from, to)` folded in, and those
/// overrides (for naming them in reasons).
pub async fn with_overrides(
    state: &AppState,
    stored: &StoredSchedule,
    from: Timestamp,
    to: Timestamp,
) -> Result<(Schedule, Vec<ScheduleOverride>), ApiError> {
    Ok(schedule::with_overrides(state.store.reader(), stored, from, to).await?)
}

/// Warnings naming every gap of the next [`WARNING_DAYS`] days.
pub async fn warnings(state: &AppState, stored: &StoredSchedule) -> Result<Vec<Warning>, ApiError> {
    let (from, to) = range::ahead(state.clock.now(), WARNING_DAYS)?;
    let (definition, _) = with_overrides(state, stored, from, to).await?;
    let checked_until = budget::fit(&definition, from, to);
    let gaps = oncall::gaps_between(&definition, from, checked_until);
    let mut warnings = gap_warnings(&gaps, WARNING_DAYS);
    if checked_until < to {
        warnings.push(Warning {
            kind: "not_checked",
            start: Some(checked_until),
            end: Some(to),
            message: format!(
                "not checked for gaps from {checked_until} to {to}: the shifts are too short to \
                 compute {WARNING_DAYS} days at once"
            ),
        });
    }
    Ok(warnings)
}

/// A piece of the final timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FinalShiftView {
    pub user: UserRef,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    pub reason: Reason,
}

/// A piece of one layer's drawing: part of a rotation turn inside the layer's windows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LayerShiftView {
    pub user: UserRef,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    pub turn: TurnView,
}

/// One layer's drawing, before stacking.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LayerView {
    pub index: usize,
    pub name: String,
    pub shifts: Vec<LayerShiftView>,
}

/// A schedule's timeline over `[from, to)`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShiftsView {
    #[schema(value_type = String, format = Uuid)]
    pub schedule_id: uuid::Uuid,
    pub time_zone: String,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// Who is on call when, clipped to the range, sorted by start. Back-to-back time of one
    /// person from one source is one shift.
    pub final_shifts: Vec<FinalShiftView>,
    /// Each layer's own shifts, bottom layer first (for drawing the layers).
    pub layers: Vec<LayerView>,
}

/// A schedule's final shifts and each layer's shifts over a range (at most 90 days).
#[utoipa::path(get, path = "/api/v1/schedules/{id}/shifts", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), RangeQuery), responses(
    (status = 200, body = ShiftsView),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn shifts(
    State(state): State<AppState>,
    PathId(id): PathId<ScheduleId>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<ShiftsView>, ApiError> {
    let (from, to) = range::range(&query, state.clock.now(), 7, range::MAX_RANGE_DAYS)?;
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    let (definition, overrides) = with_overrides(&state, &stored, from, to).await?;
    budget::check(&definition, from, to, "to")?;
    let final_shifts = oncall::shifts_between(&definition, from, to);
    let layer_shifts = oncall::layer_shifts_between(&definition, from, to);
    let users = final_shifts
        .iter()
        .map(|s| s.user)
        .chain(layer_shifts.iter().flatten().map(|s| s.turn.user));
    let names = Names::of(state.store.reader(), users).await?;
    let final_shifts = final_shifts
        .into_iter()
        .map(|shift| FinalShiftView {
            user: names.user(shift.user),
            start: shift.start,
            end: shift.end,
            reason: Reason::of(shift.source, None, &definition, &overrides),
        })
        .collect();
    let layers = layer_shifts
        .into_iter()
        .zip(&definition.layers)
        .enumerate()
        .map(|(index, (shifts, layer))| LayerView {
            index,
            name: layer.name.clone(),
            shifts: shifts
                .into_iter()
                .map(|shift| LayerShiftView {
                    user: names.user(shift.turn.user),
                    start: shift.start,
                    end: shift.end,
                    turn: shift.turn.into(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(ShiftsView {
        schedule_id: id.0,
        time_zone: definition.time_zone.as_str().to_owned(),
        from,
        to,
        final_shifts,
        layers,
    }))
}

/// An uncovered interval.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GapView {
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    pub duration_seconds: i64,
}

/// The uncovered intervals of the next `days` days.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GapsView {
    #[schema(value_type = String, format = Uuid)]
    pub schedule_id: uuid::Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// Every interval of the range in which no one is on call, in order.
    pub gaps: Vec<GapView>,
}

/// Every interval of the next `days` days (default 14, at most 90) in which no one is on call.
#[utoipa::path(get, path = "/api/v1/schedules/{id}/gaps", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), DaysQuery), responses(
    (status = 200, body = GapsView),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn gaps(
    State(state): State<AppState>,
    PathId(id): PathId<ScheduleId>,
    Query(query): Query<DaysQuery>,
) -> Result<Json<GapsView>, ApiError> {
    let days = range::days_ahead(&query, WARNING_DAYS, range::MAX_RANGE_DAYS)?;
    let (from, to) = range::ahead(state.clock.now(), days)?;
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    let (definition, _) = with_overrides(&state, &stored, from, to).await?;
    budget::check(&definition, from, to, "days")?;
    let gaps = oncall::gaps_between(&definition, from, to)
        .into_iter()
        .map(|gap| GapView {
            start: gap.start,
            end: gap.end,
            duration_seconds: gap.start.duration_until(gap.end).as_secs(),
        })
        .collect();
    Ok(Json(GapsView {
        schedule_id: id.0,
        from,
        to,
        gaps,
    }))
}
