//! Which team owns an incident (table `incident_owners`): decided by the ownership policy (a
//! configuration document) when the incident is declared and when its affected services change,
//! unless a dispute's settlement or a handoff set it; disputes and handoffs keep their history.
//! An incident opened from an alert has no row until then: its service's team owns it (with one
//! service every rule answers that). `incident.owner_set` records each change of owner.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{IncidentId, ServiceId, TeamId};
use tocsin_domain::incident::ownership::{self, AffectedService, OwnershipPolicy};
use tocsin_domain::{FieldError, ValidationError};
use uuid::Uuid;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// Where the ownership policy is stored among the configuration documents.
pub const OWNERSHIP_POLICY_SCOPE: &str = "incident_ownership";

/// The ownership policy as stored (the defaults when never written) and its version.
pub async fn ownership_policy(reader: Reader<'_>) -> Result<(OwnershipPolicy, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, OWNERSHIP_POLICY_SCOPE).await
}

/// Stores a validated ownership policy (If-Match via `if_version`), each team it names checked;
/// answers its new version. It applies to owners decided from now on.
pub async fn put_ownership_policy(
    tx: &mut Tx,
    policy: &OwnershipPolicy,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let mut missing = Vec::new();
    for (pointer, team) in policy.named_teams() {
        if team_name(tx, team).await?.is_none() {
            missing.push(FieldError::new(pointer, "no such team"));
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::Invalid(ValidationError(missing)));
    }
    crate::orchestration::config::put_typed(
        tx,
        OWNERSHIP_POLICY_SCOPE,
        policy,
        if_version,
        actor,
        at,
    )
    .await
}

/// How the current owner was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerSource {
    /// By the ownership policy's rules.
    Rule,
    /// By the commander settling a dispute: the rules no longer change it.
    Settlement,
    /// By a handoff: the rules no longer change it.
    Handoff,
}

impl OwnerSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Settlement => "settlement",
            Self::Handoff => "handoff",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "settlement" => Self::Settlement,
            "handoff" => Self::Handoff,
            _ => Self::Rule,
        }
    }
}

/// A team, with its name (none once the team is deleted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedTeam {
    pub id: TeamId,
    pub name: Option<String>,
}

fn named(id: Uuid, name: Option<String>) -> NamedTeam {
    NamedTeam {
        id: TeamId(id),
        name,
    }
}

/// An ownership dispute, open or settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispute {
    pub id: Uuid,
    pub claimed_owner: NamedTeam,
    pub reason: String,
    pub raised_by: String,
    pub raised_at: Timestamp,
    /// The owner the settlement chose; none while open.
    pub settled_owner: Option<NamedTeam>,
    pub settlement_note: Option<String>,
    pub settled_by: Option<String>,
    pub settled_at: Option<Timestamp>,
}

/// A handoff between teams.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handoff {
    pub id: Uuid,
    pub from: Option<NamedTeam>,
    pub to: NamedTeam,
    pub note: String,
    pub handed_by: String,
    pub handed_at: Timestamp,
}

/// Who owns an incident, how that was decided, who else could, and the disputes and handoffs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ownership {
    /// None when no rule found a team.
    pub owner: Option<NamedTeam>,
    pub source: OwnerSource,
    /// The rule that decided (source `rule`).
    pub rule: Option<String>,
    pub reason: String,
    /// None for an incident opened from an alert whose owner was never re-decided.
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// Every team owning an affected service.
    pub candidates: Vec<NamedTeam>,
    /// Oldest first.
    pub disputes: Vec<Dispute>,
    /// Oldest first.
    pub handoffs: Vec<Handoff>,
}

/// The incident's own service and the others it affects, own first, as the rules see them.
const AFFECTED: &str = "SELECT s.id, s.name, s.team_id, t.name, s.tier, \
     CAST(CASE WHEN s.id = i.service_id THEN 1 ELSE 0 END AS BIGINT) \
     FROM incidents i JOIN services s ON s.id = i.service_id \
       OR s.id IN (SELECT x.service_id FROM incident_services x WHERE x.incident_id = i.id) \
     LEFT JOIN teams t ON t.id = s.team_id WHERE i.id = $1 \
     ORDER BY CASE WHEN s.id = i.service_id THEN 0 ELSE 1 END, s.name, s.id";

type AffectedRow = (Uuid, String, Option<Uuid>, Option<String>, i64, i64);

fn affected(rows: Vec<AffectedRow>) -> Vec<AffectedService> {
    rows.into_iter()
        .map(
            |(id, name, team, team_name, tier, primary)| AffectedService {
                id: ServiceId(id),
                name,
                team: team.map(|t| (TeamId(t), team_name.unwrap_or_default())),
                tier,
                primary: primary == 1,
            },
        )
        .collect()
}

/// The services an incident affects, its own first, with their teams (an empty list when the
/// incident does not exist).
pub async fn affected_services(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<AffectedService>, StoreError> {
    let rows: Vec<AffectedRow> = reader.fetch_all(AFFECTED, crate::args![incident.0]).await?;
    Ok(affected(rows))
}

/// The team's name, if it exists.
async fn team_name(tx: &mut Tx, team: TeamId) -> Result<Option<String>, StoreError> {
    tx.scalar_optional("SELECT name FROM teams WHERE id = $1", crate::args![team.0])
        .await
}

/// The team's name, or a 422 naming `pointer`.
async fn existing_team(tx: &mut Tx, team: TeamId, pointer: &str) -> Result<String, StoreError> {
    team_name(tx, team)
        .await?
        .ok_or_else(|| StoreError::Invalid(ValidationError::field(pointer, "no such team")))
}

/// The current owner and how it was set (a row-less incident: its service's team, by rule).
async fn current_owner(
    tx: &mut Tx,
    incident: IncidentId,
) -> Result<(Option<TeamId>, OwnerSource), StoreError> {
    let row: Option<(Option<String>, Option<Uuid>, Option<Uuid>)> = tx
        .fetch_optional(
            "SELECT o.source, o.team_id, s.team_id FROM incidents i \
             JOIN services s ON s.id = i.service_id \
             LEFT JOIN incident_owners o ON o.incident_id = i.id WHERE i.id = $1",
            crate::args![incident.0],
        )
        .await?;
    let (source, owner, service_team) = row.ok_or(StoreError::NotFound("incident"))?;
    Ok(match source {
        Some(source) => (owner.map(TeamId), OwnerSource::parse(&source)),
        None => (service_team.map(TeamId), OwnerSource::Rule),
    })
}

/// How an owner is being set.
struct NewOwner<'a> {
    team: Option<TeamId>,
    source: OwnerSource,
    rule: Option<&'a str>,
    reason: &'a str,
}

/// Stores the owner; appends `incident.owner_set` when the team changes from `previous`.
async fn set_owner(
    tx: &mut Tx,
    incident: IncidentId,
    previous: Option<TeamId>,
    owner: NewOwner<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO incident_owners (incident_id, team_id, source, rule, reason, decided_by, \
         decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (incident_id) DO UPDATE \
         SET team_id = excluded.team_id, source = excluded.source, rule = excluded.rule, \
         reason = excluded.reason, decided_by = excluded.decided_by, \
         decided_at = excluded.decided_at",
        crate::args![
            incident.0,
            owner.team.map(|t| t.0),
            owner.source.as_str(),
            owner.rule.map(str::to_owned),
            owner.reason,
            actor,
            to_micros(at)
        ],
    )
    .await?;
    if owner.team == previous {
        return Ok(());
    }
    let name = match owner.team {
        Some(team) => team_name(tx, team).await?,
        None => None,
    };
    let payload = serde_json::json!({
        "team_id": owner.team, "team_name": name, "from_team_id": previous,
        "source": owner.source, "rule": owner.rule, "reason": owner.reason,
    });
    tx.append(event(incident, "incident.owner_set", actor, at, payload))
        .await?;
    Ok(())
}

/// Decides the owner by the ownership policy (when the incident is declared, `declared`, or its
/// affected services changed), unless a settlement or handoff set it.
pub(crate) async fn decide_owner(
    tx: &mut Tx,
    incident: IncidentId,
    declared: bool,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let (previous, source) = current_owner(tx, incident).await?;
    if source != OwnerSource::Rule {
        return Ok(());
    }
    let text: Option<String> = tx
        .scalar_optional(
            "SELECT definition FROM alerting_config WHERE scope = $1",
            crate::args![OWNERSHIP_POLICY_SCOPE],
        )
        .await?;
    let policy: OwnershipPolicy = match text {
        None => OwnershipPolicy::default(),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("ownership policy: {e}")))?,
    };
    let rows: Vec<AffectedRow> = tx.fetch_all(AFFECTED, crate::args![incident.0]).await?;
    let edges: Vec<(Uuid, Uuid)> = tx
        .fetch_all(
            "SELECT service_id, depends_on_id FROM service_dependencies",
            crate::args![],
        )
        .await?;
    let edges: Vec<(ServiceId, ServiceId)> = edges
        .into_iter()
        .map(|(a, b)| (ServiceId(a), ServiceId(b)))
        .collect();
    let decision = ownership::decide(&policy, &affected(rows), &edges);
    let owner = NewOwner {
        team: decision.team,
        source: OwnerSource::Rule,
        rule: Some(decision.rule),
        reason: &decision.reason,
    };
    let previous = if declared { None } else { previous };
    set_owner(tx, incident, previous, owner, actor, at).await
}

/// Records a claim that `claimed` should own the incident; answers the dispute's id.
pub async fn raise_dispute(
    tx: &mut Tx,
    incident: IncidentId,
    claimed: TeamId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<Uuid, StoreError> {
    let reason = ownership::note(reason, "/reason")
        .map_err(|e| StoreError::Invalid(ValidationError(vec![e])))?;
    let (owner, _) = current_owner(tx, incident).await?;
    let claimed_name = existing_team(tx, claimed, "/claimed_owner_team_id").await?;
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO incident_ownership_disputes (id, incident_id, claimed_team_id, reason, \
         raised_by, raised_at) VALUES ($1, $2, $3, $4, $5, $6)",
        crate::args![
            id,
            incident.0,
            claimed.0,
            reason.clone(),
            actor,
            to_micros(at)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "dispute_id": id, "claimed_owner_team_id": claimed, "claimed_owner_team_name": claimed_name,
        "owner_team_id": owner, "reason": reason,
    });
    tx.append(event(
        incident,
        "incident.ownership_disputed",
        actor,
        at,
        payload,
    ))
    .await?;
    Ok(id)
}

/// Settles an open dispute: `owner` owns the incident from now on (the rules no longer change
/// it). A settled dispute cannot be settled again (409).
pub async fn settle_dispute(
    tx: &mut Tx,
    incident: IncidentId,
    dispute: Uuid,
    owner: TeamId,
    note: Option<&str>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<(Option<i64>,)> = tx
        .fetch_optional(
            "SELECT settled_at FROM incident_ownership_disputes WHERE id = $1 AND incident_id = $2",
            crate::args![dispute, incident.0],
        )
        .await?;
    let (settled_at,) = row.ok_or(StoreError::NotFound("dispute"))?;
    if settled_at.is_some() {
        return Err(StoreError::Refused {
            pointer: String::new(),
            detail: "the dispute is already settled".to_owned(),
        });
    }
    let note = note
        .map(|n| ownership::note(n, "/note"))
        .transpose()
        .map_err(|e| StoreError::Invalid(ValidationError(vec![e])))?;
    let name = existing_team(tx, owner, "/owner_team_id").await?;
    let (previous, _) = current_owner(tx, incident).await?;
    tx.execute(
        "UPDATE incident_ownership_disputes SET settled_team_id = $2, settlement_note = $3, \
         settled_by = $4, settled_at = $5 WHERE id = $1",
        crate::args![dispute, owner.0, note.clone(), actor, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "dispute_id": dispute, "owner_team_id": owner, "owner_team_name": name, "note": note,
    });
    tx.append(event(
        incident,
        "incident.ownership_settled",
        actor,
        at,
        payload,
    ))
    .await?;
    let reason = match &note {
        Some(note) => format!("ownership dispute settled by {actor} for {name}: {note}"),
        None => format!("ownership dispute settled by {actor} for {name}"),
    };
    let owner = NewOwner {
        team: Some(owner),
        source: OwnerSource::Settlement,
        rule: None,
        reason: &reason,
    };
    set_owner(tx, incident, previous, owner, actor, at).await
}

/// Hands the incident from its owner to `to` with a handoff note; answers the handoff's id.
/// Handing it to its owner is refused (409).
pub async fn hand_off(
    tx: &mut Tx,
    incident: IncidentId,
    to: TeamId,
    note: &str,
    actor: &str,
    at: Timestamp,
) -> Result<Uuid, StoreError> {
    // Both fields checked at once, so the caller sees every problem.
    let note = ownership::note(note, "/note");
    let name = team_name(tx, to).await?;
    let mut errors: Vec<FieldError> = note.clone().err().into_iter().collect();
    if name.is_none() {
        errors.insert(0, FieldError::new("/to_team_id", "no such team"));
    }
    let (Ok(note), Some(name)) = (note, name) else {
        return Err(StoreError::Invalid(ValidationError(errors)));
    };
    let (from, _) = current_owner(tx, incident).await?;
    if from == Some(to) {
        return Err(StoreError::Refused {
            pointer: "/to_team_id".to_owned(),
            detail: format!("{name} already owns the incident"),
        });
    }
    let from_name = match from {
        Some(team) => team_name(tx, team).await?,
        None => None,
    };
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO incident_handoffs (id, incident_id, from_team_id, to_team_id, note, \
         handed_by, handed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        crate::args![
            id,
            incident.0,
            from.map(|t| t.0),
            to.0,
            note.clone(),
            actor,
            to_micros(at)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "handoff_id": id, "from_team_id": from, "from_team_name": from_name, "to_team_id": to,
        "to_team_name": name, "note": note,
    });
    tx.append(event(incident, "incident.handed_off", actor, at, payload))
        .await?;
    let from_words = from_name.unwrap_or_else(|| "no team".to_owned());
    let reason = format!("handed off from {from_words} to {name}: {note}");
    let owner = NewOwner {
        team: Some(to),
        source: OwnerSource::Handoff,
        rule: None,
        reason: &reason,
    };
    set_owner(tx, incident, from, owner, actor, at).await?;
    Ok(id)
}

type DisputeRow = (
    Uuid,
    Uuid,
    Option<String>,
    String,
    String,
    i64,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn dispute_of(row: DisputeRow) -> Dispute {
    let (
        id,
        claimed,
        claimed_name,
        reason,
        raised_by,
        raised_at,
        settled,
        settled_name,
        note,
        by,
        at,
    ) = row;
    Dispute {
        id,
        claimed_owner: named(claimed, claimed_name),
        reason,
        raised_by,
        raised_at: from_micros(raised_at),
        settled_owner: settled.map(|team| named(team, settled_name)),
        settlement_note: note,
        settled_by: by,
        settled_at: at.map(from_micros),
    }
}

type HandoffRow = (
    Uuid,
    Option<Uuid>,
    Option<String>,
    Uuid,
    Option<String>,
    String,
    String,
    i64,
);

fn handoff_of(row: HandoffRow) -> Handoff {
    let (id, from, from_name, to, to_name, note, handed_by, handed_at) = row;
    Handoff {
        id,
        from: from.map(|team| named(team, from_name)),
        to: named(to, to_name),
        note,
        handed_by,
        handed_at: from_micros(handed_at),
    }
}

/// The incident's ownership: its owner and how it was decided, the candidates, the disputes and
/// the handoffs (oldest first).
pub async fn ownership(reader: Reader<'_>, incident: IncidentId) -> Result<Ownership, StoreError> {
    type OwnerRow = (
        Option<Uuid>,
        Option<String>,
        String,
        Option<String>,
        String,
        String,
        i64,
    );
    let row: Option<OwnerRow> = reader
        .fetch_optional(
            "SELECT o.team_id, t.name, o.source, o.rule, o.reason, o.decided_by, o.decided_at \
             FROM incident_owners o LEFT JOIN teams t ON t.id = o.team_id \
             WHERE o.incident_id = $1",
            crate::args![incident.0],
        )
        .await?;
    let rows: Vec<AffectedRow> = reader.fetch_all(AFFECTED, crate::args![incident.0]).await?;
    let services = affected(rows);
    if services.is_empty() {
        return Err(StoreError::NotFound("incident"));
    }
    let candidates = ownership::candidates(&services)
        .into_iter()
        .map(|(id, name)| NamedTeam {
            id,
            name: Some(name),
        })
        .collect();
    let disputes: Vec<DisputeRow> = reader
        .fetch_all(
            "SELECT d.id, d.claimed_team_id, c.name, d.reason, d.raised_by, d.raised_at, \
             d.settled_team_id, s.name, d.settlement_note, d.settled_by, d.settled_at \
             FROM incident_ownership_disputes d LEFT JOIN teams c ON c.id = d.claimed_team_id \
             LEFT JOIN teams s ON s.id = d.settled_team_id WHERE d.incident_id = $1 \
             ORDER BY d.raised_at, d.id",
            crate::args![incident.0],
        )
        .await?;
    let handoffs: Vec<HandoffRow> = reader
        .fetch_all(
            "SELECT h.id, h.from_team_id, f.name, h.to_team_id, t.name, h.note, h.handed_by, \
             h.handed_at FROM incident_handoffs h LEFT JOIN teams f ON f.id = h.from_team_id \
             LEFT JOIN teams t ON t.id = h.to_team_id WHERE h.incident_id = $1 \
             ORDER BY h.handed_at, h.id",
            crate::args![incident.0],
        )
        .await?;
    let (owner, source, rule, reason, decided_by, decided_at) = match row {
        Some((team, name, source, rule, reason, by, at)) => (
            team.map(|t| named(t, name)),
            OwnerSource::parse(&source),
            rule,
            reason,
            Some(by),
            Some(from_micros(at)),
        ),
        None => {
            // Opened from an alert, never re-decided: with its one service, every rule agrees.
            let decision = ownership::decide(&OwnershipPolicy::default(), &services, &[]);
            let owner = decision.team.map(|team| NamedTeam {
                id: team,
                name: services
                    .iter()
                    .find_map(|s| s.team.as_ref().filter(|(t, _)| *t == team))
                    .map(|(_, name)| name.clone()),
            });
            let rule = Some(decision.rule.to_owned());
            (owner, OwnerSource::Rule, rule, decision.reason, None, None)
        }
    };
    Ok(Ownership {
        owner,
        source,
        rule,
        reason,
        decided_by,
        decided_at,
        candidates,
        disputes: disputes.into_iter().map(dispute_of).collect(),
        handoffs: handoffs.into_iter().map(handoff_of).collect(),
    })
}
