//! `/on-call/escalation-policies/{id}`: a policy's steps (when each pages, whom, by name, and
//! whom it would page now), its repeat and acknowledgement settings, and the services that use
//! it; and the one-line summary of a policy's steps the overview lists.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use tocsin_domain::access::Action;
use tocsin_domain::escalation::{EscalationPolicy, Target};
use tocsin_domain::id::EscalationPolicyId;
use tocsin_store::{escalation, roles, schedule};

use super::{page_or_problem, path_id, team_name};
use crate::api::escalation::preview::resolve_policy;
use crate::api::schedules::views::Names;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer};

/// The page lists at most this many services using the policy.
const MOST_SERVICES: i64 = 50;

/// A step's target, named, with a link where the console has a page for it.
struct TargetLabel {
    text: String,
    href: Option<String>,
}

struct StepRow {
    number: usize,
    pages_after: u32,
    targets: Vec<TargetLabel>,
    paged_now: Vec<String>,
    warnings: Vec<String>,
    wait: u16,
}

#[derive(Template)]
#[template(path = "oncall/policy.html")]
struct PolicyPage {
    chrome: Chrome,
    name: String,
    description: String,
    team: Option<String>,
    steps: Vec<StepRow>,
    repeat: u8,
    ack_timeout_minutes: Option<u16>,
    services: Vec<(String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Response {
    let built = build(&state, &viewer, &raw).await;
    page_or_problem(&viewer, built, "/on-call")
}

async fn build(state: &AppState, viewer: &Viewer, raw: &str) -> Result<PolicyPage, ApiError> {
    viewer.caller.authorize(Action::ReadSchedules)?;
    let id: EscalationPolicyId = path_id(raw, "escalation policy")?;
    let reader = state.store.reader();
    let stored = escalation::get_policy(reader, id).await?;
    let policy = stored.policy.clone();
    let resolved = resolve_policy(state, stored, state.clock.now()).await?;
    let users = policy
        .steps
        .iter()
        .flat_map(|s| &s.targets)
        .filter_map(|t| match t {
            Target::User { user_id } => Some(*user_id),
            _ => None,
        });
    let names = Names::of(reader, users.collect::<Vec<_>>()).await?;
    let mut steps = Vec::new();
    let mut pages_after: u32 = 0;
    for ((index, step), now) in policy.steps.iter().enumerate().zip(resolved.steps) {
        let mut targets = Vec::new();
        for target in &step.targets {
            targets.push(label(state, &names, target).await?);
        }
        steps.push(StepRow {
            number: index + 1,
            pages_after,
            targets,
            paged_now: now.users.into_iter().map(|paged| paged.name).collect(),
            warnings: now.warnings,
            wait: step.delay_minutes,
        });
        pages_after += u32::from(step.delay_minutes);
    }
    let services = escalation::services_using_policy(reader, id, MOST_SERVICES)
        .await?
        .into_iter()
        .map(|(service, name)| (service.to_string(), name))
        .collect();
    Ok(PolicyPage {
        chrome: viewer.chrome(Section::OnCall),
        team: team_name(state, policy.team_id).await?,
        name: policy.name.into(),
        description: policy.description.into(),
        steps,
        repeat: policy.repeat,
        ack_timeout_minutes: policy.ack_timeout_minutes,
        services,
    })
}

/// A target in words: the person, schedule, team, skill or role by name.
async fn label(state: &AppState, names: &Names, target: &Target) -> Result<TargetLabel, ApiError> {
    let reader = state.store.reader();
    Ok(match target {
        Target::User { user_id } => TargetLabel {
            text: names.name(*user_id).to_owned(),
            href: None,
        },
        Target::Schedule { schedule_id } => TargetLabel {
            text: format!(
                "on call in {}",
                schedule::get_schedule(reader, *schedule_id).await?.name
            ),
            href: Some(format!("/on-call/schedules/{schedule_id}")),
        },
        Target::Team {
            team_id,
            round_robin,
        } => {
            let team = team_name(state, Some(*team_id)).await?.unwrap_or_default();
            let how = if *round_robin {
                "one member of team, in turn:"
            } else {
                "every member of team"
            };
            TargetLabel {
                text: format!("{how} {team}"),
                href: None,
            }
        }
        Target::Skill { skill } => TargetLabel {
            text: format!("everyone with the skill {skill}"),
            href: None,
        },
        Target::Role { role_id } => TargetLabel {
            text: format!(
                "whoever fills the role {}",
                roles::get_role(reader, *role_id).await?.role.name
            ),
            href: None,
        },
    })
}

/// What a step's targets are, counted by kind: `2 users, schedule`.
fn kinds(targets: &[Target]) -> String {
    let count = |wanted: fn(&Target) -> bool, one: &str, many: &str| match targets
        .iter()
        .filter(|t| wanted(t))
        .count()
    {
        0 => None,
        1 => Some(one.to_owned()),
        n => Some(format!("{n} {many}")),
    };
    [
        count(|t| matches!(t, Target::User { .. }), "user", "users"),
        count(
            |t| matches!(t, Target::Schedule { .. }),
            "schedule",
            "schedules",
        ),
        count(|t| matches!(t, Target::Team { .. }), "team", "teams"),
        count(|t| matches!(t, Target::Skill { .. }), "skill", "skills"),
        count(|t| matches!(t, Target::Role { .. }), "role", "roles"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// A policy's steps in one line: whom each pages and when, and how often it repeats.
pub fn summary(policy: &EscalationPolicy) -> String {
    let mut after: u32 = 0;
    let mut parts = Vec::new();
    for step in &policy.steps {
        let what = kinds(&step.targets);
        parts.push(if after == 0 {
            what
        } else {
            format!("{what} after {after} min")
        });
        after += u32::from(step.delay_minutes);
    }
    let steps = match policy.steps.len() {
        1 => "1 step".to_owned(),
        n => format!("{n} steps"),
    };
    let repeat = match policy.repeat {
        0 => String::new(),
        1 => "; repeats once".to_owned(),
        n => format!("; repeats {n} times"),
    };
    format!("{steps}: {}{repeat}", parts.join(" → "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_whom_each_step_pages_when_and_the_repeats() {
        let policy: EscalationPolicy = serde_json::from_value(serde_json::json!({
            "name": "Payments",
            "repeat": 2,
            "steps": [
                {"delay_minutes": 5, "targets": [
                    {"kind": "schedule", "schedule_id": "0192f0c4-0000-7000-8000-000000000001"}]},
                {"delay_minutes": 10, "targets": [
                    {"kind": "user", "user_id": "0192f0c4-0000-7000-8000-000000000002"},
                    {"kind": "user", "user_id": "0192f0c4-0000-7000-8000-000000000003"},
                    {"kind": "skill", "skill": "postgres"}]},
                {"delay_minutes": 30, "targets": [
                    {"kind": "team", "team_id": "0192f0c4-0000-7000-8000-000000000004"}]}
            ]
        }))
        .expect("a valid policy");
        assert_eq!(
            summary(&policy),
            "3 steps: schedule → 2 users, skill after 5 min → team after 15 min; repeats 2 times"
        );
        let once = EscalationPolicy {
            repeat: 1,
            steps: policy.steps[..1].to_vec(),
            ..policy
        };
        assert_eq!(summary(&once), "1 step: schedule; repeats once");
    }
}
