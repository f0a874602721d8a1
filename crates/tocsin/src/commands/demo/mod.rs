//! `tocsin serve --demo`: fills a fresh database with a made-up organisation (people in three
//! time zones, teams, services with dependencies and integration keys, follow-the-sun schedules,
//! escalation policies, 90 days of past incidents with timelines) through the store's own write
//! functions, then keeps alerts trickling in through the real intake while the server runs. A
//! database that already has services is left as it is. See docs/demo.md.
mod dice;
pub mod history;
pub mod oncall;
pub mod people;
pub mod services;
pub mod trickle;

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Context;
use indicatif::ProgressBar;
use jiff::Timestamp;
use tocsin_domain::values::ValueError;
use tocsin_store::Store;

use oncall::OnCall;
use people::{DEMO_PASSWORD, PEOPLE, People};
use services::Catalog;

/// Who the demo's own writes are recorded as.
pub const ACTOR: &str = "system:demo";

/// A demo value that must parse (a bug in the demo data otherwise).
pub fn parsed<T>(value: Result<T, ValueError>, what: &str) -> anyhow::Result<T> {
    value.map_err(|e| anyhow::anyhow!("the demo value {what:?} is invalid: {}", e.0))
}

/// What the seeding made.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub people: People,
    pub catalog: Catalog,
    pub on_call: OnCall,
    pub past_incidents: usize,
}

/// The outcome of [`seed`].
#[derive(Debug, Clone)]
pub enum Outcome {
    Seeded(Box<Seeded>),
    /// The database already has services: nothing was written.
    AlreadyFilled,
}

/// Seeds the demo organisation as of `now`, unless the database already has services; the past
/// incidents are counted on `progress`.
pub async fn seed(
    store: &Store,
    now: Timestamp,
    progress: &ProgressBar,
) -> anyhow::Result<Outcome> {
    let existing = tocsin_store::catalog::list_services(store.reader(), None, None, 1)
        .await
        .context("cannot look for existing services")?;
    if !existing.is_empty() {
        return Ok(Outcome::AlreadyFilled);
    }
    let people = people::create(store, now).await?;
    let catalog = services::create(store, &people, now).await?;
    let on_call = oncall::create(store, &people, &catalog, now).await?;
    let past_incidents =
        history::create(store, &catalog.services, &people.users, now, progress).await?;
    Ok(Outcome::Seeded(Box::new(Seeded {
        people,
        catalog,
        on_call,
        past_incidents,
    })))
}

/// The serve hook: seeds (or says why not), prints how to sign in, and starts the alert trickle
/// against the server listening on `address`; the returned task runs until aborted.
pub async fn start(
    store: &Store,
    address: SocketAddr,
    public_url: &str,
    progress: &ProgressBar,
) -> anyhow::Result<Option<tokio::task::JoinHandle<u64>>> {
    let started = Instant::now();
    match seed(store, Timestamp::now(), progress).await? {
        Outcome::Seeded(seeded) => tracing::info!(
            users = seeded.people.users.len(),
            teams = seeded.people.teams.len(),
            services = seeded.catalog.services.len(),
            integration_keys = seeded.catalog.keys.len(),
            schedules = seeded.on_call.schedules.len(),
            incidents = seeded.past_incidents,
            seconds = started.elapsed().as_secs_f64(),
            "demo organisation created"
        ),
        Outcome::AlreadyFilled => {
            progress.finish_and_clear();
            tracing::info!("the database already has services: --demo adds no demo data to it");
        }
    }
    let keys = services::stored_keys(store).await?;
    if keys.is_empty() {
        tracing::info!("no demo integration keys: no demo alerts will be sent");
        return Ok(None);
    }
    print_ready(public_url);
    let mut local = address;
    if local.ip().is_unspecified() {
        local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let task = trickle::run(format!("http://{local}"), keys, trickle::EVERY, None);
    Ok(Some(tokio::spawn(task)))
}

fn print_ready(public_url: &str) {
    println!();
    println!("================================================================");
    println!(" Demo ready: open {public_url} and sign in as any of");
    println!();
    for person in PEOPLE {
        let role = format!("{:?}", person.role).to_lowercase();
        println!("   {:<22} {:<12} {}", person.email, role, person.zone);
    }
    println!();
    println!(" Password (every demo user): {DEMO_PASSWORD}");
    println!(
        " Demo alerts arrive every {} s; restart without --demo to stop them.",
        trickle::EVERY.as_secs()
    );
    println!("================================================================");
    println!();
}
