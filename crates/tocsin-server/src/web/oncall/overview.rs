//! `/on-call`: every schedule (team, time zone, who is on call now and until when) and every
//! escalation policy (its steps in a line), 50 of each per page, and a "who is on call at" form
//! answering for any instant, past or future, in the viewer's time zone.
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::oncall;
use tocsin_store::escalation;
use tocsin_store::schedule::{self, StoredSchedule};

use super::time;
use super::{page_or_problem, query, team_name};
use crate::api::escalation::views::PolicyOnCall;
use crate::api::schedules::oncall::{self as api_oncall, ScheduleOnCall};
use crate::api::schedules::range::{AtQuery, ahead};
use crate::api::schedules::views::Names;
use crate::api::schedules::{budget, timeline};
use crate::error::ApiError;
use crate::extract::{Page, PageQuery, Query};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer};
use crate::web::clock;

/// How far ahead "until when" looks.
const UNTIL_DAYS: i64 = 7;

/// `?at=&schedule=&schedules=&policies=` (the last two: cursors of the two lists).
#[derive(Debug, Default, Deserialize)]
struct OverviewQuery {
    at: Option<String>,
    schedule: Option<String>,
    schedules: Option<String>,
    policies: Option<String>,
}

struct ScheduleRow {
    id: String,
    name: String,
    team: Option<String>,
    time_zone: String,
    /// (name, until) of everyone on call now; empty: a gap.
    on_call: Vec<(String, String)>,
}

struct PolicyRow {
    id: String,
    name: String,
    summary: String,
}

/// The answer to "who is on call at".
struct Answer {
    at: String,
    schedules: Vec<ScheduleOnCall>,
    policies: Vec<PolicyOnCall>,
}

#[derive(Template)]
#[template(path = "oncall/index.html")]
struct OverviewPage {
    chrome: Chrome,
    schedules: Vec<ScheduleRow>,
    next_schedules: Option<String>,
    policies: Vec<PolicyRow>,
    next_policies: Option<String>,
    my_zone: String,
    at: String,
    chosen: String,
    answer: Option<Answer>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let built = build(&state, &viewer, raw.as_deref()).await;
    page_or_problem(&viewer, built, "/on-call")
}

async fn build(
    state: &AppState,
    viewer: &Viewer,
    raw: Option<&str>,
) -> Result<OverviewPage, ApiError> {
    viewer.caller.authorize(Action::ReadSchedules)?;
    let asked: OverviewQuery = query(raw)?;
    let reader = state.store.reader();
    let now = state.clock.now();
    let (limit, after) = page_after(&asked.schedules)?;
    let rows = schedule::list_schedules(reader, None, after, limit + 1).await?;
    let stored = Page::from_rows(rows, limit, |s| s.id.0);
    let mut now_on_call = Vec::new();
    for one in &stored.items {
        now_on_call.push(on_call_now(state, one, now).await?);
    }
    let users = now_on_call.iter().flatten().map(|(user, _)| *user);
    let names = Names::of(reader, users.collect::<Vec<_>>()).await?;
    let mut schedules = Vec::new();
    for (one, on_call) in stored.items.into_iter().zip(now_on_call) {
        let tz = clock::zone_named(one.definition.time_zone.as_str());
        schedules.push(ScheduleRow {
            id: one.id.to_string(),
            team: team_name(state, one.team_id).await?,
            time_zone: one.definition.time_zone.as_str().to_owned(),
            on_call: on_call
                .into_iter()
                .map(|(user, until)| (names.name(user).to_owned(), until_text(until, &tz)))
                .collect(),
            name: one.name.into(),
        });
    }
    let (limit, after) = page_after(&asked.policies)?;
    let rows = escalation::list_policies(reader, None, after, limit + 1).await?;
    let policies = Page::from_rows(rows, limit, |p| p.id.0);
    let tz = viewer.zone.clone();
    let my_zone = viewer.zone.iana_name().unwrap_or("UTC").to_owned();
    let chosen = asked.schedule.clone().unwrap_or_default();
    let at_raw = asked.at.clone().unwrap_or_default();
    let answer = match at_raw.trim() {
        "" => None,
        typed => Some(answer(state, typed, chosen.trim(), &tz).await?),
    };
    Ok(OverviewPage {
        chrome: viewer.chrome(Section::OnCall),
        schedules,
        next_schedules: stored.next_cursor,
        policies: policies
            .items
            .into_iter()
            .map(|p| PolicyRow {
                id: p.id.to_string(),
                summary: super::policy::summary(&p.policy),
                name: p.policy.name.into(),
            })
            .collect(),
        next_policies: policies.next_cursor,
        at: if at_raw.is_empty() {
            time::local_input(now, &tz)
        } else {
            at_raw
        },
        my_zone,
        chosen,
        answer,
    })
}

/// The page size and the id a list's page starts after, from its `cursor`.
fn page_after(cursor: &Option<String>) -> Result<(i64, Option<uuid::Uuid>), ApiError> {
    let page = PageQuery {
        limit: None,
        cursor: cursor.clone(),
    };
    Ok((page.limit()?, page.after()?))
}

/// Who is on call in `stored` at `now` and until when (`None`: beyond the days looked at).
async fn on_call_now(
    state: &AppState,
    stored: &StoredSchedule,
    now: Timestamp,
) -> Result<Vec<(tocsin_domain::id::UserId, Option<Timestamp>)>, ApiError> {
    let (_, horizon) = ahead(now, UNTIL_DAYS)?;
    let (definition, _) = timeline::with_overrides(state, stored, now, horizon).await?;
    let checked = budget::fit(&definition, now, horizon);
    Ok(oncall::shifts_between(&definition, now, checked)
        .into_iter()
        .filter(|shift| shift.start <= now)
        .map(|shift| (shift.user, (shift.end < checked).then_some(shift.end)))
        .collect())
}

fn until_text(until: Option<Timestamp>, tz: &TimeZone) -> String {
    match until {
        Some(at) => format!("until {}", time::show(at, tz)),
        None => format!("for more than {UNTIL_DAYS} days"),
    }
}

/// The API's on-call answer at the typed instant (read in the viewer's zone), only the chosen
/// schedule's when one is chosen (then without the policies).
async fn answer(
    state: &AppState,
    typed: &str,
    chosen: &str,
    tz: &TimeZone,
) -> Result<Answer, ApiError> {
    let at = time::parse_local(typed, tz).map_err(|message| ApiError::parameter("at", message))?;
    let query = AtQuery {
        at: Some(at.to_string()),
    };
    let mut view = api_oncall::on_call(State(state.clone()), Query(query))
        .await?
        .0;
    if !chosen.is_empty() {
        view.schedules.retain(|s| s.id.to_string() == chosen);
        view.escalation_policies.clear();
    }
    Ok(Answer {
        at: time::show(at, tz),
        schedules: view.schedules,
        policies: view.escalation_policies,
    })
}
