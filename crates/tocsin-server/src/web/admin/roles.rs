//! `/admin/roles`: what each organisation role may do, asked of the policy itself
//! (`tocsin_domain::access::decide`) for every capability so the table can never disagree with
//! what the API enforces; plus the incident roles of `/api/v1/incident-roles`.
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use tocsin_domain::access::{Action, Credential, Principal, decide};
use tocsin_domain::catalog::{OrgRole, TeamRole};
use tocsin_domain::id::{TeamId, UserId};

use super::Admin;
use crate::api::roles::crud::{self, RoleQuery};
use crate::api::roles::views::RoleView;
use crate::extract::Query;
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, api_problem, render};

const SOMEONE: UserId = UserId(uuid::Uuid::from_u128(1));
const SOMEONE_ELSE: UserId = UserId(uuid::Uuid::from_u128(2));
const A_TEAM: TeamId = TeamId(uuid::Uuid::from_u128(3));

/// Whom a capability is about, which decides how a cell reads.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Organisation-wide.
    Org,
    /// About one team: a team role may grant it.
    Team,
    /// About one person: being that person may grant it.
    Person,
}

/// One row of the table: what it means, whom it is about, and the action asked of the policy.
struct Capability {
    what: &'static str,
    scope: Scope,
    action: fn(Option<TeamId>, UserId) -> Action,
}

/// Every capability a person's role can grant, with the policy's action for it. Integration
/// keys and guest passes are credentials of their own, not roles, so they are not listed.
const CAPABILITIES: &[Capability] = &[
    cap("See their own profile", Scope::Org, |_, _| Action::ReadSelf),
    cap("See teams and services", Scope::Org, |_, _| {
        Action::ReadCatalog
    }),
    cap(
        "See the user directory (names, emails, roles)",
        Scope::Org,
        |_, _| Action::ReadUsers,
    ),
    cap("Invite, change and deactivate users", Scope::Org, |_, _| {
        Action::ManageUsers
    }),
    cap("Give users roles other than owner", Scope::Org, |_, _| {
        Action::AssignOrgRole {
            from: Some(OrgRole::Observer),
            to: OrgRole::Manager,
        }
    }),
    cap("Appoint or demote owners", Scope::Org, |_, _| {
        Action::AssignOrgRole {
            from: Some(OrgRole::Admin),
            to: OrgRole::Owner,
        }
    }),
    cap("Create teams", Scope::Org, |_, _| Action::CreateTeam),
    cap(
        "Change a team, its members, services and integration keys",
        Scope::Team,
        |team, _| Action::ManageTeam(team.unwrap_or(A_TEAM)),
    ),
    cap("Delete a team", Scope::Team, |team, _| {
        Action::DeleteTeam(team.unwrap_or(A_TEAM))
    }),
    cap("Hold personal API tokens", Scope::Org, |_, _| {
        Action::ManageOwnTokens
    }),
    cap("Read the catalog's event log", Scope::Org, |_, _| {
        Action::ReadEvents
    }),
    cap("See alerts and incidents", Scope::Org, |_, _| {
        Action::ReadAlerts
    }),
    cap(
        "Acknowledge and resolve alerts; create and expire silences",
        Scope::Org,
        |_, _| Action::RespondToAlerts,
    ),
    cap(
        "Change organisation-wide alerting (event rules, maintenance windows)",
        Scope::Org,
        |_, _| Action::ManageAlerting,
    ),
    cap("See schedules and who is on call", Scope::Org, |_, _| {
        Action::ReadSchedules
    }),
    cap(
        "Add overrides to a team's schedule",
        Scope::Team,
        |team, _| Action::OverrideSchedule(team),
    ),
    cap(
        "Change how a person is reached (contact methods, rules, quiet hours)",
        Scope::Person,
        |_, user| Action::ManageContacts(user),
    ),
    cap(
        "Change notification message templates",
        Scope::Org,
        |_, _| Action::ManageNotificationTemplates,
    ),
    cap(
        "Set regulatory profiles and record filings",
        Scope::Org,
        |_, _| Action::ManageRegulatory,
    ),
    cap("Change holiday calendars", Scope::Org, |_, _| {
        Action::ManageHolidayCalendars
    }),
    cap("Change the priority policy", Scope::Org, |_, _| {
        Action::ManagePriorityPolicy
    }),
    cap(
        "Propose and approve taxonomy versions",
        Scope::Org,
        |_, _| Action::ManageTaxonomy,
    ),
    cap(
        "Raise a team's service to a temporary P1",
        Scope::Team,
        |team, _| Action::RaiseTemporaryP1(team),
    ),
];

const fn cap(
    what: &'static str,
    scope: Scope,
    action: fn(Option<TeamId>, UserId) -> Action,
) -> Capability {
    Capability {
        what,
        scope,
        action,
    }
}

/// A signed-in person with `role` and, optionally, a role in `A_TEAM`.
fn person(role: OrgRole, team_role: Option<TeamRole>) -> Principal {
    Principal {
        user_id: Some(SOMEONE),
        role,
        teams: team_role.map(|r| vec![(A_TEAM, r)]).unwrap_or_default(),
        credential: Credential::Session,
    }
}

fn allowed(principal: &Principal, action: &Action) -> bool {
    decide(Some(principal), action).is_allowed()
}

/// What `role` may do of `capability`, in words, as the policy decides it.
fn cell(role: OrgRole, capability: &Capability) -> String {
    let plain = person(role, None);
    match capability.scope {
        Scope::Org => yes_no(allowed(&plain, &(capability.action)(None, SOMEONE))),
        Scope::Person => {
            if allowed(&plain, &(capability.action)(None, SOMEONE_ELSE)) {
                "anyone's".to_owned()
            } else {
                yes_no_own(allowed(&plain, &(capability.action)(None, SOMEONE)))
            }
        }
        Scope::Team => {
            let action = (capability.action)(Some(A_TEAM), SOMEONE);
            if allowed(&plain, &action) {
                return "any team".to_owned();
            }
            let granting: Vec<&str> = TeamRole::ALL
                .into_iter()
                .filter(|r| allowed(&person(role, Some(*r)), &action))
                .map(TeamRole::as_str)
                .collect();
            if granting.is_empty() {
                "no".to_owned()
            } else {
                format!("as team {}", granting.join(" or "))
            }
        }
    }
}

fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_owned()
}

fn yes_no_own(own: bool) -> String {
    if own { "their own" } else { "no" }.to_owned()
}

/// The table: one row per capability, one cell per role (owner first).
pub fn matrix() -> Vec<(&'static str, Vec<String>)> {
    CAPABILITIES
        .iter()
        .map(|c| (c.what, OrgRole::ALL.iter().map(|r| cell(*r, c)).collect()))
        .collect()
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
pub struct RolesPage {
    pub chrome: Chrome,
    pub roles: Vec<&'static str>,
    pub rows: Vec<(&'static str, Vec<String>)>,
    pub incident_roles: Vec<RoleView>,
}

/// The roles page.
pub async fn show(State(state): State<AppState>, Admin(viewer): Admin) -> Response {
    let listed = async {
        viewer.caller.authorize(Action::ReadSchedules)?;
        let query = RoleQuery {
            limit: None,
            cursor: None,
        };
        crud::list(State(state), Query(query)).await
    }
    .await;
    match listed {
        Ok(Json(page)) => render(&RolesPage {
            chrome: viewer.chrome(Section::Admin),
            roles: OrgRole::ALL.into_iter().map(OrgRole::as_str).collect(),
            rows: matrix(),
            incident_roles: page.items,
        }),
        Err(error) => api_problem(&viewer, error, "/admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(what: &str) -> Vec<String> {
        matrix()
            .into_iter()
            .find(|(w, _)| *w == what)
            .map(|(_, cells)| cells)
            .expect("the capability is listed")
    }

    #[test]
    fn the_table_reads_the_policy_for_each_role() {
        // owner, admin, manager, responder, observer, stakeholder
        assert_eq!(
            row("Invite, change and deactivate users"),
            ["yes", "yes", "no", "no", "no", "no"]
        );
        assert_eq!(
            row("Appoint or demote owners"),
            ["yes", "no", "no", "no", "no", "no"]
        );
        assert_eq!(
            row("Hold personal API tokens"),
            ["yes", "yes", "yes", "yes", "yes", "no"]
        );
    }

    #[test]
    fn team_and_person_scoped_capabilities_say_how_they_are_granted() {
        let manage = row("Change a team, its members, services and integration keys");
        assert_eq!(manage[2], "any team");
        assert_eq!(manage[3], "as team manager");
        let overrides = row("Add overrides to a team's schedule");
        assert_eq!(overrides[3], "as team manager or responder");
        let contacts = row("Change how a person is reached (contact methods, rules, quiet hours)");
        assert_eq!(contacts[1], "anyone's");
        assert_eq!(contacts[3], "their own");
        assert_eq!(contacts[5], "no");
    }
}
