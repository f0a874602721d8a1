//! The demo's past: about 300 incidents over the last 90 days, each written at its own past
//! instants through the store's incident functions (the ones the API calls), so every timeline
//! reads like a real response: declared, acknowledged by whoever was on call in that time zone,
//! notes, status changes, stakeholder updates, a resolution record, resolved, and closed when it
//! is more than a week old. The newest few are still open. What happens to each incident is a
//! pure plan (tested), then written in batches with a progress bar.
use anyhow::Context;
use indicatif::ProgressBar;
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::id::{IncidentId, ServiceId, UserId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::declare::RawDeclaration;
use tocsin_domain::incident::entries::{self, EntryInput};
use tocsin_domain::incident::resolution::Strategy;
use tocsin_store::incident::{self, NewIncident};
use tocsin_store::{Store, StoreError, Tx};

use super::dice::{self, Dice};
use super::people::TEAMS;
use super::services::SERVICES;

/// How many past incidents the demo writes.
pub const PAST_INCIDENTS: usize = 300;
/// Incidents per write transaction (a progress step).
const BATCH: usize = 25;
/// Resolved incidents older than this are closed.
const CLOSE_AFTER: SignedDuration = SignedDuration::from_hours(7 * 24);

const PROBLEMS: [&str; 8] = [
    "error rate above 5%",
    "p99 latency over its objective",
    "pods crash-looping after a deploy",
    "disk usage above 90%",
    "health checks failing in one zone",
    "CPU throttled, requests queueing",
    "timeouts calling its dependencies",
    "TLS certificate expires in 7 days",
];

const NOTES: [&str; 6] = [
    "Errors started with the 14:02 deploy; looking at the diff.",
    "Connection pool is saturated; raising it from 50 to 80.",
    "The upstream provider reports degraded performance in eu-west.",
    "Scaled the deployment from 6 to 10 replicas; errors are dropping.",
    "Only one availability zone is affected; draining it.",
    "Disk filled by an unrotated debug log; rotation fixed.",
];

/// One thing that happens to a past incident.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Acknowledge,
    /// The commander role goes to the team's manager.
    Command,
    Note(&'static str),
    StatusUpdate(String),
    Status(IncidentStatus),
    Resolve(Strategy),
    Close,
    Decline,
}

/// A past incident: who responds, and what happens when.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Index into `services::SERVICES`.
    pub service: usize,
    pub title: String,
    pub severity: &'static str,
    pub started: Timestamp,
    /// Index into `people::PEOPLE`: whoever was on call in the zone whose working day it was.
    pub responder: usize,
    /// In time order, all before `now`.
    pub steps: Vec<(Timestamp, Step)>,
}

/// The on-call pair (index into `TeamPlan::on_call`) working at `at`: Tokyo from 23:00 UTC,
/// Berlin from 07:00, New York from 14:00 (the schedule's follow-the-sun layers).
pub fn pair_working_at(at: Timestamp) -> usize {
    match at.as_second().rem_euclid(24 * 3600) / 3600 {
        7..14 => 1,
        14..23 => 0,
        _ => 2,
    }
}

/// What happens to past incident `index` of `total`, as of `now`. The newest four stay open
/// (triggered, acknowledged, investigating, monitoring); about one in thirty is declined.
pub fn plan(index: usize, total: usize, now: Timestamp) -> Planned {
    let mut dice = Dice::seeded(0x5EED_0000 + index as u64);
    let service = usize::try_from(dice.between(0, SERVICES.len() as i64)).unwrap_or(0);
    let plan = SERVICES[service];
    let severity = dice::severity(&mut dice);
    let started = dice::started_at(index, total, dice.between(0, 180), now);
    let team = TEAMS[plan.team];
    let pair = team.on_call[pair_working_at(started)];
    let responder = *dice.pick(&pair);
    let title = format!("{}: {}", plan.name, dice.pick(&PROBLEMS));
    let ack =
        started + SignedDuration::from_mins(dice::minutes_to_acknowledge(&mut dice, severity));
    let resolved =
        started + SignedDuration::from_mins(dice::minutes_to_resolve(&mut dice, severity));
    let open_from_end = total.saturating_sub(index);
    // The newest incidents stay open at the step they have reached (none: still triggered).
    let open_at = match open_from_end {
        1 => Some(None),
        2 => Some(Some(Step::Acknowledge)),
        3 => Some(Some(Step::Status(IncidentStatus::Investigating))),
        4 => Some(Some(Step::Status(IncidentStatus::Monitoring))),
        _ => None,
    };
    let minutes = |m: i64| ack + SignedDuration::from_mins(m);
    let mut steps = vec![(ack, Step::Acknowledge)];
    if severity == "critical" {
        steps.push((minutes(1), Step::Command));
    }
    if dice.chance(3) && open_at.is_none() {
        steps.push((minutes(3), Step::Decline));
    } else {
        let note: &&'static str = dice.pick(&NOTES);
        let update = format!(
            "We are investigating a problem with {}. Next update within 30 minutes.",
            plan.name
        );
        steps.extend([
            (minutes(2), Step::Status(IncidentStatus::Investigating)),
            (minutes(4), Step::Note(note)),
            (minutes(6), Step::StatusUpdate(update)),
            (minutes(10), Step::Status(IncidentStatus::Identified)),
            (minutes(12), Step::Status(IncidentStatus::Monitoring)),
        ]);
        steps.push((
            resolved.max(minutes(15)),
            Step::Resolve(*dice.pick(&[
                Strategy::Rollback,
                Strategy::Hotfix,
                Strategy::Workaround,
                Strategy::Failover,
            ])),
        ));
        if now - started > CLOSE_AFTER {
            steps.push((
                resolved.max(minutes(15)) + SignedDuration::from_hours(48),
                Step::Close,
            ));
        }
    }
    if let Some(reached) = open_at {
        let cut = reached
            .and_then(|reached| steps.iter().position(|(_, step)| *step == reached))
            .map_or(0, |position| position + 1);
        steps.truncate(cut);
    }
    steps.retain(|(at, _)| *at < now);
    Planned {
        service,
        title,
        severity,
        started,
        responder,
        steps,
    }
}

fn invalid(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("a demo incident is invalid: {error}"))
}

/// Writes one planned incident at its past instants.
async fn write(
    tx: &mut Tx,
    planned: &Planned,
    services: &[ServiceId],
    users: &[UserId],
) -> Result<(), StoreError> {
    let service = *services
        .get(planned.service)
        .ok_or(StoreError::NotFound("service"))?;
    let responder = *users
        .get(planned.responder)
        .ok_or(StoreError::NotFound("user"))?;
    let team = TEAMS[SERVICES[planned.service].team];
    let manager = *users
        .get(team.manager)
        .ok_or(StoreError::NotFound("user"))?;
    let actor = format!("user:{}", responder.0);
    let declaration = RawDeclaration {
        title: planned.title.clone(),
        summary: Some(format!(
            "Paged by the {} alerts.",
            SERVICES[planned.service].name
        )),
        severity: Some(planned.severity.to_owned()),
        incident_type: None,
        visibility: None,
        tags: vec!["demo".to_owned()],
        impact_started_at: Some(planned.started),
    }
    .check(planned.started)
    .map_err(invalid)?;
    let new = NewIncident {
        service,
        declaration,
        affected_services: Vec::new(),
        parent: None,
        participants: vec![responder],
        page: false,
    };
    let (id, _) = incident::declare(tx, new, &actor, planned.started).await?;
    for (at, step) in &planned.steps {
        apply(tx, id, step, &actor, manager, *at).await?;
    }
    Ok(())
}

fn entry(kind: &str, body: &str, audience: Option<&str>) -> Result<entries::Entry, StoreError> {
    entries::validate(&EntryInput {
        kind: kind.to_owned(),
        body: body.to_owned(),
        audience: audience.map(str::to_owned),
        ..EntryInput::default()
    })
    .map_err(invalid)
}

async fn apply(
    tx: &mut Tx,
    id: IncidentId,
    step: &Step,
    actor: &str,
    manager: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    match step {
        Step::Acknowledge => incident::acknowledge(tx, id, actor, at).await,
        Step::Command => {
            incident::assign_role(tx, id, "incident_commander", manager, "", actor, at).await
        }
        Step::Note(text) => incident::add_entry(tx, id, &entry("note", text, None)?, actor, at)
            .await
            .map(drop),
        Step::StatusUpdate(text) => {
            let update = entry("status_update", text, Some("stakeholders"))?;
            incident::add_entry(tx, id, &update, actor, at)
                .await
                .map(drop)
        }
        Step::Status(to) => incident::change_status(tx, id, *to, None, actor, at).await,
        Step::Resolve(strategy) => {
            let reasoning = "The change behind it is reverted or fixed and the alerts are quiet.";
            incident::record_resolution(tx, id, *strategy, reasoning, actor, at).await?;
            incident::resolve(tx, id, actor, at).await
        }
        Step::Close => {
            incident::change_status(tx, id, IncidentStatus::Closed, None, actor, at).await
        }
        Step::Decline => {
            let reason = Some("A false alarm: a synthetic check misfired.");
            incident::change_status(tx, id, IncidentStatus::Declined, reason, actor, at).await
        }
    }
}

/// Writes the past incidents in batches, oldest first, counting them on `progress`; answers how
/// many.
pub async fn create(
    store: &Store,
    services: &[ServiceId],
    users: &[UserId],
    now: Timestamp,
    progress: &ProgressBar,
) -> anyhow::Result<usize> {
    let planned: Vec<Planned> = (0..PAST_INCIDENTS)
        .map(|i| plan(i, PAST_INCIDENTS, now))
        .collect();
    progress.set_length(planned.len() as u64);
    for batch in planned.chunks(BATCH) {
        let batch = batch.to_vec();
        let services = services.to_vec();
        let users = users.to_vec();
        let count = batch.len();
        store
            .write(move |tx| {
                Box::pin(async move {
                    for planned in &batch {
                        write(tx, planned, &services, &users).await?;
                    }
                    Ok::<_, StoreError>(())
                })
            })
            .await
            .context("cannot write the demo's past incidents")?;
        progress.inc(count as u64);
    }
    progress.finish_and_clear();
    Ok(planned.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-28T12:00:00Z".parse().expect("a timestamp")
    }

    fn all() -> Vec<Planned> {
        (0..PAST_INCIDENTS)
            .map(|i| plan(i, PAST_INCIDENTS, now()))
            .collect()
    }

    #[test]
    fn steps_are_in_time_order_after_the_start_and_before_now() {
        for planned in all() {
            let mut last = planned.started;
            for (at, step) in &planned.steps {
                assert!(
                    *at > last && *at < now(),
                    "{}: {step:?} at {at}",
                    planned.title
                );
                last = *at;
            }
        }
    }

    #[test]
    fn the_newest_four_stay_open_and_the_rest_end() {
        let planned = all();
        let ended = |p: &Planned| {
            p.steps
                .iter()
                .any(|(_, s)| matches!(s, Step::Resolve(_) | Step::Decline))
        };
        let (older, newest) = planned.split_at(PAST_INCIDENTS - 4);
        assert!(older.iter().all(ended));
        assert!(newest.iter().all(|p| !ended(p)));
        assert!(newest[3].steps.is_empty(), "the newest is still triggered");
        assert_eq!(newest[2].steps, [(newest[2].steps[0].0, Step::Acknowledge)]);
        let declined = older
            .iter()
            .filter(|p| p.steps.iter().any(|(_, s)| *s == Step::Decline))
            .count();
        assert!((1..30).contains(&declined), "{declined}");
    }

    #[test]
    fn responders_are_on_call_in_the_zone_whose_day_it_is() {
        for planned in all() {
            let team = TEAMS[SERVICES[planned.service].team];
            let pair = team.on_call[pair_working_at(planned.started)];
            assert!(pair.contains(&planned.responder), "{}", planned.title);
        }
        let at = |t: &str| pair_working_at(t.parse().expect("a timestamp"));
        assert_eq!(at("2026-11-24T01:00:00Z"), 2, "Tokyo");
        assert_eq!(at("2026-11-24T09:00:00Z"), 1, "Berlin");
        assert_eq!(at("2026-11-24T15:00:00Z"), 0, "New York");
    }

    #[test]
    fn incidents_older_than_a_week_are_closed_and_recent_ones_only_resolved() {
        for planned in all() {
            let closed = planned.steps.iter().any(|(_, s)| *s == Step::Close);
            let resolved = planned
                .steps
                .iter()
                .any(|(_, s)| matches!(s, Step::Resolve(_)));
            if closed {
                assert!(now() - planned.started > CLOSE_AFTER, "{}", planned.title);
            } else if resolved {
                assert!(now() - planned.started <= CLOSE_AFTER + SignedDuration::from_hours(56));
            }
        }
    }
}
