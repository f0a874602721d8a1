//! `tocsin bench incidents`: incident list and detail latency with many incidents stored (issue
//! 5; budget: a filtered first page within 20 ms at p99 with 1,000,000 incidents). Tocsin runs in
//! this process on a temporary SQLite database (or the fresh PostgreSQL database given with
//! `--database-url`); the bench creates services through the API, seeds
//! the incidents in bulk, then times each read over HTTP with real API tokens and prints the
//! table and the verdict. With `--pages` the console pages (home, incident list, incident page)
//! are timed too, signed in through the login form (issue 6; budget 50 ms at p99). Every loop is
//! bounded in count and time.
mod args;
mod measure;
mod pages;
mod plan;
pub(crate) mod report;
mod seed;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tocsin_server::extract::encode_cursor;

pub use args::BenchIncidentsArgs;

use self::measure::{Case, Reader};
use super::embedded::Embedded;

pub async fn incidents(args: BenchIncidentsArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init(crate::config::LogFormat::Text, "warn")?;
    anyhow::ensure!(args.incidents > 0, "--incidents must be at least 1");
    anyhow::ensure!(args.services > 0, "--services must be at least 1");
    anyhow::ensure!(args.requests > 0, "--requests must be at least 1");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")?;
    println!(
        "Incidents bench: {} incidents over {} services, {} requests per case (at most {} s each)",
        args.incidents, args.services, args.requests, args.duration_limit
    );
    let embedded = Embedded::start_on(args.database_url.as_deref()).await?;
    let outcome = seed_and_measure(&args, &client, &embedded).await;
    embedded.stop().await;
    let rows = outcome?;
    report::print_table(&rows);
    report::print_verdict(&rows);
    if args.pages {
        report::print_page_verdict(&rows);
    }
    Ok(ExitCode::SUCCESS)
}

async fn seed_and_measure(
    args: &BenchIncidentsArgs,
    client: &reqwest::Client,
    embedded: &Embedded,
) -> anyhow::Result<Vec<(Case, measure::Measured)>> {
    let base = embedded.url.as_str();
    let services = seed::services(client, base, &embedded.token, args.services).await?;
    let bar = report::bar(args.incidents, "seeding incidents");
    let started = std::time::Instant::now();
    let seeded = seed::incidents(embedded.store(), services, args.incidents, &bar).await?;
    println!(
        "Seeded {} incidents in {:.1} s ({}, Tocsin in this process, http://127.0.0.1)",
        args.incidents,
        started.elapsed().as_secs_f64(),
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let list = |query: &str| vec![format!("{base}/api/v1/incidents?limit=50{query}")];
    let owner = embedded.token.clone();
    let case = |name: &str, urls: Vec<String>, token: &str, filtered: bool| Case {
        name: name.to_owned(),
        urls,
        reader: Reader::Token(token.to_owned()),
        filtered,
    };
    let service = seeded.services[0];
    let cursor = encode_cursor(seeded.middle);
    let details = seeded
        .sample
        .iter()
        .map(|id| format!("{base}/api/v1/incidents/{id}"))
        .collect();
    let mut cases = vec![
        case("(a) first page", list(""), &owner, false),
        case(
            "(b) status=triggered",
            list("&status=triggered"),
            &owner,
            true,
        ),
        case(
            "(c) status=resolved",
            list("&status=resolved"),
            &owner,
            true,
        ),
        case(
            "(d) service_id=...",
            list(&format!("&service_id={service}")),
            &owner,
            true,
        ),
        case(
            "(e) page from a cursor half-way",
            list(&format!("&cursor={cursor}")),
            &owner,
            false,
        ),
        case("(f) one incident by id", details, &owner, false),
        case(
            "(g) first page, sees normal only",
            list(""),
            &seeded.bystander_token,
            false,
        ),
        case(
            "(g) first page, restricted participant",
            list(""),
            &seeded.participant_token,
            false,
        ),
        case(
            "(h) service_id=... and status=triggered",
            list(&format!("&service_id={service}&status=triggered")),
            &owner,
            true,
        ),
    ];
    if args.pages {
        let owner = pages::signed_in(base, &embedded.owner_email, &embedded.owner_password).await?;
        let (email, password) = &seeded.participant_login;
        let participant = pages::signed_in(base, email, password).await?;
        cases.extend(pages::cases(base, owner, participant, &seeded));
    }
    let limit = Duration::from_secs(args.duration_limit);
    let mut rows = Vec::with_capacity(cases.len());
    for case in cases {
        let bar = report::bar(args.requests, &case.name);
        let measured = measure::run(client, &case, args.requests, limit, bar).await;
        rows.push((case, measured));
    }
    Ok(rows)
}
