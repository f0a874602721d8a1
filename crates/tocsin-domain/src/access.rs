//! The one policy that decides every permission. Routes declare an `Action`; handlers that act on a
//! team-owned object pass the owning team so team-scoped roles apply.
use crate::catalog::{OrgRole, TeamRole};
use crate::id::{IncidentId, IntegrationKeyId, ServiceId, TeamId, UserId};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session cookie (form posts also carry a CSRF token).
    Session,
    /// A bearer API token acting as its user.
    ApiToken,
    /// An integration key: may only send events to its own service.
    IntegrationKey {
        key: IntegrationKeyId,
        service: ServiceId,
    },
    /// An external responder's time-limited guest pass: may only use the guest routes of its one
    /// incident (and write to it when `may_write`).
    IncidentGuest {
        guest: uuid::Uuid,
        incident: IncidentId,
        may_write: bool,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Option<UserId>,
    pub role: OrgRole,
    pub teams: Vec<(TeamId, TeamRole)>,
    pub credential: Credential,
}

impl Principal {
    fn team_role(&self, team: TeamId) -> Option<TeamRole> {
        self.teams
            .iter()
            .find(|(id, _)| *id == team)
            .map(|(_, role)| *role)
    }
}

/// Everything a caller can ask to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read their own profile.
    ReadSelf,
    /// List and read teams and services.
    ReadCatalog,
    /// List and read users (names, emails, roles).
    ReadUsers,
    /// Create users, change their details, deactivate them.
    ManageUsers,
    /// Give a user the role `to` (their current role is `from`).
    AssignOrgRole { from: Option<OrgRole>, to: OrgRole },
    /// Create a team.
    CreateTeam,
    /// Change a team, its members, or the services and integration keys it owns.
    ManageTeam(TeamId),
    /// Delete a team.
    DeleteTeam(TeamId),
    /// Create, list and revoke one's own API tokens.
    ManageOwnTokens,
    /// Read the event log of the catalog.
    ReadEvents,
    /// Send events to a service through an integration key.
    Ingest(ServiceId),
    /// List and read alerts (with their raw payloads) and incidents.
    ReadAlerts,
    /// Acknowledge and resolve alerts by hand; create and expire silences.
    RespondToAlerts,
    /// Change organisation-wide alerting: global event rules, inhibition rules, maintenance
    /// windows.
    ManageAlerting,
    /// Read on-call schedules, their shifts and overrides, and who is on call (they name people).
    ReadSchedules,
    /// Add or remove overrides on a schedule owned by the team (`None`: an unowned schedule).
    /// Changing the schedule itself is managing its team, as for services.
    OverrideSchedule(Option<TeamId>),
    /// Read and change how a person is reached (contact methods, notification rules, quiet
    /// hours): the person themselves, or admins.
    ManageContacts(UserId),
    /// Change the organisation's notification message templates.
    ManageNotificationTemplates,
    /// Set an incident's regulatory profile and record filings of its obligations.
    ManageRegulatory,
    /// Change the holiday calendars business-day deadlines count in.
    ManageHolidayCalendars,
    /// Change the priority policy (matrix, thresholds, dynamic rules, major criteria, triage).
    ManagePriorityPolicy,
    /// Propose and approve taxonomy versions (approval also needs a second admin).
    ManageTaxonomy,
    /// The pre-approved authority to raise an incident of a service owned by the team (`None`:
    /// an unowned service) to P1 for a limited time, and to confirm it: managers, and the
    /// managers of the owning team.
    RaiseTemporaryP1(Option<TeamId>),
    /// Read the one incident a guest pass is for (guest routes only).
    ReadAsGuest,
    /// Add a note to the one incident a guest pass is for, when the pass allows writing.
    WriteAsGuest,
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No credential was presented: 401.
    Unauthenticated,
    /// A credential was presented but does not permit this: 403, with the reason.
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow)
    }
}

/// Decides whether `principal` may perform `action`.
pub fn decide(principal: Option<&Principal>, action: &Action) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    if let Credential::IntegrationKey { service, .. } = &principal.credential {
        return match action {
            Action::Ingest(target) if target == service => Decision::Allow,
            _ => Decision::Deny("integration keys may only send events to their own service"),
        };
    }
    if let Credential::IncidentGuest { may_write, .. } = &principal.credential {
        return match action {
            Action::ReadAsGuest => Decision::Allow,
            Action::WriteAsGuest if *may_write => Decision::Allow,
            Action::WriteAsGuest => Decision::Deny("this guest pass may read the incident only"),
            _ => Decision::Deny("a guest pass may only use the guest routes of its incident"),
        };
    }
    let role = principal.role;
    let allowed = match action {
        // Guest routes are for guest passes; people use the incident routes.
        Action::ReadAsGuest | Action::WriteAsGuest => false,
        Action::ReadSelf => true,
        Action::ReadCatalog => true,
        Action::ReadUsers | Action::ReadEvents => role.at_least(OrgRole::Observer),
        Action::ManageUsers => role.at_least(OrgRole::Admin),
        Action::AssignOrgRole { from, to } => {
            let touches_owner = *to == OrgRole::Owner || *from == Some(OrgRole::Owner);
            if touches_owner {
                role == OrgRole::Owner
            } else {
                role.at_least(OrgRole::Admin)
            }
        }
        Action::CreateTeam | Action::DeleteTeam(_) => role.at_least(OrgRole::Manager),
        Action::ManageTeam(team) => {
            role.at_least(OrgRole::Manager) || principal.team_role(*team) == Some(TeamRole::Manager)
        }
        Action::ManageOwnTokens => role.at_least(OrgRole::Observer),
        Action::Ingest(_) => false,
        Action::ReadAlerts => role.at_least(OrgRole::Observer),
        Action::RespondToAlerts => role.at_least(OrgRole::Responder),
        Action::ManageAlerting => role.at_least(OrgRole::Manager),
        Action::ReadSchedules => role.at_least(OrgRole::Observer),
        Action::OverrideSchedule(team) => {
            role.at_least(OrgRole::Manager)
                || team
                    .and_then(|team| principal.team_role(team))
                    .is_some_and(|r| matches!(r, TeamRole::Manager | TeamRole::Responder))
        }
        Action::ManageContacts(user) => {
            role.at_least(OrgRole::Admin)
                || (principal.user_id == Some(*user) && role.at_least(OrgRole::Observer))
        }
        Action::ManageNotificationTemplates => role.at_least(OrgRole::Admin),
        Action::ManageRegulatory => role.at_least(OrgRole::Responder),
        Action::ManageHolidayCalendars => role.at_least(OrgRole::Admin),
        Action::ManagePriorityPolicy | Action::ManageTaxonomy => role.at_least(OrgRole::Admin),
        Action::RaiseTemporaryP1(team) => {
            role.at_least(OrgRole::Manager)
                || team.is_some_and(|team| principal.team_role(team) == Some(TeamRole::Manager))
        }
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny(deny_reason(action))
    }
}

fn deny_reason(action: &Action) -> &'static str {
    match action {
        Action::ReadSelf | Action::ReadCatalog => "not permitted",
        Action::ReadUsers | Action::ReadEvents => "requires the observer role or above",
        Action::ManageUsers => "requires the admin role",
        Action::AssignOrgRole { .. } => {
            "only an owner may appoint or demote an owner; roles need admin"
        }
        Action::CreateTeam | Action::DeleteTeam(_) => "requires the manager role",
        Action::ManageTeam(_) => "requires the manager role, or being a manager of this team",
        Action::ManageOwnTokens => "stakeholders cannot hold API tokens",
        Action::Ingest(_) => "only integration keys send events",
        Action::ReadAlerts => "requires the observer role or above",
        Action::RespondToAlerts => "requires the responder role or above",
        Action::ManageAlerting => "requires the manager role or above",
        Action::ReadSchedules => "requires the observer role or above",
        Action::OverrideSchedule(_) => {
            "requires the manager role, or being a manager or responder of the schedule's team"
        }
        Action::ManageContacts(_) => "only the person themselves or an admin may do this",
        Action::ManageNotificationTemplates => "requires the admin role",
        Action::ManageRegulatory => "requires the responder role or above",
        Action::ManageHolidayCalendars => "requires the admin role",
        Action::ManagePriorityPolicy | Action::ManageTaxonomy => "requires the admin role",
        Action::RaiseTemporaryP1(_) => {
            "a temporary P1 needs the manager role, or being a manager of the service's team"
        }
        Action::ReadAsGuest | Action::WriteAsGuest => {
            "guest routes take a guest pass; signed-in users use /api/v1/incidents/{id}"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user(role: OrgRole, teams: Vec<(TeamId, TeamRole)>) -> Principal {
        Principal {
            user_id: Some(UserId(Uuid::from_u128(1))),
            role,
            teams,
            credential: Credential::ApiToken,
        }
    }

    const TEAM: TeamId = TeamId(Uuid::from_u128(10));
    const OTHER_TEAM: TeamId = TeamId(Uuid::from_u128(11));

    fn guest(may_write: bool) -> Principal {
        Principal {
            user_id: None,
            role: OrgRole::Stakeholder,
            teams: vec![],
            credential: Credential::IncidentGuest {
                guest: Uuid::from_u128(3),
                incident: IncidentId(Uuid::from_u128(4)),
                may_write,
            },
        }
    }

    #[test]
    fn a_guest_pass_opens_the_guest_routes_only_and_people_never_use_them() {
        let reader = guest(false);
        assert!(decide(Some(&reader), &Action::ReadAsGuest).is_allowed());
        assert_eq!(
            decide(Some(&reader), &Action::WriteAsGuest),
            Decision::Deny("this guest pass may read the incident only")
        );
        let writer = guest(true);
        assert!(decide(Some(&writer), &Action::WriteAsGuest).is_allowed());
        for action in [
            Action::ReadAlerts,
            Action::RespondToAlerts,
            Action::ReadSelf,
            Action::ReadCatalog,
            Action::ReadSchedules,
        ] {
            assert!(!decide(Some(&writer), &action).is_allowed(), "{action:?}");
        }
        let owner = user(OrgRole::Owner, vec![]);
        assert!(!decide(Some(&owner), &Action::ReadAsGuest).is_allowed());
        assert!(!decide(Some(&owner), &Action::WriteAsGuest).is_allowed());
    }

    #[test]
    fn contacts_are_managed_by_their_person_or_admins_only() {
        let me = UserId(Uuid::from_u128(1));
        let someone = UserId(Uuid::from_u128(2));
        for role in [OrgRole::Responder, OrgRole::Observer] {
            let caller = user(role, vec![]);
            assert!(decide(Some(&caller), &Action::ManageContacts(me)).is_allowed());
            assert!(!decide(Some(&caller), &Action::ManageContacts(someone)).is_allowed());
        }
        let manager = user(OrgRole::Manager, vec![(TEAM, TeamRole::Manager)]);
        assert!(!decide(Some(&manager), &Action::ManageContacts(someone)).is_allowed());
        let admin = user(OrgRole::Admin, vec![]);
        assert!(decide(Some(&admin), &Action::ManageContacts(someone)).is_allowed());
        let stakeholder = user(OrgRole::Stakeholder, vec![]);
        assert!(!decide(Some(&stakeholder), &Action::ManageContacts(me)).is_allowed());
    }

    #[test]
    fn temporary_p1_authority_is_managers_and_the_owning_team_managers() {
        let lead = user(OrgRole::Responder, vec![(TEAM, TeamRole::Manager)]);
        let member = user(OrgRole::Responder, vec![(TEAM, TeamRole::Responder)]);
        let manager = user(OrgRole::Manager, vec![]);
        assert!(decide(Some(&lead), &Action::RaiseTemporaryP1(Some(TEAM))).is_allowed());
        assert!(!decide(Some(&lead), &Action::RaiseTemporaryP1(Some(OTHER_TEAM))).is_allowed());
        assert!(!decide(Some(&lead), &Action::RaiseTemporaryP1(None)).is_allowed());
        assert!(!decide(Some(&member), &Action::RaiseTemporaryP1(Some(TEAM))).is_allowed());
        assert!(decide(Some(&manager), &Action::RaiseTemporaryP1(None)).is_allowed());
        assert!(!decide(Some(&manager), &Action::ManagePriorityPolicy).is_allowed());
        assert!(!decide(Some(&manager), &Action::ManageTaxonomy).is_allowed());
        let admin = user(OrgRole::Admin, vec![]);
        assert!(decide(Some(&admin), &Action::ManageTaxonomy).is_allowed());
    }

    #[test]
    fn anonymous_is_unauthenticated_for_everything() {
        assert_eq!(
            decide(None, &Action::ReadCatalog),
            Decision::Unauthenticated
        );
    }

    #[test]
    fn team_managers_manage_only_their_own_team() {
        let lead = user(
            OrgRole::Responder,
            vec![(TEAM, TeamRole::Manager), (OTHER_TEAM, TeamRole::Responder)],
        );
        assert!(decide(Some(&lead), &Action::ManageTeam(TEAM)).is_allowed());
        assert!(!decide(Some(&lead), &Action::ManageTeam(OTHER_TEAM)).is_allowed());
        assert!(!decide(Some(&lead), &Action::DeleteTeam(TEAM)).is_allowed());
    }

    #[test]
    fn only_owners_touch_the_owner_role() {
        let admin = user(OrgRole::Admin, vec![]);
        let owner = user(OrgRole::Owner, vec![]);
        let promote = Action::AssignOrgRole {
            from: Some(OrgRole::Admin),
            to: OrgRole::Owner,
        };
        let demote = Action::AssignOrgRole {
            from: Some(OrgRole::Owner),
            to: OrgRole::Observer,
        };
        let ordinary = Action::AssignOrgRole {
            from: Some(OrgRole::Observer),
            to: OrgRole::Manager,
        };
        assert!(!decide(Some(&admin), &promote).is_allowed());
        assert!(!decide(Some(&admin), &demote).is_allowed());
        assert!(decide(Some(&admin), &ordinary).is_allowed());
        assert!(decide(Some(&owner), &promote).is_allowed());
    }

    #[test]
    fn observers_read_alerts_and_responders_act_on_them() {
        let observer = user(OrgRole::Observer, vec![]);
        let responder = user(OrgRole::Responder, vec![]);
        let stakeholder = user(OrgRole::Stakeholder, vec![]);
        assert!(decide(Some(&observer), &Action::ReadAlerts).is_allowed());
        assert!(!decide(Some(&observer), &Action::RespondToAlerts).is_allowed());
        assert!(decide(Some(&responder), &Action::RespondToAlerts).is_allowed());
        assert!(!decide(Some(&stakeholder), &Action::ReadAlerts).is_allowed());
        assert!(!decide(Some(&responder), &Action::ManageAlerting).is_allowed());
        let manager = user(OrgRole::Manager, vec![]);
        assert!(decide(Some(&manager), &Action::ManageAlerting).is_allowed());
    }

    #[test]
    fn team_responders_override_their_team_schedules_and_observers_only_read() {
        let member = user(OrgRole::Responder, vec![(TEAM, TeamRole::Responder)]);
        let follower = user(OrgRole::Responder, vec![(TEAM, TeamRole::Observer)]);
        let manager = user(OrgRole::Manager, vec![]);
        let observer = user(OrgRole::Observer, vec![]);
        let stakeholder = user(OrgRole::Stakeholder, vec![]);
        let own = Action::OverrideSchedule(Some(TEAM));
        assert!(decide(Some(&member), &own).is_allowed());
        assert!(!decide(Some(&member), &Action::OverrideSchedule(Some(OTHER_TEAM))).is_allowed());
        assert!(!decide(Some(&member), &Action::OverrideSchedule(None)).is_allowed());
        assert!(!decide(Some(&follower), &own).is_allowed());
        assert!(decide(Some(&manager), &Action::OverrideSchedule(None)).is_allowed());
        assert!(decide(Some(&observer), &Action::ReadSchedules).is_allowed());
        assert!(!decide(Some(&observer), &own).is_allowed());
        assert!(!decide(Some(&stakeholder), &Action::ReadSchedules).is_allowed());
    }

    #[test]
    fn stakeholders_see_the_catalog_but_not_people_or_tokens() {
        let stakeholder = user(OrgRole::Stakeholder, vec![]);
        assert!(decide(Some(&stakeholder), &Action::ReadCatalog).is_allowed());
        assert!(!decide(Some(&stakeholder), &Action::ReadUsers).is_allowed());
        assert!(!decide(Some(&stakeholder), &Action::ManageOwnTokens).is_allowed());
    }

    #[test]
    fn integration_keys_only_ingest_into_their_service() {
        let service = ServiceId(Uuid::from_u128(20));
        let key = Principal {
            user_id: None,
            role: OrgRole::Stakeholder,
            teams: vec![],
            credential: Credential::IntegrationKey {
                key: IntegrationKeyId(Uuid::from_u128(30)),
                service,
            },
        };
        assert!(decide(Some(&key), &Action::Ingest(service)).is_allowed());
        assert!(!decide(Some(&key), &Action::Ingest(ServiceId(Uuid::from_u128(21)))).is_allowed());
        assert!(!decide(Some(&key), &Action::ReadCatalog).is_allowed());
        let owner = user(OrgRole::Owner, vec![]);
        assert!(!decide(Some(&owner), &Action::Ingest(service)).is_allowed());
    }
}
