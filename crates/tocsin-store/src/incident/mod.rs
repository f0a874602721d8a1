//! Incidents: opened from an alert (acknowledged with it, resolved when its last open alert
//! resolves, at once or after the service's stability window — see `lifecycle`) or declared by
//! hand, and run through the response lifecycle by responders (`status`, `merge`, `people`,
//! `fields`), owned by a team (`ownership`). Each change is an event on the incident's stream
//! (its timeline) in the same transaction as the projection row.
pub mod bench_seed;
mod bridge;
mod coordination;
mod cost;
mod declare;
mod evidence;
mod fields;
mod guests;
pub(crate) mod lifecycle;
mod listing;
mod load;
mod merge;
mod milestones;
mod ownership;
mod people;
mod reads;
mod resolution;
mod respond;
mod response_plans;
mod status;
mod tasks;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};
use tocsin_domain::incident::{IncidentStatus, Visibility};
use tocsin_domain::open_incident_sql;
use uuid::Uuid;

use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

pub use bridge::{Bridge, NewBridge, bridge, end_bridge, set_bridge};
pub use coordination::{add_entry, pinned_entries, set_pin};
pub use cost::{COST_POLICY_SCOPE, cost, cost_policy, put_cost_policy};
pub use declare::{NewIncident, declare};
pub use evidence::{
    CustodyEntry, Deletion, Evidence, HOLD_POLICY_SCOPE, Hold, HoldContext, add_evidence,
    custody_chain, delete_evidence, evidence_list, export_evidence, hold_of, hold_policy,
    priorities_seen, view_evidence,
};
pub use fields::{FieldChanges, update_fields};
pub use guests::{GuestPass, guest, guest_by_token, guests, invite_guest, revoke_guest};
pub use lifecycle::{RESOLVE_BATCH, next_resolve_due, resolve_due};
pub use listing::{IncidentFilter, OpenIncident, list, open_for_user};
pub use load::{
    EngagedIncident, engaged_people, other_incidents_of_person, other_incidents_of_team,
    owning_team,
};
pub use merge::{Merged, merge};
pub use milestones::{correct_milestone, milestones};
pub use ownership::{
    Dispute, Handoff, NamedTeam, OWNERSHIP_POLICY_SCOPE, OwnerSource, Ownership, affected_services,
    hand_off, ownership, ownership_policy, put_ownership_policy, raise_dispute, settle_dispute,
};
pub use people::{
    Participant, RoleAssignment, add_participant, assign_role, participants, release_role,
    role_assignments,
};
pub use reads::{get, may_view, related, triage_queue, visible_to};
pub use resolution::{
    CheckChange, RecoveryCheck, ResolutionRecord, add_recovery_check, change_check, gate_over,
    record_resolution, recovery_checks, resolution,
};
pub use respond::{acknowledge, resolve};
pub(crate) use response_plans::run_due as run_due_response_plans;
pub use response_plans::{
    PlanRun, RESPONSE_PLANS_SCOPE, plan_runs, put_response_plans, response_plans,
};
pub use status::change_status;
pub use tasks::{NewTask, Task, TaskChanges, create_task, tasks, tasks_of_user, update_task};

/// An incident as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Incident {
    pub id: IncidentId,
    /// The human number, `#42`.
    pub number: i64,
    pub service_id: ServiceId,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub alert_count: i64,
    pub open_alert_count: i64,
    /// Alerts beyond the service's open-alert cap, counted instead of stored one by one.
    pub folded_alerts: i64,
    pub grouping_key: Option<String>,
    /// When it resolves itself, its alerts all resolved, unless an alert joins first.
    pub resolve_due_at: Option<Timestamp>,
    /// Group wait: notifications for the incident must not go out before this instant, so a
    /// burst of alerts pages once.
    pub page_after: Option<Timestamp>,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub summary: String,
    /// `default`, `outage`, `security`, `hr` ... (security and HR cases start restricted).
    pub incident_type: String,
    pub visibility: Visibility,
    /// Organisation roles that see it when it is restricted (besides its participants).
    pub visible_to_roles: Vec<OrgRole>,
    pub tags: Vec<String>,
    pub parent_id: Option<IncidentId>,
    /// A merged duplicate's primary.
    pub merged_into: Option<IncidentId>,
    /// Who declared it by hand (none: opened from an alert).
    pub declared_by: Option<String>,
    pub closed_at: Option<Timestamp>,
    /// Priority, category and attribution, major, temporary P1, triage and impact inputs.
    pub classification: crate::classification::Classification,
}

fn event(
    id: IncidentId,
    kind: &'static str,
    actor: &str,
    at: Timestamp,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent::new("incident", id.0, kind, actor, at, payload)
}

/// The alert an incident is opened for, and why.
pub(crate) struct OpeningAlert<'a> {
    pub service: ServiceId,
    pub title: &'a str,
    pub severity: Severity,
    /// `None` for an incident opened to count an alert storm's folded alerts.
    pub alert: Option<AlertId>,
    pub reason: &'a str,
    /// The grouping key later alerts join it by (none with grouping off).
    pub grouping_key: Option<&'a str>,
    /// The end of its group wait, if its grouping policy has one.
    pub page_after: Option<Timestamp>,
}

/// Opens an incident for an alert and returns it with its number.
pub(crate) async fn open_for_alert(
    tx: &mut Tx,
    opening: OpeningAlert<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(IncidentId, i64), StoreError> {
    let OpeningAlert {
        service,
        title,
        severity,
        alert,
        reason,
        grouping_key,
        page_after,
    } = opening;
    let number = declare::next_number(tx).await?;
    let id = IncidentId::new(at);
    let now = to_micros(at);
    let alerts = i64::from(alert.is_some());
    tx.execute("INSERT INTO incidents (id, number, service_id, title, severity, status, alert_count, open_alert_count, \
         grouping_key, created_at, updated_at, last_alert_at, page_after) \
         VALUES ($1, $2, $3, $4, $5, 'triggered', $8, $8, $7, $6, $6, $6, $9)", crate::args![id.0, number, service.0, title, severity.as_str(), now, grouping_key, alerts, page_after.map(to_micros)]).await?;
    tx.append_first(event(
        id,
        "incident.opened",
        actor,
        at,
        serde_json::json!({
            "number": number, "service_id": service, "title": title, "severity": severity,
            "alert_id": alert, "reason": reason, "page_after": page_after,
        }),
    ))
    .await?;
    // Its automatic priority (and auto-triage, when on): one read of the policy and the tier.
    crate::classification::on_open(tx, id, service, title, severity, at).await?;
    // Escalation starts when the group wait ends (at once, in this commit, without one).
    crate::paging::start_escalation(tx, id, service, page_after, at).await?;
    Ok((id, number))
}

/// A new alert joins an open incident (cancelling its scheduled self-resolution, if any).
pub(crate) async fn attach_alert(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = to_micros(at);
    tx.execute("UPDATE incidents SET alert_count = alert_count + 1, open_alert_count = open_alert_count + 1, \
         last_alert_at = $2, updated_at = $2 WHERE id = $1", crate::args![incident.0, now]).await?;
    lifecycle::cancel_resolve(tx, incident, alert, actor, at).await?;
    tx.append(event(
        incident,
        "incident.alert_attached",
        actor,
        at,
        serde_json::json!({
            "alert_id": alert, "reason": reason,
        }),
    ))
    .await?;
    Ok(())
}

/// The alert acknowledged: a triggered incident becomes acknowledged.
pub(crate) async fn alert_acknowledged(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = to_micros(at);
    let changed = tx
        .execute(
            "UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'triggered'",
            crate::args![incident.0, now],
        )
        .await?;
    if changed > 0 {
        tx.append(event(
            incident,
            "incident.acknowledged",
            actor,
            at,
            serde_json::json!({
                "alert_id": alert, "reason": "its alert was acknowledged",
            }),
        ))
        .await?;
        crate::outbox::cancel_pages(tx, incident, at).await?;
        crate::paging::recheck(tx, incident, at).await?;
    }
    Ok(())
}

/// An alert of the incident resolved. With its last open alert the incident resolves at once, or,
/// when its service has a stability window, is scheduled to resolve itself at the window's end.
pub(crate) async fn alert_resolved(
    tx: &mut Tx,
    incident: IncidentId,
    alert: AlertId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = to_micros(at);
    tx.execute(
        "UPDATE incidents SET open_alert_count = open_alert_count - 1, updated_at = $2 \
         WHERE id = $1 AND open_alert_count > 0",
        crate::args![incident.0, now],
    )
    .await?;
    let row: Option<(Uuid,)> = tx
        .fetch_optional(
            concat!(
                "SELECT service_id FROM incidents WHERE id = $1 AND open_alert_count = 0 AND ",
                open_incident_sql!()
            ),
            crate::args![incident.0],
        )
        .await?;
    let Some((service,)) = row else {
        return Ok(());
    };
    let settings = lifecycle::settings_of(tx, ServiceId(service)).await?;
    match settings.resolve_due(at) {
        Some(due) => {
            let window = settings.stability_window_seconds;
            lifecycle::schedule_resolve(tx, incident, alert, due, window, actor, at).await
        }
        None => {
            let payload = serde_json::json!({
                "alert_id": alert, "reason": "all of its alerts resolved",
            });
            lifecycle::resolve_if_quiet(tx, incident, payload, actor, at)
                .await
                .map(drop)
        }
    }
}

/// The id of the incident as stored in a row.
pub(crate) fn incident_id(id: Option<Uuid>) -> Option<IncidentId> {
    id.map(IncidentId)
}
