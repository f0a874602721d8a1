//! Seeding the incidents bench: services through the public API, two responders with API tokens
//! (one who only sees normal incidents, one who is a participant of half the restricted ones),
//! then the incidents in bulk, straight into the store in large transactions (see
//! `tocsin_store::incident::bench_seed`; no events: the list and detail reads need none).
use anyhow::Context;
use indicatif::ProgressBar;
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::IncidentId;
use tocsin_domain::values::{Email, Name, TimeZoneName};
use tocsin_server::auth::secrets::{API_TOKEN_PREFIX, display_prefix, hash_secret, random_secret};
use tocsin_store::access::tokens::{self, NewApiToken};
use tocsin_store::catalog::users::{self, NewUser};
use tocsin_store::incident::bench_seed::{self, SeedIncident};
use tocsin_store::{Store, StoreError};
use uuid::Uuid;

use super::super::setup::send;
use super::plan;

/// Incidents per write transaction.
const ROWS_PER_TRANSACTION: usize = 20_000;

/// What the measurement needs from the seeded database.
pub struct Seeded {
    pub services: Vec<Uuid>,
    /// A responder who is a participant of no incident.
    pub bystander_token: String,
    /// A responder who is a participant of every other restricted incident.
    pub participant_token: String,
    /// The participant's email and password, for signing in to the console.
    pub participant_login: (String, String),
    /// The incident half-way down the list (its id is the later-page cursor).
    pub middle: Uuid,
    /// Normal incidents spread over the whole table, for the detail reads.
    pub sample: Vec<Uuid>,
}

/// Creates `count` services through the API; answers their ids.
pub async fn services(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    count: usize,
) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let service = send(
            client,
            reqwest::Method::POST,
            &format!("{base}/api/v1/services"),
            token,
            &json!({ "name": format!("Bench service {index:04}") }),
        )
        .await
        .with_context(|| format!("cannot create bench service {index}"))?;
        let id = service["id"].as_str().context("no service id")?;
        ids.push(id.parse().context("the service id is not a UUID")?);
    }
    Ok(ids)
}

/// A responder with an API token (the token is answered with the user's id) and, when given, a
/// password to sign in with.
async fn responder(
    store: &Store,
    name: &str,
    password: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<(Uuid, String)> {
    let password_hash = match password {
        Some(password) => Some(
            tocsin_server::auth::password::hash(password)
                .map_err(|why| anyhow::anyhow!("cannot hash the bench password: {why}"))?,
        ),
        None => None,
    };
    let secret = random_secret(API_TOKEN_PREFIX);
    let token = NewApiToken {
        user_id: tocsin_domain::id::UserId(Uuid::nil()),
        name: "incidents bench".to_owned(),
        token_hash: hash_secret(&secret),
        prefix: display_prefix(&secret),
        expires_at: None,
    };
    let new = NewUser {
        email: Email::parse(&format!("{name}@bench.invalid")).map_err(anyhow::Error::msg)?,
        name: Name::parse(name).map_err(anyhow::Error::msg)?,
        role: OrgRole::Responder,
        time_zone: TimeZoneName::utc(),
        password_hash,
    };
    let user = store
        .write(move |tx| {
            Box::pin(async move {
                let user = users::create_user(tx, new, "bench", now).await?;
                let token = NewApiToken {
                    user_id: user.id,
                    ..token
                };
                tokens::create(tx, token, "bench", now).await?;
                Ok::<_, StoreError>(user.id.0)
            })
        })
        .await
        .with_context(|| format!("cannot create the bench user {name}"))?;
    Ok((user, secret))
}

/// Seeds `total` incidents over `services`, showing progress on `bar`.
pub async fn incidents(
    store: &Store,
    services: Vec<Uuid>,
    total: usize,
    bar: &ProgressBar,
) -> anyhow::Result<Seeded> {
    let now = Timestamp::now();
    let (_, bystander_token) = responder(store, "bystander", None, now).await?;
    let password = random_secret("bench_");
    let (participant, participant_token) =
        responder(store, "participant", Some(&password), now).await?;
    let mut middle = None;
    let mut sample = Vec::new();
    let sample_every = (total / 1000).max(1);
    let mut start = 0;
    while start < total {
        let end = (start + ROWS_PER_TRANSACTION).min(total);
        let rows: Vec<SeedIncident> = (start..end)
            .map(|index| incident(index, total, &services, now))
            .collect();
        for (index, row) in (start..end).zip(&rows) {
            if index == total / 2 {
                middle = Some(row.id);
            }
            if index % sample_every == 0 && row.visibility == "normal" {
                sample.push(row.id);
            }
        }
        let joined: Vec<Uuid> = (start..end)
            .zip(&rows)
            .filter(|(index, _)| plan::joined_by_participant(*index))
            .map(|(_, row)| row.id)
            .collect();
        store
            .write(move |tx| {
                Box::pin(async move {
                    bench_seed::seed_incidents(tx, &rows).await?;
                    bench_seed::seed_participants(tx, participant, &joined, now).await
                })
            })
            .await
            .context("cannot seed incidents")?;
        bar.inc((end - start) as u64);
        start = end;
    }
    bar.finish_and_clear();
    Ok(Seeded {
        services,
        bystander_token,
        participant_token,
        participant_login: ("participant@bench.invalid".to_owned(), password),
        middle: middle.context("nothing was seeded")?,
        sample,
    })
}

fn incident(index: usize, total: usize, services: &[Uuid], now: Timestamp) -> SeedIncident {
    let draw = plan::draw(index as u64);
    let created_at = plan::created_at(index, total, now);
    let status = plan::status(draw);
    let restricted = plan::restricted(index);
    let minutes = |m: i64| created_at + jiff::SignedDuration::from_mins(m);
    let acknowledged = status != "triggered";
    let resolved = ["resolved", "closed"].contains(&status);
    SeedIncident {
        id: IncidentId::new(created_at).0,
        number: i64::try_from(index).unwrap_or(i64::MAX - 1) + 1,
        service_id: services[plan::service(draw, services.len())],
        title: format!("Bench incident {index}"),
        severity: plan::severity(draw),
        status,
        created_at,
        acknowledged_at: acknowledged.then(|| minutes(4)),
        resolved_at: resolved.then(|| minutes(55)),
        closed_at: (status == "closed").then(|| minutes(24 * 60)),
        visibility: if restricted { "restricted" } else { "normal" },
        incident_type: if restricted { "security" } else { "default" },
    }
}
