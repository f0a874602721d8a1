//! `GET` and `PUT /api/v1/incidents/{id}/regulatory`: an incident's regulatory profile (what it
//! exposed, where, who owns the reporting, the start instants known so far) and its obligations,
//! each with its countdown, state and why it applies. Setting the profile starts the clocks of
//! the obligations that now apply; an obligation already started is never restarted.
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Deserialize;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::regulatory::{
    self, DeadlineRule, Exposure, HolidayCalendar, Regime, StartInstants, parse_jurisdiction,
};
use tocsin_store::regulatory::{self as store, Profile};

use super::views::{
    ObligationView, ProfileView, RegimeView, RegulatoryView, WaitingObligationView,
};
use crate::api::incidents::visible_incident;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// The most jurisdictions a profile names.
const MAX_JURISDICTIONS: usize = 50;
/// The largest escalation margin, in minutes (60 days).
const MAX_MARGIN_MINUTES: i64 = 60 * 24 * 60;

/// An incident's regulatory profile. Start instants not sent keep the value stored (awareness
/// defaults to now the first time).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRegulatory {
    /// Flags: `personal_data`, `health_data`, `payment_card_data`,
    /// `material_cybersecurity_incident`, `major_ict_incident`, `significant_incident`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub exposure: Exposure,
    /// `EU` or two-letter country codes (`US`, `DE` ...); EU member states count as the EU.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// Owns the reporting: reminded, and named on each obligation. An active user.
    #[schema(value_type = String, format = Uuid)]
    pub owner_user_id: uuid::Uuid,
    /// Told at escalation besides the owner; absent: the organisation's owners and admins.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub escalation_user_id: Option<uuid::Uuid>,
    /// Escalate when less than this is left, if earlier than at 90% of the window.
    #[serde(default)]
    pub escalation_margin_minutes: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub awareness_at: Option<Timestamp>,
    /// HIPAA counts from discovery; absent: the awareness instant.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub discovered_at: Option<Timestamp>,
    /// Starts the SEC Form 8-K clock.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub materiality_determined_at: Option<Timestamp>,
    /// Starts the DORA clocks.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub classified_at: Option<Timestamp>,
}

/// The profile `input` describes, on top of what is stored, checked at `now`.
fn profile_of(
    input: SetRegulatory,
    stored: Option<&StartInstants>,
    now: Timestamp,
) -> Result<Profile, ApiError> {
    let mut problems = Collector::default();
    if input.jurisdictions.len() > MAX_JURISDICTIONS {
        problems.take::<(), _>(
            "/jurisdictions",
            Err(format!("must have at most {MAX_JURISDICTIONS} items")),
        );
    }
    let mut jurisdictions: Vec<String> = input
        .jurisdictions
        .iter()
        .enumerate()
        .filter_map(|(index, code)| {
            problems.take(&format!("/jurisdictions/{index}"), parse_jurisdiction(code))
        })
        .collect();
    jurisdictions.sort();
    jurisdictions.dedup();
    if let Some(margin) = input.escalation_margin_minutes
        && !(0..=MAX_MARGIN_MINUTES).contains(&margin)
    {
        problems.take::<(), _>(
            "/escalation_margin_minutes",
            Err(format!("must be 0 to {MAX_MARGIN_MINUTES}")),
        );
    }
    let stored = stored.copied().unwrap_or_default();
    let starts = StartInstants {
        awareness_at: input.awareness_at.or(stored.awareness_at).or(Some(now)),
        discovered_at: input.discovered_at.or(stored.discovered_at),
        materiality_determined_at: input
            .materiality_determined_at
            .or(stored.materiality_determined_at),
        classified_at: input.classified_at.or(stored.classified_at),
    };
    for (pointer, instant) in [
        ("/awareness_at", input.awareness_at),
        ("/discovered_at", input.discovered_at),
        (
            "/materiality_determined_at",
            input.materiality_determined_at,
        ),
        ("/classified_at", input.classified_at),
    ] {
        if instant.is_some_and(|at| at > now) {
            problems.take::<(), _>(pointer, Err("must not be in the future"));
        }
    }
    problems.finish()?;
    Ok(Profile {
        exposure: input.exposure,
        jurisdictions,
        owner_user_id: UserId(input.owner_user_id),
        escalation_user_id: input.escalation_user_id.map(UserId),
        escalation_margin_minutes: input.escalation_margin_minutes,
        starts,
    })
}

/// The holiday calendars the regimes' business-day rules name, by name.
async fn calendars(state: &AppState) -> Result<HashMap<String, HolidayCalendar>, ApiError> {
    let mut found = HashMap::new();
    for regime in Regime::ALL {
        for spec in regime.obligations() {
            if let DeadlineRule::BusinessDays { calendar, .. } = spec.deadline
                && !found.contains_key(calendar)
                && let Some(stored) = store::get_calendar(state.store.reader(), calendar).await?
            {
                found.insert(calendar.to_owned(), stored.to_domain()?);
            }
        }
    }
    Ok(found)
}

/// The regulatory picture of `incident` at the clock's instant.
async fn picture(state: &AppState, incident: IncidentId) -> Result<RegulatoryView, ApiError> {
    let now = state.clock.now();
    let reader = state.store.reader();
    let Some(stored) = store::get_profile(reader, incident).await? else {
        return Ok(RegulatoryView {
            incident_id: incident.0,
            profile: None,
            obligations: Vec::new(),
            waiting: Vec::new(),
            regimes: regulatory::applicable(&Exposure::default(), &[])
                .into_iter()
                .map(RegimeView::from)
                .collect(),
            now,
        });
    };
    let profile = &stored.profile;
    let decisions = regulatory::applicable(&profile.exposure, &profile.jurisdictions);
    let why = |regime: Regime| {
        decisions
            .iter()
            .find(|d| d.regime == regime)
            .map(|d| d.why.clone())
            .unwrap_or_default()
    };
    let obligations = store::get_obligations(reader, incident).await?;
    let calendars = calendars(state).await?;
    let planned = regulatory::plan(
        &profile.exposure,
        &profile.jurisdictions,
        &profile.starts,
        |name| calendars.get(name),
    );
    let waiting = planned
        .iter()
        .filter(|p| {
            !obligations
                .iter()
                .any(|o| o.regime == p.regime && o.obligation == p.spec.key)
        })
        .filter_map(WaitingObligationView::of)
        .collect();
    Ok(RegulatoryView {
        incident_id: incident.0,
        profile: Some(ProfileView::from(&stored)),
        obligations: obligations
            .into_iter()
            .map(|o| {
                let why = why(o.regime);
                ObligationView::new(o, &stored, why, now)
            })
            .collect(),
        waiting,
        regimes: decisions.into_iter().map(RegimeView::from).collect(),
        now,
    })
}

/// An incident's regulatory profile and obligations: each obligation's deadline, seconds left,
/// state (`on_track`, `reminder_sent`, `escalated`, `overdue`, `filed`) and why it applies;
/// obligations waiting for their start instant; every regime and why it applies or not.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/regulatory", tag = "regulatory",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = RegulatoryView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_regulatory(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<RegulatoryView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    Ok(Json(picture(&state, id).await?))
}

/// Set an incident's regulatory profile (responders). The obligations that now apply and whose
/// start instant is known start their clocks, each once; the owner takes over open obligations.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/regulatory", tag = "regulatory",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = SetRegulatory, responses(
    (status = 200, body = RegulatoryView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_regulatory(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<SetRegulatory>,
) -> Result<Json<RegulatoryView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let stored = store::get_profile(state.store.reader(), id).await?;
    let profile = profile_of(input, stored.as_ref().map(|s| &s.profile.starts), now)?;
    let actor = caller.actor();
    state
        .store
        .write(move |tx| {
            Box::pin(async move { store::set_profile(tx, id, profile, &actor, now).await })
        })
        .await?;
    Ok(Json(picture(&state, id).await?))
}
