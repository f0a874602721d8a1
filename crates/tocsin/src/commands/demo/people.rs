//! The demo's people: twelve users in New York, Berlin and Tokyo with every organisation role
//! (admin, managers, responders, an observer, a stakeholder), sharing one demo password, and the
//! four teams they work in.
use anyhow::Context;
use jiff::Timestamp;
use tocsin_domain::catalog::{OrgRole, TeamRole};
use tocsin_domain::id::{TeamId, UserId};
use tocsin_domain::values::{Description, Email, Name, TimeZoneName};
use tocsin_store::catalog::{self, NewTeam, NewUser};
use tocsin_store::{Store, StoreError};

use super::{ACTOR, parsed};

/// The password every demo user signs in with (printed at startup; a demo is not for real data).
pub const DEMO_PASSWORD: &str = "tocsin-demo-password";

pub const NEW_YORK: &str = "America/New_York";
pub const BERLIN: &str = "Europe/Berlin";
pub const TOKYO: &str = "Asia/Tokyo";

/// A demo user.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub name: &'static str,
    pub email: &'static str,
    pub role: OrgRole,
    pub zone: &'static str,
}

const fn person(
    name: &'static str,
    email: &'static str,
    role: OrgRole,
    zone: &'static str,
) -> Person {
    Person {
        name,
        email,
        role,
        zone,
    }
}

/// Everyone, four per time zone; the indices are used by [`TEAMS`] and the schedules.
pub const PEOPLE: [Person; 12] = [
    person("Ada Park", "ada@demo.example", OrgRole::Admin, NEW_YORK),
    person(
        "Marcus Reed",
        "marcus@demo.example",
        OrgRole::Manager,
        NEW_YORK,
    ),
    person(
        "Priya Shah",
        "priya@demo.example",
        OrgRole::Responder,
        NEW_YORK,
    ),
    person(
        "Tom Alvarez",
        "tom@demo.example",
        OrgRole::Responder,
        NEW_YORK,
    ),
    person(
        "Lena Fischer",
        "lena@demo.example",
        OrgRole::Manager,
        BERLIN,
    ),
    person(
        "Jonas Weber",
        "jonas@demo.example",
        OrgRole::Responder,
        BERLIN,
    ),
    person(
        "Sofia Rossi",
        "sofia@demo.example",
        OrgRole::Responder,
        BERLIN,
    ),
    person("Mia Becker", "mia@demo.example", OrgRole::Observer, BERLIN),
    person("Kenji Sato", "kenji@demo.example", OrgRole::Manager, TOKYO),
    person(
        "Yuki Tanaka",
        "yuki@demo.example",
        OrgRole::Responder,
        TOKYO,
    ),
    person(
        "Hiro Nakamura",
        "hiro@demo.example",
        OrgRole::Responder,
        TOKYO,
    ),
    person(
        "Emi Kobayashi",
        "emi@demo.example",
        OrgRole::Stakeholder,
        TOKYO,
    ),
];

/// A demo team: its manager and its on-call pairs per time zone (indices into [`PEOPLE`]).
#[derive(Debug, Clone, Copy)]
pub struct TeamPlan {
    pub name: &'static str,
    pub description: &'static str,
    pub manager: usize,
    /// Two people each in New York, Berlin and Tokyo, who take the team's follow-the-sun shifts.
    pub on_call: [[usize; 2]; 3],
}

pub const TEAMS: [TeamPlan; 4] = [
    TeamPlan {
        name: "Payments",
        description: "Card payments, the ledger and fraud scoring.",
        manager: 1,
        on_call: [[2, 3], [5, 6], [9, 10]],
    },
    TeamPlan {
        name: "Platform",
        description: "Kubernetes, the primary database and the event bus everything runs on.",
        manager: 4,
        on_call: [[3, 0], [6, 4], [10, 8]],
    },
    TeamPlan {
        name: "Storefront",
        description: "The shop customers see: catalog, search and checkout.",
        manager: 8,
        on_call: [[2, 1], [5, 4], [9, 8]],
    },
    TeamPlan {
        name: "Data",
        description: "The warehouse and the reports the business reads every morning.",
        manager: 4,
        on_call: [[1, 3], [4, 5], [8, 10]],
    },
];

impl TeamPlan {
    /// Everyone on the team, manager first, each once.
    pub fn members(&self) -> Vec<usize> {
        let mut members = vec![self.manager];
        for index in self.on_call.iter().flatten() {
            if !members.contains(index) {
                members.push(*index);
            }
        }
        members
    }
}

/// The users (in [`PEOPLE`] order) and teams (in [`TEAMS`] order) as stored.
#[derive(Debug, Clone)]
pub struct People {
    pub users: Vec<UserId>,
    pub teams: Vec<TeamId>,
}

/// Creates the users (all with the demo password), the teams and their members in one
/// transaction.
pub async fn create(store: &Store, now: Timestamp) -> anyhow::Result<People> {
    let password_hash =
        tokio::task::spawn_blocking(|| tocsin_server::auth::password::hash(DEMO_PASSWORD))
            .await
            .context("hashing the demo password stopped")?
            .map_err(|e| anyhow::anyhow!("cannot hash the demo password: {e}"))?;
    let mut users = Vec::with_capacity(PEOPLE.len());
    for person in PEOPLE {
        users.push(NewUser {
            email: parsed(Email::parse(person.email), person.email)?,
            name: parsed(Name::parse(person.name), person.name)?,
            role: person.role,
            time_zone: parsed(TimeZoneName::parse(person.zone), person.zone)?,
            password_hash: Some(password_hash.clone()),
        });
    }
    let mut teams = Vec::with_capacity(TEAMS.len());
    for team in TEAMS {
        let new = NewTeam {
            name: parsed(Name::parse(team.name), team.name)?,
            description: parsed(Description::parse(team.description), team.name)?,
        };
        teams.push((new, team));
    }
    store
        .write(move |tx| {
            Box::pin(async move {
                let mut user_ids = Vec::with_capacity(users.len());
                for new in users {
                    user_ids.push(catalog::create_user(tx, new, ACTOR, now).await?.id);
                }
                let mut team_ids = Vec::with_capacity(teams.len());
                for (new, plan) in teams {
                    let team = catalog::create_team(tx, new, ACTOR, now).await?.id;
                    for member in plan.members() {
                        let role = if member == plan.manager {
                            TeamRole::Manager
                        } else {
                            TeamRole::Responder
                        };
                        catalog::put_member(tx, team, user_ids[member], role, ACTOR, now).await?;
                    }
                    team_ids.push(team);
                }
                Ok::<_, StoreError>(People {
                    users: user_ids,
                    teams: team_ids,
                })
            })
        })
        .await
        .context("cannot create the demo users and teams")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_team_has_two_people_on_call_in_each_time_zone() {
        for team in TEAMS {
            for (pair, zone) in team.on_call.iter().zip([NEW_YORK, BERLIN, TOKYO]) {
                assert_ne!(pair[0], pair[1], "{}", team.name);
                for index in pair {
                    let person = PEOPLE[*index];
                    assert_eq!(person.zone, zone, "{} in {}", person.name, team.name);
                    assert!(
                        !matches!(person.role, OrgRole::Observer | OrgRole::Stakeholder),
                        "{} cannot respond",
                        person.name
                    );
                }
            }
        }
    }

    #[test]
    fn members_list_the_manager_first_and_nobody_twice() {
        let platform = TEAMS[1];
        let members = platform.members();
        assert_eq!(members[0], platform.manager);
        let mut unique = members.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), members.len(), "{members:?}");
        assert!(members.contains(&10));
    }

    #[test]
    fn the_people_cover_every_role_but_owner_and_all_three_zones() {
        for role in [
            OrgRole::Admin,
            OrgRole::Manager,
            OrgRole::Responder,
            OrgRole::Observer,
            OrgRole::Stakeholder,
        ] {
            assert!(PEOPLE.iter().any(|p| p.role == role), "{role:?}");
        }
        for zone in [NEW_YORK, BERLIN, TOKYO] {
            assert_eq!(
                PEOPLE.iter().filter(|p| p.zone == zone).count(),
                4,
                "{zone}"
            );
        }
    }
}
