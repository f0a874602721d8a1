//! Setting an incident's regulatory profile, and starting the clocks of the obligations that now
//! apply: each obligation starts once (the unique key keeps a second start out; a later change to
//! a start instant does not restart it), and an obligation whose start instant was unknown starts
//! when it is set. One write: the profile, `regulatory.profile_set`, and a
//! `regulatory.clock_started` per obligation started.
use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{IncidentId, RegulatoryObligationId};
use tocsin_domain::regulatory::{
    self, DeadlineRule, HolidayCalendar, Regime, Status, next_stage_at,
};

use super::calendars::calendar_in;
use super::reads::{OBLIGATIONS, obligations_of, profile_in};
use super::{Obligation, Profile, StoredProfile};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::schedule::check_user;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

const UPSERT: &str = "INSERT INTO regulatory_profiles (incident_id, exposure, jurisdictions, \
    owner_user_id, escalation_user_id, escalation_margin_minutes, awareness_at, discovered_at, \
    materiality_determined_at, classified_at, version, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11) \
    ON CONFLICT (incident_id) DO UPDATE SET exposure = $2, jurisdictions = $3, \
    owner_user_id = $4, escalation_user_id = $5, escalation_margin_minutes = $6, \
    awareness_at = $7, discovered_at = $8, materiality_determined_at = $9, classified_at = $10, \
    version = regulatory_profiles.version + 1, updated_at = $11";
const START: &str = "INSERT INTO regulatory_obligations (id, incident_id, regime, obligation, \
    start_event, started_at, due_at, owner_user_id, status, stages_done, next_stage_at, \
    created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', 0, $9, $10, $10) \
    ON CONFLICT (incident_id, regime, obligation) DO NOTHING";
const RESCHEDULE: &str = "UPDATE regulatory_obligations SET next_stage_at = $2 \
    WHERE id = $1 AND status = 'open'";
const REOWN: &str = "UPDATE regulatory_obligations SET owner_user_id = $2, updated_at = $3 \
    WHERE incident_id = $1 AND status = 'open' AND owner_user_id <> $2";

/// What setting a profile did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSet {
    pub profile: StoredProfile,
    /// The obligations whose clocks this change started.
    pub started: Vec<Obligation>,
}

/// The holiday calendars the regimes' business-day rules count in, by name.
async fn calendars(tx: &mut Tx) -> Result<HashMap<String, HolidayCalendar>, StoreError> {
    let mut found = HashMap::new();
    for regime in Regime::ALL {
        for spec in regime.obligations() {
            if let DeadlineRule::BusinessDays { calendar, .. } = spec.deadline
                && !found.contains_key(calendar)
                && let Some(stored) = calendar_in(tx, calendar).await?
            {
                found.insert(calendar.to_owned(), stored.to_domain()?);
            }
        }
    }
    Ok(found)
}

/// The escalation margin of `profile`.
pub(super) fn margin(profile: &Profile) -> Option<SignedDuration> {
    profile
        .escalation_margin_minutes
        .map(|minutes| SignedDuration::from_mins(minutes.max(0)))
}

/// Sets the regulatory profile of `incident` (the caller validated it and loaded the incident)
/// and starts the clocks of the obligations that now apply and whose start instant is known;
/// a response plan triggered by the data exposure runs.
pub async fn set_profile(
    tx: &mut Tx,
    incident: IncidentId,
    profile: Profile,
    actor: &str,
    at: Timestamp,
) -> Result<ProfileSet, StoreError> {
    let mut problems = Collector::default();
    check_user(tx, &mut problems, "/owner_user_id", profile.owner_user_id).await?;
    if let Some(user) = profile.escalation_user_id {
        check_user(tx, &mut problems, "/escalation_user_id", user).await?;
    }
    problems.finish().map_err(StoreError::Invalid)?;
    let at = from_micros(to_micros(at));
    let encode = |value: serde_json::Result<String>| {
        value.map_err(|e| StoreError::Corrupt(format!("profile not serialisable: {e}")))
    };
    let exposure = encode(serde_json::to_string(&profile.exposure))?;
    let jurisdictions = encode(serde_json::to_string(&profile.jurisdictions))?;
    let starts = profile.starts;
    let micros = |instant: Option<Timestamp>| instant.map(to_micros);
    let args = crate::args![
        incident.0,
        exposure.as_str(),
        jurisdictions.as_str(),
        profile.owner_user_id.0,
        profile.escalation_user_id.map(|u| u.0),
        profile.escalation_margin_minutes,
        to_micros(starts.awareness_at.unwrap_or(at)),
        micros(starts.discovered_at),
        micros(starts.materiality_determined_at),
        micros(starts.classified_at),
        to_micros(at)
    ];
    tx.execute(UPSERT, args).await?;
    let reowned = tx
        .execute(
            REOWN,
            crate::args![incident.0, profile.owner_user_id.0, to_micros(at)],
        )
        .await?;
    let stored = profile_in(tx, incident)
        .await?
        .ok_or(StoreError::NotFound("regulatory profile"))?;
    let payload = json!({
        "exposure": stored.profile.exposure, "jurisdictions": stored.profile.jurisdictions,
        "owner_user_id": stored.profile.owner_user_id,
        "escalation_user_id": stored.profile.escalation_user_id,
        "escalation_margin_minutes": stored.profile.escalation_margin_minutes,
        "starts": stored.profile.starts, "version": stored.version,
        "obligations_reassigned": reowned,
    });
    tx.append(NewEvent::new(
        "incident",
        incident.0,
        "regulatory.profile_set",
        actor,
        at,
        payload,
    ))
    .await?;
    reschedule(tx, &stored).await?;
    let started = start_clocks(tx, &stored, actor, at).await?;
    crate::incident::run_due_response_plans(tx, incident, at).await?;
    Ok(ProfileSet {
        profile: stored,
        started,
    })
}

/// Moves the next stage of the open obligations of `stored` to where its escalation margin (which
/// may have changed) puts it.
async fn reschedule(tx: &mut Tx, stored: &StoredProfile) -> Result<(), StoreError> {
    let open = obligations_of(
        tx.fetch_all(OBLIGATIONS, crate::args![stored.incident_id.0])
            .await?,
    )?;
    for obligation in open.iter().filter(|o| o.status == Status::Open) {
        let all = regulatory::stages(
            obligation.started_at,
            obligation.due_at,
            margin(&stored.profile),
        );
        let next = next_stage_at(&all, obligation.stages_done);
        if next != obligation.next_stage_at {
            let args = crate::args![obligation.id.0, next.map(to_micros)];
            tx.execute(RESCHEDULE, args).await?;
        }
    }
    Ok(())
}

/// Starts every obligation of `stored` that applies, has a clock, and has not started.
async fn start_clocks(
    tx: &mut Tx,
    stored: &StoredProfile,
    actor: &str,
    at: Timestamp,
) -> Result<Vec<Obligation>, StoreError> {
    let calendars = calendars(tx).await?;
    let profile = &stored.profile;
    let planned = regulatory::plan(
        &profile.exposure,
        &profile.jurisdictions,
        &profile.starts,
        |name| calendars.get(name),
    );
    let mut started = Vec::new();
    for planned in planned {
        let Ok(clock) = planned.clock else {
            continue;
        };
        let id = RegulatoryObligationId::new(at);
        let stages = regulatory::stages(clock.started_at, clock.due_at, margin(profile));
        let args = crate::args![
            id.0,
            stored.incident_id.0,
            planned.regime.as_str(),
            planned.spec.key,
            planned.spec.starts_at.as_str(),
            to_micros(clock.started_at),
            to_micros(clock.due_at),
            profile.owner_user_id.0,
            next_stage_at(&stages, 0).map(to_micros),
            to_micros(at)
        ];
        if tx.execute(START, args).await? == 0 {
            continue;
        }
        let payload = json!({
            "obligation_id": id, "regime": planned.regime, "obligation": planned.spec.key,
            "title": planned.spec.title, "start_event": planned.spec.starts_at,
            "started_at": clock.started_at, "due_at": clock.due_at,
            "deadline_rule": planned.spec.deadline, "owner_user_id": profile.owner_user_id,
            "why": planned.why,
        });
        tx.append(NewEvent::new(
            "incident",
            stored.incident_id.0,
            "regulatory.clock_started",
            actor,
            at,
            payload,
        ))
        .await?;
        started.push(id);
    }
    let all = obligations_of(
        tx.fetch_all(OBLIGATIONS, crate::args![stored.incident_id.0])
            .await?,
    )?;
    Ok(all
        .into_iter()
        .filter(|obligation| started.contains(&obligation.id))
        .collect())
}
