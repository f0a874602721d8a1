//! `tocsin bench ingest`: a load generator for durable ingest. It posts alerts to a Tocsin (one
//! it starts in-process, or `--url`) through the Alertmanager webhook receiver, and the same
//! alerts to a Prometheus Alertmanager (`POST /api/v2/alerts`) when one is available, in four
//! scenarios (one or a batch of alerts per request, distinct or repeated fingerprints), after
//! opening many distinct active alerts on the fresh server and reading its resident memory growth.
//! It prints both tables, the ratios and the budget verdicts. Every loop is bounded in count and
//! time.
mod args;
mod embedded;
pub mod incidents;
mod load;
mod memory;
pub mod paging;
mod payload;
mod peer;
mod report;
mod setup;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

pub use args::BenchIngestArgs;

use self::load::{Bounds, Endpoint, Scenario};
use self::memory::Footprint;
use self::payload::{Format, Run};
use self::peer::Peer;
use self::report::SystemReport;

/// Alerts sent before measuring, to open connections and warm caches.
const WARM_UP_ALERTS: usize = 200;

fn scenarios(batch: usize) -> [Scenario; 4] {
    let scenario = |name, tag, per_request, repeated, batch| Scenario {
        name,
        tag,
        per_request,
        repeated,
        batch,
    };
    [
        scenario("single alert, distinct", 1, 1, false, false),
        scenario("single alert, repeated", 2, 1, true, false),
        scenario("batch, distinct", 3, batch, false, true),
        scenario("batch, repeated", 4, batch, true, true),
    ]
}

/// Runs the bench; always exits 0 once it measured (the verdicts are in the output).
pub async fn ingest(args: BenchIngestArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init(crate::config::LogFormat::Text, "warn")?;
    anyhow::ensure!(args.alerts > 0, "--alerts must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.batch_size > 0, "--batch-size must be at least 1");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .context("cannot build the HTTP client")?;
    let run = Run::new();
    println!(
        "Ingest bench: {} alerts per scenario, {} requests in flight, batches of {}, \
         at most {} s per scenario",
        args.alerts, args.concurrency, args.batch_size, args.duration_limit
    );

    let tocsin = measure_tocsin(&args, &client, &run).await?;
    report::print_system(&tocsin);
    let peer = match start_peer(&args, &client).await? {
        Some(peer) => {
            let endpoint = Endpoint {
                url: peer.alerts_url(),
                format: Format::AlertmanagerApi,
                health_url: format!("{}/-/healthy", peer.url),
            };
            let target = format!("{}, POST /api/v2/alerts, answered from memory", peer.url);
            let measured = measure(
                "Alertmanager",
                target,
                &args,
                &client,
                &endpoint,
                peer.pid,
                &run,
            )
            .await;
            report::print_system(&measured);
            drop(peer);
            Some(measured)
        }
        None => None,
    };

    match &peer {
        Some(peer) => {
            report::print_ratios(&tocsin, peer);
            report::print_memory(&[&tocsin, peer]);
        }
        None => {
            println!();
            println!("No Alertmanager to compare with: ratios not computed.");
            report::print_memory(&[&tocsin]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn measure_tocsin(
    args: &BenchIngestArgs,
    client: &reqwest::Client,
    run: &Run,
) -> anyhow::Result<SystemReport> {
    let (embedded, base_url, token, pid) = match &args.url {
        Some(url) => {
            let token = args
                .token
                .clone()
                .context("--url needs --token (or TOCSIN_BENCH_TOKEN)")?;
            (None, url.clone(), token, args.server_pid)
        }
        None => {
            let embedded = embedded::Embedded::start().await?;
            let (url, token) = (embedded.url.clone(), embedded.token.clone());
            (Some(embedded), url, token, Some(std::process::id()))
        }
    };
    let endpoint = Endpoint {
        url: setup::webhook_url(client, &base_url, &token, run.nonce).await?,
        format: Format::TocsinWebhook,
        health_url: format!("{}/healthz", base_url.trim_end_matches('/')),
    };
    let place = if embedded.is_some() {
        "in this process, SQLite"
    } else {
        "external"
    };
    let target = format!("{base_url} {place}, Alertmanager webhook, answered after commit");
    let measured = measure("Tocsin", target, args, client, &endpoint, pid, run).await;
    if let Some(embedded) = embedded {
        embedded.stop().await;
    }
    Ok(measured)
}

async fn start_peer(
    args: &BenchIngestArgs,
    client: &reqwest::Client,
) -> anyhow::Result<Option<Peer>> {
    if args.no_peer {
        return Ok(None);
    }
    if let Some(url) = &args.peer_alertmanager {
        return Ok(Some(Peer::external(url, args.peer_pid)));
    }
    let binary = match &args.alertmanager_binary {
        Some(binary) => {
            anyhow::ensure!(binary.is_file(), "no Alertmanager at {}", binary.display());
            binary.clone()
        }
        None => match peer::find_binary() {
            Some(binary) => binary,
            None => {
                println!();
                println!("Alertmanager is not installed (no `alertmanager` on the PATH).");
                return Ok(None);
            }
        },
    };
    Peer::start(&binary, client).await.map(Some)
}

fn progress(alerts: usize, message: String) -> ProgressBar {
    let bar = ProgressBar::new(alerts as u64);
    let style = ProgressStyle::with_template(
        "{msg:<44} [{bar:30}] {pos}/{len} alerts ({per_sec}, {elapsed})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(message);
    bar
}

/// Warm-up, the memory phase, then the four scenarios, against one endpoint.
async fn measure(
    name: &'static str,
    target: String,
    args: &BenchIngestArgs,
    client: &reqwest::Client,
    endpoint: &Endpoint,
    pid: Option<u32>,
    run: &Run,
) -> SystemReport {
    let bounds = |alerts| Bounds {
        alerts,
        concurrency: args.concurrency,
        limit: Duration::from_secs(args.duration_limit),
        repeated_fingerprints: args.repeated_fingerprints,
    };
    let warm_up = Scenario {
        name: "warm-up",
        tag: 0,
        per_request: 1,
        repeated: false,
        batch: false,
    };
    let warm_alerts = WARM_UP_ALERTS.min(args.alerts);
    load::run(
        client,
        endpoint,
        run,
        warm_up,
        bounds(warm_alerts),
        ProgressBar::hidden(),
    )
    .await;
    let mut report = SystemReport {
        name,
        target,
        ..SystemReport::default()
    };
    // Memory first, from a server holding only the warm-up's alerts; then the scenarios.
    if args.memory_alerts == 0 {
        report.memory_note = Some("skipped (--memory-alerts 0)".into());
    } else if let Some(pid) = pid {
        report.memory = footprint(name, args, client, endpoint, pid, run, bounds).await;
        if report.memory.is_none() {
            report.memory_note = Some(format!("cannot read /proc/{pid}/status"));
        }
    } else {
        report.memory_note = Some("no pid to read (pass --server-pid / --peer-pid)".into());
    }
    for scenario in scenarios(args.batch_size) {
        let bar = progress(args.alerts, format!("{name}: {}", scenario.name));
        let outcome = load::run(client, endpoint, run, scenario, bounds(args.alerts), bar).await;
        report.rows.push((scenario, outcome));
    }
    let floor = report::FLOOR_ROW;
    let bar = progress(args.alerts, format!("{name}: {}", floor.name));
    let probe = endpoint.health_probe();
    report.floor = Some(load::run(client, &probe, run, floor, bounds(args.alerts), bar).await);
    report
}

async fn footprint(
    name: &'static str,
    args: &BenchIngestArgs,
    client: &reqwest::Client,
    endpoint: &Endpoint,
    pid: u32,
    run: &Run,
    bounds: impl Fn(usize) -> Bounds,
) -> Option<Footprint> {
    let scenario = Scenario {
        name: "memory",
        tag: 5,
        per_request: args.batch_size,
        repeated: false,
        batch: true,
    };
    tokio::time::sleep(memory::SETTLE).await;
    let before_kb = memory::rss_kb(pid)?;
    let bar = progress(
        args.memory_alerts,
        format!("{name}: opening distinct active alerts"),
    );
    let outcome = load::run(
        client,
        endpoint,
        run,
        scenario,
        bounds(args.memory_alerts),
        bar,
    )
    .await;
    tokio::time::sleep(memory::SETTLE).await;
    let after_kb = memory::rss_kb(pid)?;
    Some(Footprint {
        before_kb,
        after_kb,
        alerts: outcome.accepted_alerts,
    })
}
