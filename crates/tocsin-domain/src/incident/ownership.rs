//! Which team owns an incident that spans services of several teams: an ordered list of rules
//! (the organisation's ownership policy), the first that decides wins, the incident's own
//! service as the final fallback; the answer names the team and says why in words.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::alerting::Validate;
use crate::catalog::OrgRole;
use crate::error::{Collector, FieldError, ValidationError};
use crate::id::{ServiceId, TeamId, UserId};

/// The most rules a policy lists.
pub const MAX_RULES: usize = 10;
/// The longest dispute reason, settlement note or handoff note, in characters.
pub const MAX_NOTE: usize = 4000;

/// One ownership rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum OwnershipRule {
    /// The team of the affected service the most other affected services depend on
    /// (transitively) and that depends on no other affected service of a team.
    MostUpstreamService,
    /// The team of the affected service with the lowest tier number.
    MostCriticalTier,
    /// The team of the incident's own service.
    PrimaryService,
    /// The first of these teams that owns an affected service.
    TeamPriority { team_ids: Vec<TeamId> },
}

impl OwnershipRule {
    /// The rule's name as written in the policy.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MostUpstreamService => "most_upstream_service",
            Self::MostCriticalTier => "most_critical_tier",
            Self::PrimaryService => "primary_service",
            Self::TeamPriority { .. } => "team_priority",
        }
    }
}

/// The organisation's ownership policy: rules in order; `primary_service` always ends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OwnershipPolicy {
    pub rules: Vec<OwnershipRule>,
}

impl Default for OwnershipPolicy {
    fn default() -> Self {
        Self {
            rules: vec![OwnershipRule::PrimaryService],
        }
    }
}

impl OwnershipPolicy {
    /// The teams the policy names (to check they exist), with the pointer of each.
    pub fn named_teams(&self) -> Vec<(String, TeamId)> {
        let mut named = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if let OwnershipRule::TeamPriority { team_ids } = rule {
                for (j, team) in team_ids.iter().enumerate() {
                    named.push((format!("/rules/{i}/team_ids/{j}"), *team));
                }
            }
        }
        named
    }
}

impl Validate for OwnershipPolicy {
    /// A rule at most once, at most `MAX_RULES`, a team priority naming teams once each.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.rules.len() > MAX_RULES {
            errors.push(FieldError::new(
                "/rules",
                format!("at most {MAX_RULES} rules"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if !seen.insert(rule.name()) {
                errors.push(FieldError::new(
                    format!("/rules/{i}"),
                    format!("{} is listed twice", rule.name()),
                ));
            }
            if let OwnershipRule::TeamPriority { team_ids } = rule {
                if team_ids.is_empty() {
                    errors.push(FieldError::new(
                        format!("/rules/{i}/team_ids"),
                        "must list at least one team",
                    ));
                }
                let distinct: BTreeSet<_> = team_ids.iter().collect();
                if distinct.len() != team_ids.len() {
                    errors.push(FieldError::new(
                        format!("/rules/{i}/team_ids"),
                        "lists a team twice",
                    ));
                }
            }
        }
        errors.finish()
    }
}

/// An affected service, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedService {
    pub id: ServiceId,
    pub name: String,
    /// Its team and the team's name; none for a service without a team (it cannot own).
    pub team: Option<(TeamId, String)>,
    pub tier: i64,
    /// The incident's own service.
    pub primary: bool,
}

/// The owner the rules chose and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// None when no rule decided and the incident's own service has no team.
    pub team: Option<TeamId>,
    /// The name of the rule that decided.
    pub rule: &'static str,
    pub reason: String,
}

/// The owner of an incident affecting `services` (its own service among them), given the
/// service dependency edges `(service, depends_on)` (any, also through unaffected services).
pub fn decide(
    policy: &OwnershipPolicy,
    services: &[AffectedService],
    edges: &[(ServiceId, ServiceId)],
) -> Decision {
    for rule in &policy.rules {
        let decided = match rule {
            OwnershipRule::MostUpstreamService => most_upstream(services, edges),
            OwnershipRule::MostCriticalTier => most_critical(services),
            OwnershipRule::PrimaryService => primary(services),
            OwnershipRule::TeamPriority { team_ids } => team_priority(services, team_ids),
        };
        if let Some((team, reason)) = decided {
            return Decision {
                team: Some(team),
                rule: rule.name(),
                reason,
            };
        }
    }
    match primary(services) {
        Some((team, reason)) => Decision {
            team: Some(team),
            rule: OwnershipRule::PrimaryService.name(),
            reason,
        },
        None => {
            let name = services
                .iter()
                .find(|s| s.primary)
                .map_or("the incident's service", |s| s.name.as_str());
            Decision {
                team: None,
                rule: OwnershipRule::PrimaryService.name(),
                reason: format!("no rule decided and {name} belongs to no team"),
            }
        }
    }
}

/// The distinct teams of the affected services, in the order first met.
pub fn candidates(services: &[AffectedService]) -> Vec<(TeamId, String)> {
    let mut teams: Vec<(TeamId, String)> = Vec::new();
    for (team, name) in services.iter().filter_map(|s| s.team.as_ref()) {
        if !teams.iter().any(|(t, _)| t == team) {
            teams.push((*team, name.clone()));
        }
    }
    teams
}

/// A dispute reason or handoff note, trimmed: required, at most `MAX_NOTE` characters.
pub fn note(text: &str, pointer: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(pointer, "is required"));
    }
    if text.chars().count() > MAX_NOTE {
        return Err(FieldError::new(
            pointer,
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Whether `caller` (with organisation role `role`) may settle an ownership dispute: the current
/// incident commander; an admin or owner only while nobody holds the commander role. The error
/// says why not.
pub fn may_settle(
    caller: Option<UserId>,
    role: OrgRole,
    commander: Option<UserId>,
) -> Result<(), &'static str> {
    match commander {
        Some(commander) if caller == Some(commander) => Ok(()),
        Some(_) => Err("only the incident commander settles an ownership dispute"),
        None if role.at_least(OrgRole::Admin) => Ok(()),
        None => Err(
            "only the incident commander settles an ownership dispute (nobody holds the role: \
             an admin may)",
        ),
    }
}

/// "a", "a and b", "a, b and c".
fn listed(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The one team of `services`, if they all share it.
fn sole_team<'a>(services: impl Iterator<Item = &'a AffectedService>) -> Option<TeamId> {
    let teams: BTreeSet<TeamId> = services
        .filter_map(|s| s.team.as_ref().map(|(t, _)| *t))
        .collect();
    (teams.len() == 1)
        .then(|| teams.into_iter().next())
        .flatten()
}

/// Every service `from` depends on, transitively (visited once each, so cycles end).
fn reachable(
    from: ServiceId,
    dependencies: &BTreeMap<ServiceId, Vec<ServiceId>>,
) -> BTreeSet<ServiceId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(current) = stack.pop() {
        for next in dependencies.get(&current).into_iter().flatten() {
            if seen.insert(*next) {
                stack.push(*next);
            }
        }
    }
    seen.remove(&from);
    seen
}

fn most_upstream(
    services: &[AffectedService],
    edges: &[(ServiceId, ServiceId)],
) -> Option<(TeamId, String)> {
    let mut dependencies: BTreeMap<ServiceId, Vec<ServiceId>> = BTreeMap::new();
    for (service, depends_on) in edges {
        dependencies.entry(*service).or_default().push(*depends_on);
    }
    let reach: Vec<BTreeSet<ServiceId>> = services
        .iter()
        .map(|s| reachable(s.id, &dependencies))
        .collect();
    let depends = |a: usize, b: usize| a != b && reach[a].contains(&services[b].id);
    // Candidates have a team and depend on no other affected service of a team that does not
    // depend on them in turn (a cycle is one level).
    let mut scored: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, service) in services.iter().enumerate() {
        let below = (0..services.len())
            .any(|j| services[j].team.is_some() && depends(i, j) && !depends(j, i));
        if service.team.is_none() || below {
            continue;
        }
        let dependents: Vec<usize> = (0..services.len())
            .filter(|&j| depends(j, i) && !depends(i, j))
            .collect();
        scored.push((i, dependents));
    }
    let best = scored
        .iter()
        .map(|(_, d)| d.len())
        .max()
        .filter(|&n| n > 0)?;
    let top: Vec<&(usize, Vec<usize>)> = scored.iter().filter(|(_, d)| d.len() == best).collect();
    let team = sole_team(top.iter().map(|(i, _)| &services[*i]))?;
    let (winner, dependents) = top.first()?;
    let names: Vec<&str> = dependents
        .iter()
        .map(|&j| services[j].name.as_str())
        .collect();
    let verb = if names.len() == 1 {
        "depends"
    } else {
        "depend"
    };
    Some((
        team,
        format!(
            "{} is the most upstream affected service: {} {verb} on it",
            services[*winner].name,
            listed(&names)
        ),
    ))
}

fn most_critical(services: &[AffectedService]) -> Option<(TeamId, String)> {
    let owned = || services.iter().filter(|s| s.team.is_some());
    let best = owned().map(|s| s.tier).min()?;
    let team = sole_team(owned().filter(|s| s.tier == best))?;
    let winner = owned().find(|s| s.tier == best)?;
    Some((
        team,
        format!(
            "{} is the most critical affected service (tier {best})",
            winner.name
        ),
    ))
}

fn primary(services: &[AffectedService]) -> Option<(TeamId, String)> {
    let own = services.iter().find(|s| s.primary)?;
    let (team, _) = own.team.as_ref()?;
    Some((*team, format!("{} is the incident's own service", own.name)))
}

fn team_priority(services: &[AffectedService], order: &[TeamId]) -> Option<(TeamId, String)> {
    let affected = candidates(services);
    order.iter().find_map(|wanted| {
        affected
            .iter()
            .find(|(team, _)| team == wanted)
            .map(|(team, name)| {
                (
                    *team,
                    format!("{name} comes first in the team priority among the affected teams"),
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn team(n: u128) -> TeamId {
        TeamId(Uuid::from_u128(1000 + n))
    }

    fn service(n: u128, name: &str, owner: Option<u128>, tier: i64) -> AffectedService {
        AffectedService {
            id: ServiceId(Uuid::from_u128(n)),
            name: name.to_owned(),
            team: owner.map(|t| (team(t), format!("team-{t}"))),
            tier,
            primary: false,
        }
    }

    fn edge(a: u128, b: u128) -> (ServiceId, ServiceId) {
        (ServiceId(Uuid::from_u128(a)), ServiceId(Uuid::from_u128(b)))
    }

    fn policy(rules: Vec<OwnershipRule>) -> OwnershipPolicy {
        OwnershipPolicy { rules }
    }

    /// checkout (team 1, primary) and payments (team 2) depend on checkout-db (team 3).
    fn shop() -> (Vec<AffectedService>, Vec<(ServiceId, ServiceId)>) {
        let mut checkout = service(1, "checkout", Some(1), 2);
        checkout.primary = true;
        let services = vec![
            checkout,
            service(2, "payments", Some(2), 1),
            service(3, "checkout-db", Some(3), 3),
        ];
        (services, vec![edge(1, 3), edge(2, 3)])
    }

    #[test]
    fn the_most_upstream_service_owns_and_the_reason_names_its_dependents() {
        let (services, edges) = shop();
        let decision = decide(
            &policy(vec![OwnershipRule::MostUpstreamService]),
            &services,
            &edges,
        );
        assert_eq!(decision.team, Some(team(3)));
        assert_eq!(decision.rule, "most_upstream_service");
        assert_eq!(
            decision.reason,
            "checkout-db is the most upstream affected service: checkout and payments depend on it"
        );
    }

    #[test]
    fn dependencies_count_through_unaffected_services() {
        let (mut services, _) = shop();
        services.truncate(2);
        // payments -> ledger (unaffected) -> checkout
        let decision = decide(
            &policy(vec![OwnershipRule::MostUpstreamService]),
            &services,
            &[edge(2, 9), edge(9, 1)],
        );
        assert_eq!(decision.team, Some(team(1)));
        assert!(decision.reason.ends_with("payments depends on it"));
    }

    #[test]
    fn the_most_critical_tier_and_the_primary_service_decide_in_order() {
        let (services, edges) = shop();
        let critical = decide(
            &policy(vec![OwnershipRule::MostCriticalTier]),
            &services,
            &edges,
        );
        assert_eq!(critical.team, Some(team(2)));
        assert_eq!(
            critical.reason,
            "payments is the most critical affected service (tier 1)"
        );
        let default = decide(&OwnershipPolicy::default(), &services, &edges);
        assert_eq!(default.team, Some(team(1)));
        assert_eq!(default.rule, "primary_service");
        assert_eq!(default.reason, "checkout is the incident's own service");
    }

    #[test]
    fn a_tie_between_teams_does_not_decide_and_the_next_rule_does() {
        let (mut services, _) = shop();
        services[1].tier = 2;
        // checkout and payments: tier 2, different teams, neither depends on the other.
        services.truncate(2);
        let rules = vec![
            OwnershipRule::MostUpstreamService,
            OwnershipRule::MostCriticalTier,
            OwnershipRule::TeamPriority {
                team_ids: vec![team(9), team(2)],
            },
        ];
        let decision = decide(&policy(rules), &services, &[]);
        assert_eq!(decision.team, Some(team(2)));
        assert_eq!(decision.rule, "team_priority");
        assert_eq!(
            decision.reason,
            "team-2 comes first in the team priority among the affected teams"
        );
        // A tie within one team decides.
        services[1].team = Some((team(1), "team-1".to_owned()));
        let decision = decide(
            &policy(vec![OwnershipRule::MostCriticalTier]),
            &services,
            &[],
        );
        assert_eq!(decision.team, Some(team(1)));
        assert_eq!(decision.rule, "most_critical_tier");
    }

    #[test]
    fn a_dependency_cycle_ends_and_counts_as_one_level() {
        let (services, _) = shop();
        // checkout <-> payments, both depend on checkout-db; and checkout-db on itself.
        let edges = [edge(1, 2), edge(2, 1), edge(1, 3), edge(2, 3), edge(3, 3)];
        let decision = decide(
            &policy(vec![OwnershipRule::MostUpstreamService]),
            &services,
            &edges,
        );
        assert_eq!(decision.team, Some(team(3)));
        // A cycle of all three: nobody is more upstream, the fallback decides.
        let edges = [edge(1, 2), edge(2, 3), edge(3, 1)];
        let decision = decide(
            &policy(vec![OwnershipRule::MostUpstreamService]),
            &services,
            &edges,
        );
        assert_eq!(decision.rule, "primary_service");
        assert_eq!(decision.team, Some(team(1)));
    }

    #[test]
    fn services_without_a_team_never_own() {
        let (mut services, edges) = shop();
        services[2].team = None;
        services[1].team = None;
        let rules = vec![
            OwnershipRule::MostUpstreamService,
            OwnershipRule::MostCriticalTier,
        ];
        let decision = decide(&policy(rules.clone()), &services, &edges);
        // checkout-db has no team: no one else is upstream; payments (tier 1) has no team.
        assert_eq!(decision.team, Some(team(1)));
        assert_eq!(decision.rule, "most_critical_tier");
        services[0].team = None;
        let decision = decide(&policy(rules), &services, &edges);
        assert_eq!(decision.team, None);
        assert_eq!(
            decision.reason,
            "no rule decided and checkout belongs to no team"
        );
        assert!(candidates(&services).is_empty());
    }

    #[test]
    fn only_the_commander_settles_and_admins_only_without_one() {
        let (commander, other) = (UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2)));
        assert!(may_settle(Some(commander), OrgRole::Responder, Some(commander)).is_ok());
        assert!(may_settle(Some(other), OrgRole::Owner, Some(commander)).is_err());
        assert!(may_settle(Some(other), OrgRole::Admin, None).is_ok());
        assert!(may_settle(Some(other), OrgRole::Manager, None).is_err());
        assert!(may_settle(None, OrgRole::Responder, Some(commander)).is_err());
    }

    #[test]
    fn a_note_is_required_and_bounded() {
        assert_eq!(note("  db team  ", "/note"), Ok("db team".to_owned()));
        assert_eq!(note(" ", "/reason").expect_err("empty").pointer, "/reason");
        assert!(note(&"x".repeat(MAX_NOTE + 1), "/note").is_err());
    }

    #[test]
    fn a_policy_lists_each_rule_once_and_a_team_priority_names_teams() {
        let bad = policy(vec![
            OwnershipRule::PrimaryService,
            OwnershipRule::TeamPriority { team_ids: vec![] },
            OwnershipRule::PrimaryService,
        ]);
        let errors = bad.validate().expect_err("invalid");
        let pointers: Vec<&str> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/rules/1/team_ids", "/rules/2"]);
        let twice = policy(vec![OwnershipRule::TeamPriority {
            team_ids: vec![team(1), team(1)],
        }]);
        assert!(twice.validate().is_err());
        assert_eq!(
            twice.named_teams(),
            vec![
                ("/rules/0/team_ids/0".to_owned(), team(1)),
                ("/rules/0/team_ids/1".to_owned(), team(1))
            ]
        );
        let parsed: OwnershipPolicy = serde_json::from_value(serde_json::json!({
            "rules": [{"rule": "most_upstream_service"}, {"rule": "team_priority", "team_ids": []}]
        }))
        .expect("parses");
        assert_eq!(parsed.rules[0], OwnershipRule::MostUpstreamService);
        assert!(OwnershipPolicy::default().validate().is_ok());
    }
}
