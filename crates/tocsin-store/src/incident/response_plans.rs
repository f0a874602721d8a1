//! Response plans as stored: the organisation's plans are one configuration document (scope
//! `response_plans`, versioned for If-Match); each run is a row of
//! `incident_response_plan_runs` (one per plan and incident, so a plan runs once even when two
//! nodes see its trigger) and an `incident.response_plan_ran` event listing why and what it did.
//! `run_due` is called in the transaction of every change that can make a trigger hold: a new
//! or changed priority (which also decides major), a changed incident type, the data exposure
//! set on the regulatory profile.
use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tocsin_domain::ValidationError;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::incident::Visibility;
use tocsin_domain::incident::response_plan::{
    DataExposure, DuePlan, IncidentFacts, ResponsePlan, ResponsePlans, due,
};
use tocsin_domain::regulatory::Exposure;
use uuid::Uuid;

use super::event;
use super::fields::{FieldChanges, apply_changes};
use super::people::{assign_role, role_name};
use super::tasks::{NewTask, create_task};
use crate::Reader;
use crate::error::StoreError;
use crate::schedule::check_user;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The alerting configuration scope the response plans are stored under.
pub const RESPONSE_PLANS_SCOPE: &str = "response_plans";
/// Who a plan's actions are recorded as.
const ACTOR: &str = "system:response-plan";

const DOCUMENT: &str = "SELECT definition FROM alerting_config WHERE scope = $1";
const FACTS: &str = "SELECT i.is_major, i.priority, i.incident_type, i.visible_to_roles, \
    (SELECT exposure FROM regulatory_profiles WHERE incident_id = i.id) \
    FROM incidents i WHERE i.id = $1";
const RAN: &str = "SELECT plan_key FROM incident_response_plan_runs WHERE incident_id = $1";
const CLAIM: &str = "INSERT INTO incident_response_plan_runs \
    (incident_id, plan_key, plan_name, ran_at, reasons, actions) VALUES ($1, $2, $3, $4, $5, '[]') \
    ON CONFLICT (incident_id, plan_key) DO NOTHING";
const RECORD: &str = "UPDATE incident_response_plan_runs SET actions = $3 \
    WHERE incident_id = $1 AND plan_key = $2";
const HOLDER: &str = "SELECT u.name FROM incident_role_assignments a JOIN users u ON u.id = a.user_id \
    WHERE a.incident_id = $1 AND a.role = $2 AND a.ended_at IS NULL";
const TEAM_MEMBERS: &str = "SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id \
    WHERE m.team_id = $1 AND u.active = $2 ORDER BY m.user_id";

/// The organisation's response plans (none when never written) and their version.
pub async fn response_plans(reader: Reader<'_>) -> Result<(ResponsePlans, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, RESPONSE_PLANS_SCOPE).await
}

/// Stores validated plans after checking the users, teams and roles they name (If-Match via
/// `if_version`); answers the new version.
pub async fn put_response_plans(
    tx: &mut Tx,
    plans: &ResponsePlans,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    check_references(tx, plans).await?;
    crate::orchestration::config::put_typed(tx, RESPONSE_PLANS_SCOPE, plans, if_version, actor, at)
        .await
}

async fn check_references(tx: &mut Tx, plans: &ResponsePlans) -> Result<(), StoreError> {
    let mut problems = Collector::default();
    for (i, plan) in plans.plans.iter().enumerate() {
        let at = format!("/plans/{i}/actions");
        let actions = &plan.actions;
        for (j, role) in actions.roles.iter().enumerate() {
            if matches!(role_name(tx, &role.role).await, Err(StoreError::Invalid(_))) {
                problems.push(FieldError::new(
                    format!("{at}/roles/{j}/role"),
                    "no such role: use a standard role slug or one defined under \
                     /api/v1/incident-roles",
                ));
            }
            if let Some(user) = role.user_id {
                check_user(tx, &mut problems, &format!("{at}/roles/{j}/user_id"), user).await?;
            }
        }
        for (j, team) in actions.page_team_ids.iter().enumerate() {
            let found: Option<Uuid> = tx
                .scalar_optional("SELECT id FROM teams WHERE id = $1", crate::args![team.0])
                .await?;
            if found.is_none() {
                problems.push(FieldError::new(
                    format!("{at}/page_team_ids/{j}"),
                    "no such team",
                ));
            }
        }
        for (j, user) in actions.page_user_ids.iter().enumerate() {
            check_user(tx, &mut problems, &format!("{at}/page_user_ids/{j}"), *user).await?;
        }
        let owners = actions.tasks.iter().enumerate();
        for (j, user) in owners.filter_map(|(j, task)| task.owner_user_id.map(|u| (j, u))) {
            let pointer = format!("{at}/tasks/{j}/owner_user_id");
            check_user(tx, &mut problems, &pointer, user).await?;
        }
    }
    problems.finish().map_err(StoreError::Invalid)
}

/// A plan that ran on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRun {
    pub plan_key: String,
    pub plan_name: String,
    pub ran_at: Timestamp,
    pub reasons: Vec<String>,
    pub actions: Vec<String>,
}

/// The plans that ran on an incident, in the order they ran.
pub async fn plan_runs(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<PlanRun>, StoreError> {
    type Row = (String, String, i64, String, String);
    let rows: Vec<Row> = reader
        .fetch_all(
            "SELECT plan_key, plan_name, ran_at, reasons, actions FROM incident_response_plan_runs \
             WHERE incident_id = $1 ORDER BY ran_at, plan_key",
            crate::args![incident.0],
        )
        .await?;
    rows.into_iter()
        .map(|(key, name, ran_at, reasons, actions)| {
            let list = |text: &str| {
                serde_json::from_str::<Vec<String>>(text)
                    .map_err(|e| StoreError::Corrupt(format!("response plan run {key}: {e}")))
            };
            Ok(PlanRun {
                reasons: list(&reasons)?,
                actions: list(&actions)?,
                plan_key: key,
                plan_name: name,
                ran_at: from_micros(ran_at),
            })
        })
        .collect()
}

fn exposed(exposure: Option<&str>) -> Result<BTreeSet<DataExposure>, StoreError> {
    let Some(text) = exposure else {
        return Ok(BTreeSet::new());
    };
    let flags: Exposure = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("regulatory exposure: {e}")))?;
    let kinds = [
        (flags.personal_data, DataExposure::PersonalData),
        (flags.health_data, DataExposure::HealthData),
        (flags.payment_card_data, DataExposure::PaymentCardData),
    ];
    Ok(kinds
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, k)| k)
        .collect())
}

/// Runs every enabled plan whose trigger now holds for `incident` and that has not run on it;
/// answers the keys of the plans that ran.
pub(crate) async fn run_due(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let text: Option<String> = tx
        .scalar_optional(DOCUMENT, crate::args![RESPONSE_PLANS_SCOPE])
        .await?;
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let plans: ResponsePlans = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("response plans: {e}")))?;
    if plans.plans.iter().all(|plan| !plan.enabled) {
        return Ok(Vec::new());
    }
    type Row = (i64, Option<i64>, String, String, Option<String>);
    let Some((major, rank, kind, roles, exposure)) = tx
        .fetch_optional::<Row>(FACTS, crate::args![incident.0])
        .await?
    else {
        return Ok(Vec::new());
    };
    let facts = IncidentFacts {
        is_major: major != 0,
        priority: crate::classification::from_rank(incident.0, rank)?,
        incident_type: kind,
        exposed: exposed(exposure.as_deref())?,
    };
    let ran: Vec<String> = tx.scalars(RAN, crate::args![incident.0]).await?;
    let mut started = Vec::new();
    for DuePlan { plan, reasons } in due(&plans, &facts, &ran) {
        if run_one(tx, incident, plan, &reasons, &roles, at).await? {
            started.push(plan.key.clone());
        }
    }
    Ok(started)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Runs `plan` on `incident` unless it ran already; answers whether it ran now.
async fn run_one(
    tx: &mut Tx,
    incident: IncidentId,
    plan: &ResponsePlan,
    reasons: &[String],
    visible_to_roles: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let claim = crate::args![
        incident.0,
        plan.key.clone(),
        plan.name.clone(),
        to_micros(at),
        to_json(&reasons)?
    ];
    if tx.execute(CLAIM, claim).await? == 0 {
        return Ok(false);
    }
    let mut run = Run {
        incident,
        plan,
        at,
        done: Vec::new(),
    };
    run.staff_roles(tx).await?;
    run.restrict(tx, visible_to_roles).await?;
    run.page(tx).await?;
    run.create_tasks(tx).await?;
    let done = run.done;
    tx.execute(
        RECORD,
        crate::args![incident.0, plan.key.clone(), to_json(&done)?],
    )
    .await?;
    let payload = serde_json::json!({
        "plan_key": plan.key, "plan_name": plan.name, "reasons": reasons, "actions": done,
        "reason": format!("response plan {} ran: {}", plan.name, reasons.join("; ")),
    });
    tx.append(event(
        incident,
        "incident.response_plan_ran",
        ACTOR,
        at,
        payload,
    ))
    .await?;
    Ok(true)
}

fn details(error: &ValidationError) -> String {
    let parts: Vec<&str> = error.0.iter().map(|e| e.detail.as_str()).collect();
    parts.join("; ")
}

/// One plan running on one incident: what it has done so far, in sentences.
struct Run<'a> {
    incident: IncidentId,
    plan: &'a ResponsePlan,
    at: Timestamp,
    done: Vec<String>,
}

impl Run<'_> {
    async fn staff_roles(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let (incident, plan, at) = (self.incident, self.plan, self.at);
        let done = &mut self.done;
        for role in &plan.actions.roles {
            let name = match role_name(tx, &role.role).await {
                Ok(name) => name,
                Err(StoreError::Invalid(_)) => {
                    done.push(format!(
                        "skipped the role {}: it no longer exists",
                        role.role
                    ));
                    continue;
                }
                Err(error) => return Err(error),
            };
            let holder: Option<String> = tx
                .scalar_optional(HOLDER, crate::args![incident.0, role.role.clone()])
                .await?;
            if let Some(holder) = holder {
                done.push(format!("kept {holder} as {name}"));
                continue;
            }
            let Some(user) = role.user_id else {
                let new = NewTask {
                    title: format!("Staff the {name} role"),
                    owner: None,
                    due_at: None,
                };
                create_task(tx, incident, new, ACTOR, at).await?;
                done.push(format!("asked for a {name} (a task to staff the role)"));
                continue;
            };
            let briefing = format!("Assigned by the response plan {}", plan.name);
            match assign_role(tx, incident, &role.role, user, &briefing, ACTOR, at).await {
                Ok(()) => done.push(format!("made user {} the {name}", user.0)),
                Err(StoreError::Invalid(error)) => {
                    done.push(format!("could not assign the {name}: {}", details(&error)));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn restrict(&mut self, tx: &mut Tx, visible_to_roles: &str) -> Result<(), StoreError> {
        let (incident, plan, at) = (self.incident, self.plan, self.at);
        let done = &mut self.done;
        let Some(roles) = &plan.actions.restrict_to_roles else {
            return Ok(());
        };
        let mut all: Vec<tocsin_domain::catalog::OrgRole> =
            serde_json::from_str(visible_to_roles).unwrap_or_default();
        all.extend(roles.iter().copied());
        all.sort();
        all.dedup();
        let changes = FieldChanges {
            visibility: Some(Visibility::Restricted),
            visible_to_roles: Some(all),
            ..FieldChanges::default()
        };
        if apply_changes(tx, incident, changes, ACTOR, at).await? {
            done.push("restricted the incident to its participants and the roles named".to_owned());
        } else {
            done.push("kept the incident restricted".to_owned());
        }
        Ok(())
    }

    async fn page(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let (incident, plan, at) = (self.incident, self.plan, self.at);
        let done = &mut self.done;
        let mut users: Vec<UserId> = Vec::new();
        for team in &plan.actions.page_team_ids {
            let members: Vec<Uuid> = tx.scalars(TEAM_MEMBERS, crate::args![team.0, true]).await?;
            if members.is_empty() {
                done.push(format!("team {} has no active member to page", team.0));
            }
            users.extend(members.into_iter().map(UserId));
        }
        users.extend(plan.actions.page_user_ids.iter().copied());
        users.sort();
        users.dedup();
        if users.is_empty() {
            return Ok(());
        }
        let reason = format!("called in by the response plan {}", plan.name);
        let step_key = format!("plan.{}", plan.key);
        let (people, queued) =
            crate::paging::page_responders(tx, incident, &users, &reason, &step_key, at).await?;
        done.push(format!(
            "paged {} people ({} notifications)",
            people.len(),
            queued
        ));
        Ok(())
    }

    async fn create_tasks(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for task in &self.plan.actions.tasks {
            let due_at = task
                .due_minutes
                .map(|m| self.at + SignedDuration::from_mins(i64::from(m)));
            let new = NewTask {
                title: task.title.clone(),
                owner: task.owner_user_id,
                due_at,
            };
            match create_task(tx, self.incident, new, ACTOR, self.at).await {
                Ok(_) => self
                    .done
                    .push(format!("created the task \"{}\"", task.title)),
                Err(StoreError::Invalid(error)) => self.done.push(format!(
                    "could not create the task \"{}\": {}",
                    task.title,
                    details(&error)
                )),
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}
