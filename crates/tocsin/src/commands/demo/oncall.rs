//! The demo's on-call set-up: one schedule per team with a weekly backstop layer of the whole
//! team and three follow-the-sun layers on top (Tokyo, Berlin and New York business hours, each
//! in its own zone, weekly turns), one override on the Payments schedule, an escalation policy
//! per team (its schedule, then its manager) attached to the team's services, and the incident
//! commander role staffed from the Platform schedule.
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tocsin_domain::escalation::EscalationPolicy;
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_domain::oncall::Schedule;
use tocsin_domain::roles::IncidentRole;
use tocsin_domain::values::{Description, Name};
use tocsin_store::schedule::{self, NewOverride, NewSchedule};
use tocsin_store::{Store, StoreError, escalation, roles};

use super::people::{BERLIN, NEW_YORK, PEOPLE, People, TEAMS, TOKYO, TeamPlan};
use super::services::{Catalog, SERVICES};
use super::{ACTOR, parsed};

/// When every layer starts, and a Monday for the weekly handoffs.
const LAYERS_START: &str = "2025-01-01T00:00:00Z";
const FIRST_MONDAY: &str = "2025-01-06";

/// The follow-the-sun windows, bottom layer first: (zone, layer name, local start, which pair of
/// `TeamPlan::on_call`), eight hours each.
const SUN: [(&str, &str, &str, usize); 3] = [
    (TOKYO, "Tokyo hours", "08:00", 2),
    (BERLIN, "Berlin hours", "08:00", 1),
    (NEW_YORK, "New York hours", "09:00", 0),
];
const WINDOW_SECONDS: u32 = 8 * 3600;

/// The stored schedules, in `people::TEAMS` order.
#[derive(Debug, Clone)]
pub struct OnCall {
    pub schedules: Vec<ScheduleId>,
}

fn users(people: &People, indices: &[usize]) -> Vec<UserId> {
    indices
        .iter()
        .filter_map(|i| people.users.get(*i).copied())
        .collect()
}

/// A schedule definition for `team`: the weekly backstop (everyone), then the three
/// business-hours layers (a pair each) covering it.
pub fn definition(team: &TeamPlan, people: &People) -> anyhow::Result<Schedule> {
    let backstop = json!({
        "name": "Weekly backstop",
        "starts_at": LAYERS_START,
        "rotation": {
            "participants": users(people, &team.members()),
            "shift": {"weeks": 1},
            "first_handoff": format!("{FIRST_MONDAY}T09:00"),
            "time_zone": PEOPLE[team.manager].zone,
        },
    });
    let mut layers = vec![backstop];
    for (zone, name, start, pair) in SUN {
        let pair = team.on_call.get(pair).copied().unwrap_or_default();
        layers.push(json!({
            "name": name,
            "starts_at": LAYERS_START,
            "rotation": {
                "participants": users(people, &pair),
                "shift": {"weeks": 1},
                "first_handoff": format!("{FIRST_MONDAY}T{start}"),
                "time_zone": zone,
            },
            "restrictions": [{"kind": "daily", "start": start, "duration_seconds": WINDOW_SECONDS}],
        }));
    }
    let body = json!({"time_zone": PEOPLE[team.manager].zone, "layers": layers});
    serde_json::from_value(body).with_context(|| format!("the {} schedule is invalid", team.name))
}

/// The escalation policy of team `index`: its schedule, then its manager ten minutes later, the
/// whole policy once more if nobody answers.
fn policy(
    index: usize,
    team: &TeamPlan,
    people: &People,
    schedule: ScheduleId,
) -> anyhow::Result<EscalationPolicy> {
    let body: Value = json!({
        "name": format!("{} escalation", team.name),
        "description": format!("The {} on-call person, then the team's manager.", team.name),
        "team_id": people.teams.get(index),
        "steps": [
            {"delay_minutes": 10, "targets": [{"kind": "schedule", "schedule_id": schedule}]},
            {"delay_minutes": 15, "targets": [{"kind": "user", "user_id": people.users.get(team.manager)}]},
        ],
        "repeat": 1,
    });
    serde_json::from_value(body).with_context(|| format!("the {} policy is invalid", team.name))
}

/// Creates the schedules, the override, the policies (attached to the services) and the
/// commander role, in one transaction.
pub async fn create(
    store: &Store,
    people: &People,
    catalog: &Catalog,
    now: Timestamp,
) -> anyhow::Result<OnCall> {
    let mut schedules = Vec::with_capacity(TEAMS.len());
    for (index, team) in TEAMS.iter().enumerate() {
        schedules.push(NewSchedule {
            name: parsed(Name::parse(&format!("{} on call", team.name)), team.name)?,
            description: parsed(
                Description::parse("Follow the sun: Tokyo, Berlin and New York business hours over a weekly backstop."),
                team.name,
            )?,
            team_id: people.teams.get(index).copied(),
            definition: definition(team, people)?,
        });
    }
    // Tomorrow, Sofia covers the Payments schedule for eight hours (a swapped shift).
    let tomorrow = now
        .round(jiff::Unit::Hour)
        .context("cannot round the time")?
        + SignedDuration::from_hours(24);
    let cover = NewOverride {
        user_id: *people.users.get(6).context("no Sofia")?,
        start: tomorrow,
        end: tomorrow + SignedDuration::from_hours(8),
    };
    let people = people.clone();
    let services = catalog.services.clone();
    let policies: Vec<(usize, TeamPlan)> = TEAMS.iter().copied().enumerate().collect();
    let commander_backup = *people.users.first().context("no users")?;
    let prepared = (
        schedules,
        cover,
        policies,
        people,
        services,
        commander_backup,
    );
    store
        .write(move |tx| {
            Box::pin(async move {
                let (schedules, cover, policies, people, services, commander_backup) = prepared;
                let mut ids = Vec::with_capacity(schedules.len());
                for new in schedules {
                    ids.push(schedule::create_schedule(tx, new, ACTOR, now).await?.id);
                }
                schedule::add_override(tx, ids[0], cover, ACTOR, now).await?;
                for (index, team) in policies {
                    let policy = policy(index, &team, &people, ids[index])
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let stored = escalation::create_policy(tx, policy, ACTOR, now).await?;
                    for (plan, service) in SERVICES.iter().zip(&services) {
                        if plan.team == index {
                            escalation::set_service_policy(tx, *service, Some(stored.id), ACTOR, now)
                                .await?;
                        }
                    }
                }
                let commander: IncidentRole = serde_json::from_value(json!({
                    "slug": "incident_commander",
                    "name": "Incident commander",
                    "instructions": "Owns the incident: sets priorities, assigns roles, decides. Staffed from the Platform on-call schedule.",
                    "schedule_id": ids[1],
                    "backup_user_id": commander_backup,
                }))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                roles::create_role(tx, commander, ACTOR, now).await?;
                Ok::<_, StoreError>(OnCall { schedules: ids })
            })
        })
        .await
        .context("cannot create the demo schedules and escalation policies")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_domain::id::TeamId;
    use uuid::Uuid;

    fn people() -> People {
        People {
            users: (0..PEOPLE.len())
                .map(|i| UserId(Uuid::from_u128(i as u128 + 1)))
                .collect(),
            teams: (0..TEAMS.len())
                .map(|i| TeamId(Uuid::from_u128(i as u128 + 100)))
                .collect(),
        }
    }

    fn on_call(schedule: &Schedule, at: &str) -> Vec<UserId> {
        let at: Timestamp = at.parse().expect("a timestamp");
        tocsin_domain::oncall::on_call_at(schedule, at).users()
    }

    #[test]
    fn the_sun_hands_the_pager_from_tokyo_to_berlin_to_new_york() {
        let people = people();
        let payments = definition(&TEAMS[0], &people).expect("a valid schedule");
        let in_pair = |found: Vec<UserId>, pair: [usize; 2]| {
            found.len() == 1 && pair.iter().any(|i| people.users[*i] == found[0])
        };
        // Tuesday 2026-11-24: 10:00 in Tokyo is 01:00Z, 10:00 in Berlin is 09:00Z, 10:00 in New
        // York is 15:00Z.
        assert!(in_pair(
            on_call(&payments, "2026-11-24T01:00:00Z"),
            TEAMS[0].on_call[2]
        ));
        assert!(in_pair(
            on_call(&payments, "2026-11-24T09:00:00Z"),
            TEAMS[0].on_call[1]
        ));
        assert!(in_pair(
            on_call(&payments, "2026-11-24T15:00:00Z"),
            TEAMS[0].on_call[0]
        ));
    }

    #[test]
    fn the_backstop_leaves_no_gap_in_any_team_schedule() {
        let people = people();
        let from: Timestamp = "2026-11-23T00:00:00Z".parse().expect("a timestamp");
        for team in TEAMS {
            let schedule = definition(&team, &people).expect("a valid schedule");
            let gaps = tocsin_domain::oncall::gaps_between(
                &schedule,
                from,
                from + SignedDuration::from_hours(24 * 14),
            );
            assert!(gaps.is_empty(), "{}: {gaps:?}", team.name);
        }
    }

    #[test]
    fn a_policy_pages_the_schedule_then_the_manager() {
        let people = people();
        let schedule = ScheduleId(Uuid::from_u128(7));
        let policy = policy(2, &TEAMS[2], &people, schedule).expect("a valid policy");
        assert_eq!(policy.steps.len(), 2);
        assert_eq!(policy.team_id, Some(people.teams[2]));
        let json = serde_json::to_value(&policy.steps).expect("serialisable");
        assert_eq!(json[0]["targets"][0]["schedule_id"], json!(schedule));
        assert_eq!(
            json[1]["targets"][0]["user_id"],
            json!(people.users[TEAMS[2].manager])
        );
    }
}
