//! The demo's service catalog: eleven services with tiers and owning teams, a dependency graph
//! (kubernetes under everything, postgres-primary under the APIs, payments-api under
//! checkout-web) and one integration key each, of the generic, Alertmanager or PagerDuty kind.
use anyhow::Context;
use jiff::Timestamp;
use tocsin_domain::id::ServiceId;
use tocsin_domain::values::{Description, HttpUrl, Name, Tag, Tier};
use tocsin_server::auth::secrets::{INTEGRATION_KEY_PREFIX, random_secret};
use tocsin_store::access::integration_keys;
use tocsin_store::catalog::{self, NewService};
use tocsin_store::{Store, StoreError};

use super::people::People;
use super::{ACTOR, parsed};

/// Demo integration keys are named with this prefix, so the alert trickle finds them (and only
/// them) again after a restart.
pub const KEY_NAME_PREFIX: &str = "demo ";

/// A demo service; `team` indexes `people::TEAMS`, `depends_on` indexes [`SERVICES`] (earlier
/// entries only, so creating them in order always finds the dependencies).
#[derive(Debug, Clone, Copy)]
pub struct ServicePlan {
    pub name: &'static str,
    pub description: &'static str,
    pub team: usize,
    pub tier: i64,
    pub depends_on: &'static [usize],
    /// The kind of its integration key.
    pub key_kind: &'static str,
}

const fn service(
    name: &'static str,
    description: &'static str,
    team: usize,
    tier: i64,
    depends_on: &'static [usize],
    key_kind: &'static str,
) -> ServicePlan {
    ServicePlan {
        name,
        description,
        team,
        tier,
        depends_on,
        key_kind,
    }
}

pub const SERVICES: [ServicePlan; 11] = [
    service(
        "kubernetes",
        "The production clusters every workload runs on.",
        1,
        1,
        &[],
        "alertmanager",
    ),
    service(
        "postgres-primary",
        "The primary PostgreSQL cluster and its replicas.",
        1,
        1,
        &[0],
        "alertmanager",
    ),
    service(
        "kafka",
        "The event bus between services.",
        1,
        2,
        &[0],
        "alertmanager",
    ),
    service(
        "payments-api",
        "Authorises and captures card payments.",
        0,
        1,
        &[0, 1],
        "generic",
    ),
    service(
        "ledger",
        "Double-entry bookkeeping of every payment.",
        0,
        1,
        &[0, 1, 2],
        "generic",
    ),
    service(
        "fraud-scoring",
        "Scores payments for fraud before capture.",
        0,
        2,
        &[0, 2],
        "pagerduty",
    ),
    service(
        "checkout-web",
        "The checkout pages of the shop.",
        2,
        1,
        &[0, 3],
        "generic",
    ),
    service(
        "catalog-api",
        "Products, prices and stock.",
        2,
        2,
        &[0, 1],
        "generic",
    ),
    service(
        "search",
        "Product search and suggestions.",
        2,
        3,
        &[0, 7],
        "pagerduty",
    ),
    service(
        "data-warehouse",
        "The analytics warehouse fed from the event bus.",
        3,
        3,
        &[0, 2],
        "alertmanager",
    ),
    service(
        "daily-reports",
        "Revenue and conversion reports, built every morning.",
        3,
        4,
        &[9],
        "generic",
    ),
];

/// An integration key of a demo service.
#[derive(Debug, Clone)]
pub struct DemoKey {
    pub service: String,
    pub kind: String,
    pub secret: String,
}

/// The services (in [`SERVICES`] order) as stored, and their keys.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub services: Vec<ServiceId>,
    pub keys: Vec<DemoKey>,
}

/// The service to create for `plan`, its dependencies still to fill in (their ids are not known
/// before they are created).
fn new_service(plan: &ServicePlan, people: &People) -> anyhow::Result<NewService> {
    let runbook = format!("https://runbooks.demo.example/{}", plan.name);
    let tier_tag = format!("tier-{}", plan.tier);
    Ok(NewService {
        name: parsed(Name::parse(plan.name), plan.name)?,
        description: parsed(Description::parse(plan.description), plan.name)?,
        team_id: people.teams.get(plan.team).copied(),
        tier: parsed(Tier::parse(plan.tier), plan.name)?,
        runbook_url: Some(parsed(HttpUrl::parse(&runbook), &runbook)?),
        tags: vec![parsed(Tag::parse(&tier_tag), &tier_tag)?],
        depends_on: Vec::new(),
    })
}

/// Creates the services in order (dependencies first) with one key each, in one transaction.
pub async fn create(store: &Store, people: &People, now: Timestamp) -> anyhow::Result<Catalog> {
    let planned = SERVICES
        .iter()
        .map(|plan| Ok((new_service(plan, people)?, *plan)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    store
        .write(move |tx| {
            Box::pin(async move {
                let mut services: Vec<ServiceId> = Vec::with_capacity(planned.len());
                let mut keys = Vec::with_capacity(planned.len());
                for (mut new, plan) in planned {
                    new.depends_on = plan
                        .depends_on
                        .iter()
                        .filter_map(|index| services.get(*index).copied())
                        .collect();
                    let id = catalog::create_service(tx, new, ACTOR, now).await?.id;
                    let secret = random_secret(INTEGRATION_KEY_PREFIX);
                    let name = format!("{KEY_NAME_PREFIX}{}", plan.key_kind);
                    integration_keys::create(
                        tx,
                        id,
                        name,
                        plan.key_kind.to_owned(),
                        secret.clone(),
                        ACTOR,
                        now,
                    )
                    .await?;
                    services.push(id);
                    keys.push(DemoKey {
                        service: plan.name.to_owned(),
                        kind: plan.key_kind.to_owned(),
                        secret,
                    });
                }
                Ok::<_, StoreError>(Catalog { services, keys })
            })
        })
        .await
        .context("cannot create the demo services")
}

/// The live demo keys of the stored services (found by their name), for the alert trickle.
pub async fn stored_keys(store: &Store) -> anyhow::Result<Vec<DemoKey>> {
    let services = catalog::list_services(store.reader(), None, None, 100)
        .await
        .context("cannot list the services")?;
    let mut keys = Vec::new();
    for service in services {
        let listed = integration_keys::list(store.reader(), service.id)
            .await
            .context("cannot list integration keys")?;
        keys.extend(
            listed
                .into_iter()
                .filter(|key| key.name.starts_with(KEY_NAME_PREFIX) && key.revoked_at.is_none())
                .map(|key| DemoKey {
                    service: service.name.to_string(),
                    kind: key.kind,
                    secret: key.secret,
                }),
        );
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBERNETES: usize = 0;
    const PAYMENTS_API: usize = 3;
    const CHECKOUT_WEB: usize = 6;

    #[test]
    fn dependencies_point_at_earlier_services_and_kubernetes_is_under_everything() {
        for (index, plan) in SERVICES.iter().enumerate() {
            assert!(plan.depends_on.iter().all(|d| *d < index), "{}", plan.name);
            assert!(
                (1..=4).contains(&plan.tier) && plan.team < 4,
                "{}",
                plan.name
            );
        }
        assert_eq!(SERVICES[KUBERNETES].name, "kubernetes");
        assert_eq!(SERVICES[PAYMENTS_API].name, "payments-api");
        assert_eq!(SERVICES[CHECKOUT_WEB].name, "checkout-web");
        assert!(SERVICES[CHECKOUT_WEB].depends_on.contains(&PAYMENTS_API));
        assert!(
            SERVICES[PAYMENTS_API].depends_on.contains(&1),
            "postgres-primary"
        );
    }

    #[test]
    fn every_intake_kind_the_demo_shows_has_a_key() {
        for kind in ["generic", "alertmanager", "pagerduty"] {
            assert!(SERVICES.iter().any(|s| s.key_kind == kind), "{kind}");
        }
    }
}
