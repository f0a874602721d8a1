//! The users, schedules, teams and incident roles a policy names: each must exist (a user must be
//! active) when the policy is saved, and `escalation_policy_refs` keeps the list so deactivating a
//! user, deleting a schedule, a team or a role that a policy pages is refused with the policies'
//! names.
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::escalation::{EscalationPolicy, Target};
use tocsin_domain::id::EscalationPolicyId;
use uuid::Uuid;

use crate::error::StoreError;
use crate::schedule::check_user;
use crate::tx::Tx;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    User,
    Schedule,
    Team,
    Role,
}

impl RefKind {
    fn as_str(self) -> &'static str {
        match self {
            RefKind::User => "user",
            RefKind::Schedule => "schedule",
            RefKind::Team => "team",
            RefKind::Role => "role",
        }
    }
}

const SCHEDULE_EXISTS: &str = "SELECT COUNT(*) FROM schedules WHERE id = $1";
const TEAM_EXISTS: &str = "SELECT COUNT(*) FROM teams WHERE id = $1";
const ROLE_EXISTS: &str = "SELECT COUNT(*) FROM incident_roles WHERE id = $1";
const CLEAR: &str = "DELETE FROM escalation_policy_refs WHERE policy_id = $1";
const INSERT: &str = "INSERT INTO escalation_policy_refs (policy_id, ref_kind, ref_id) \
    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const NAMING: &str = "SELECT p.name FROM escalation_policies p WHERE p.id IN \
    (SELECT policy_id FROM escalation_policy_refs WHERE ref_kind = $1 AND ref_id = $2) \
    OR ($1 = 'team' AND p.team_id = $2) ORDER BY p.name_key";

/// Each target's kind and id with the JSON pointer of its first mention (skills name nobody).
fn mentions(policy: &EscalationPolicy) -> Vec<(String, RefKind, Uuid)> {
    let mut mentions: Vec<(String, RefKind, Uuid)> = Vec::new();
    for (s, step) in policy.steps.iter().enumerate() {
        for (t, target) in step.targets.iter().enumerate() {
            let pointer = format!("/steps/{s}/targets/{t}");
            let (kind, id) = match target {
                Target::User { user_id } => (RefKind::User, user_id.0),
                Target::Schedule { schedule_id } => (RefKind::Schedule, schedule_id.0),
                Target::Team { team_id, .. } => (RefKind::Team, team_id.0),
                Target::Role { role_id } => (RefKind::Role, role_id.0),
                Target::Skill { .. } => continue,
            };
            if !mentions.iter().any(|(_, k, i)| *k == kind && *i == id) {
                mentions.push((pointer, kind, id));
            }
        }
    }
    mentions
}

/// Refuses targets naming a missing (or, for users, deactivated) user, schedule, team or role.
pub(crate) async fn check_targets(
    tx: &mut Tx,
    policy: &EscalationPolicy,
) -> Result<(), StoreError> {
    let mut problems = Collector::default();
    for (pointer, kind, id) in mentions(policy) {
        let (sql, what) = match kind {
            RefKind::User => {
                check_user(tx, &mut problems, &pointer, id.into()).await?;
                continue;
            }
            RefKind::Schedule => (SCHEDULE_EXISTS, "schedule"),
            RefKind::Team => (TEAM_EXISTS, "team"),
            RefKind::Role => (ROLE_EXISTS, "incident role"),
        };
        let found: i64 = tx.scalar(sql, crate::args![id]).await?;
        if found == 0 {
            problems.push(FieldError::new(
                pointer,
                format!("no {what} has the id {id}"),
            ));
        }
    }
    problems.finish().map_err(StoreError::Invalid)
}

/// Replaces the policy's reference rows with what its targets name.
pub(crate) async fn write_refs(
    tx: &mut Tx,
    id: EscalationPolicyId,
    policy: &EscalationPolicy,
) -> Result<(), StoreError> {
    tx.execute(CLEAR, crate::args![id.0]).await?;
    for (_, kind, ref_id) in mentions(policy) {
        tx.execute(INSERT, crate::args![id.0, kind.as_str(), ref_id])
            .await?;
    }
    Ok(())
}

/// The names of the policies that page `id` (of `kind`), or, for a team, that it owns. Read inside
/// a write, so a deletion or deactivation can refuse.
pub async fn policies_naming(
    tx: &mut Tx,
    kind: RefKind,
    id: Uuid,
) -> Result<Vec<String>, StoreError> {
    tx.scalars(NAMING, crate::args![kind.as_str(), id]).await
}
