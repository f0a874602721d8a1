//! `/on-call/schedules/{id}`: a schedule drawn as a timeline (one row per layer, the overrides,
//! and the final result with gaps in red) over whole local days, the same shifts as a table, its
//! upcoming overrides with a button to remove each, and the form that adds one.
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::ScheduleId;
use tocsin_store::schedule;

use super::picture::{self, Day, Kind, Picture, Span};
use super::time::{self, MOST_WEEKS, Window};
use super::{page_or_problem, path_id, query, team_name};
use crate::api::schedules::overrides::{self as api_overrides, OverrideList};
use crate::api::schedules::range::RangeQuery;
use crate::api::schedules::timeline::{self, ShiftsView};
use crate::api::schedules::views::Reason;
use crate::api::users::{self, UserQuery};
use crate::error::ApiError;
use crate::extract::{PageQuery, PathId, Query};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer};
use crate::web::clock;

/// The table under the picture lists at most this many periods.
const MOST_TABLE_ROWS: usize = 100;

/// `?from=2026-11-28&weeks=2`
#[derive(Debug, Default, Deserialize)]
struct TimelineQuery {
    from: Option<String>,
    weeks: Option<String>,
}

/// A period of the final timeline, as a table row.
struct Period {
    who: String,
    from: String,
    until: String,
    source: String,
    gap: bool,
}

/// An override, as listed with its remove button.
struct OverrideRow {
    id: String,
    who: String,
    from: String,
    until: String,
}

#[derive(Template)]
#[template(path = "oncall/schedule.html")]
struct SchedulePage {
    chrome: Chrome,
    id: String,
    name: String,
    description: String,
    team: Option<String>,
    time_zone: String,
    first_day: String,
    weeks: i64,
    week_choices: Vec<i64>,
    earlier: String,
    later: String,
    picture: Picture,
    periods: Vec<Period>,
    more_periods: usize,
    overrides: Vec<OverrideRow>,
    can_override: bool,
    users: Vec<(String, String)>,
    new_start: String,
    new_end: String,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    RawQuery(raw_query): RawQuery,
) -> Response {
    let built = build(&state, &viewer, &raw, raw_query.as_deref()).await;
    page_or_problem(&viewer, built, "/on-call")
}

async fn build(
    state: &AppState,
    viewer: &Viewer,
    raw_id: &str,
    raw_query: Option<&str>,
) -> Result<SchedulePage, ApiError> {
    viewer.caller.authorize(Action::ReadSchedules)?;
    let id: ScheduleId = path_id(raw_id, "schedule")?;
    let asked: TimelineQuery = query(raw_query)?;
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    let zone_name = stored.definition.time_zone.as_str().to_owned();
    let tz = clock::zone_named(&zone_name);
    let now = state.clock.now();
    let window = Window::parse(
        asked.from.as_deref(),
        asked.weeks.as_deref(),
        time::date_of(now, &tz),
        &tz,
    )?;
    let shifts = timeline::shifts(
        State(state.clone()),
        PathId(id),
        Query(range_query(Some(window.from), Some(window.to))),
    )
    .await?
    .0;
    let drawn_overrides = list_overrides(state, id, Some(window.from), Some(window.to)).await?;
    let upcoming = list_overrides(state, id, None, None).await?;
    let can_override = viewer
        .caller
        .authorize(Action::OverrideSchedule(stored.team_id))
        .is_ok();
    let users = if can_override {
        selectable_users(state, viewer).await?
    } else {
        Vec::new()
    };
    let gaps = gaps_of(&shifts);
    let (periods, more_periods) = periods(&shifts, &gaps, &tz);
    let name: String = stored.name.into();
    let summary = format!(
        "{name} from {} for {} weeks: {} shifts, {} overrides, {} gaps with nobody on call",
        time::show(window.from, &tz),
        window.weeks,
        shifts.final_shifts.len(),
        drawn_overrides.items.len(),
        gaps.len()
    );
    let rows = rows(&shifts, &drawn_overrides, &gaps, &tz);
    let picture = picture::draw(
        window.from,
        window.to,
        &days(&window, &tz),
        rows,
        now,
        summary,
    );
    let new_start = next_hour(now);
    Ok(SchedulePage {
        chrome: viewer.chrome(Section::OnCall),
        id: id.to_string(),
        description: stored.description.into(),
        team: team_name(state, stored.team_id).await?,
        time_zone: zone_name,
        first_day: window.first_day.to_string(),
        weeks: window.weeks,
        week_choices: (1..=MOST_WEEKS).collect(),
        earlier: shifted(window.first_day, -7 * window.weeks),
        later: shifted(window.first_day, 7 * window.weeks),
        picture,
        periods,
        more_periods,
        overrides: upcoming
            .items
            .into_iter()
            .map(|o| OverrideRow {
                id: o.id.to_string(),
                who: o.user.name,
                from: time::show(o.start, &tz),
                until: time::show(o.end, &tz),
            })
            .collect(),
        can_override,
        users,
        new_start: time::local_input(new_start, &tz),
        new_end: time::local_input(new_start + SignedDuration::from_hours(24), &tz),
        name,
    })
}

fn range_query(from: Option<Timestamp>, to: Option<Timestamp>) -> RangeQuery {
    RangeQuery {
        from: from.map(|at| at.to_string()),
        to: to.map(|at| at.to_string()),
    }
}

/// The schedule's overrides overlapping `[from, to)` (the API's default range when absent).
async fn list_overrides(
    state: &AppState,
    id: ScheduleId,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<OverrideList, ApiError> {
    let query = Query(range_query(from, to));
    Ok(api_overrides::list(State(state.clone()), PathId(id), query)
        .await?
        .0)
}

/// Active users (id, name) to choose an override's person from.
async fn selectable_users(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, ApiError> {
    viewer.caller.authorize(Action::ReadUsers)?;
    let query = UserQuery {
        skill: None,
        limit: Some(PageQuery::MAX_LIMIT),
        cursor: None,
    };
    let page = users::list(State(state.clone()), Query(query)).await?.0;
    let mut users: Vec<(String, String)> = page
        .items
        .into_iter()
        .filter(|user| user.active)
        .map(|user| (user.id.to_string(), user.name))
        .collect();
    users.sort_by_key(|(_, name)| name.to_lowercase());
    Ok(users)
}

/// The gaps of the final timeline inside its range.
fn gaps_of(shifts: &ShiftsView) -> Vec<(Timestamp, Timestamp)> {
    let covered: Vec<(Timestamp, Timestamp)> = shifts
        .final_shifts
        .iter()
        .map(|s| (s.start, s.end))
        .collect();
    picture::uncovered(&covered, shifts.from, shifts.to)
}

fn source(reason: &Reason) -> (String, Kind) {
    match reason {
        Reason::Layer { layer_name, .. } => (format!("layer {layer_name}"), Kind::Shift),
        Reason::Temporary { .. } => ("temporary schedule".to_owned(), Kind::Shift),
        Reason::Override { .. } => ("override".to_owned(), Kind::Override),
    }
}

fn gap_title(start: Timestamp, end: Timestamp, tz: &TimeZone) -> String {
    format!(
        "Nobody on call: {} – {}",
        time::show(start, tz),
        time::show(end, tz)
    )
}

/// One row per layer, then the overrides, then the final result with its gaps.
fn rows(
    shifts: &ShiftsView,
    overrides: &OverrideList,
    gaps: &[(Timestamp, Timestamp)],
    tz: &TimeZone,
) -> Vec<(String, Vec<Span>)> {
    let span = |start: Timestamp, end: Timestamp, kind: Kind, who: &str, what: &str| Span {
        start,
        end,
        kind,
        text: who.to_owned(),
        title: format!(
            "{who} ({what}): {} – {}",
            time::show(start, tz),
            time::show(end, tz)
        ),
    };
    let mut rows: Vec<(String, Vec<Span>)> = shifts
        .layers
        .iter()
        .map(|layer| {
            let what = format!("layer {}", layer.name);
            let spans = layer
                .shifts
                .iter()
                .map(|s| span(s.start, s.end, Kind::Shift, &s.user.name, &what))
                .collect();
            (layer.name.clone(), spans)
        })
        .collect();
    let drawn = overrides
        .items
        .iter()
        .map(|o| span(o.start, o.end, Kind::Override, &o.user.name, "override"))
        .collect();
    rows.push(("Overrides".to_owned(), drawn));
    let mut result: Vec<Span> = shifts
        .final_shifts
        .iter()
        .map(|s| {
            let (what, kind) = source(&s.reason);
            span(s.start, s.end, kind, &s.user.name, &what)
        })
        .collect();
    result.extend(gaps.iter().map(|(start, end)| Span {
        start: *start,
        end: *end,
        kind: Kind::Gap,
        text: "nobody".to_owned(),
        title: gap_title(*start, *end, tz),
    }));
    rows.push(("Final".to_owned(), result));
    rows
}

/// The final timeline and its gaps as table rows, in order (at most [`MOST_TABLE_ROWS`]), and how
/// many more there are.
fn periods(
    shifts: &ShiftsView,
    gaps: &[(Timestamp, Timestamp)],
    tz: &TimeZone,
) -> (Vec<Period>, usize) {
    let mut all: Vec<(Timestamp, Period)> = shifts
        .final_shifts
        .iter()
        .map(|s| {
            let period = Period {
                who: s.user.name.clone(),
                from: time::show(s.start, tz),
                until: time::show(s.end, tz),
                source: source(&s.reason).0,
                gap: false,
            };
            (s.start, period)
        })
        .collect();
    all.extend(gaps.iter().map(|(start, end)| {
        let period = Period {
            who: "Nobody on call".to_owned(),
            from: time::show(*start, tz),
            until: time::show(*end, tz),
            source: "gap".to_owned(),
            gap: true,
        };
        (*start, period)
    }));
    all.sort_by_key(|(start, _)| *start);
    let more = all.len().saturating_sub(MOST_TABLE_ROWS);
    let shown = all
        .into_iter()
        .take(MOST_TABLE_ROWS)
        .map(|(_, period)| period)
        .collect();
    (shown, more)
}

/// The window's local days as picture columns.
fn days(window: &Window, tz: &TimeZone) -> Vec<Day> {
    window
        .days()
        .into_iter()
        .filter_map(|date| {
            let start = time::start_of_day(date, tz).ok()?;
            let next = date.checked_add(1.day()).ok()?;
            let end = time::start_of_day(next, tz).ok()?;
            Some(Day {
                start,
                end,
                label: date.strftime("%a %-d").to_string(),
                input_start: time::local_input(start, tz),
                input_end: time::local_input(end, tz),
            })
        })
        .collect()
}

/// The date `days` days from `date`, as a `?from=` value.
fn shifted(date: jiff::civil::Date, days: i64) -> String {
    date.checked_add(days.days())
        .map_or_else(|_| date.to_string(), |d| d.to_string())
}

/// The next whole hour after `now` (a new override's default start).
fn next_hour(now: Timestamp) -> Timestamp {
    let hour = 3600;
    let next = (now.as_second().div_euclid(hour) + 1) * hour;
    Timestamp::from_second(next).unwrap_or(now)
}
