//! `tocsin bench paging`: how fast an alert becomes a page. Tocsin runs in this process (SQLite,
//! engine and delivery on) with its notifications going to a webhook sink on 127.0.0.1; the same
//! is measured for Prometheus Alertmanager (`group_wait: 0s`, a webhook receiver) when it is
//! installed. Prints alert-to-notification p50/p99 idle and under background ingest, the
//! escalation timer lateness with many timers pending, the ratios and the budget verdicts.
mod args;
pub(crate) mod latency;
mod lateness;
mod report;
mod setup;
mod sink;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

pub use args::BenchPagingArgs;

use self::latency::{Latencies, Target};
use self::sink::LatencySink;
use super::embedded::Embedded;
use super::peer::{self, Peer};

/// The Alertmanager the comparison starts: every alert its own group, notified at once to the
/// sink, except the background load, routed to nobody.
fn alertmanager_config(sink: &str) -> String {
    format!(
        "route:\n  receiver: sink\n  group_by: ['seq']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 24h\n  routes:\n    - receiver: nobody\n      matchers: ['alertname=\"Background\"']\nreceivers:\n  - name: sink\n    webhook_configs:\n      - url: '{sink}/alertmanager'\n        send_resolved: false\n  - name: nobody\n"
    )
}

pub async fn paging(args: BenchPagingArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init(crate::config::LogFormat::Text, "warn")?;
    anyhow::ensure!(args.alerts > 0, "--alerts must be at least 1");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.background_concurrency + 4)
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")?;
    let limit = Duration::from_secs(args.duration_limit);
    let sink = LatencySink::start().await?;
    let nonce = super::payload::Run::new().nonce;
    println!(
        "Paging bench: {} alerts one at a time per run (at most {} s each), background load of {} \
         senders, {} escalation timers",
        args.alerts, args.duration_limit, args.background_concurrency, args.timers
    );

    let embedded = Embedded::start_allowing_loopback().await?;
    let prepared = setup::prepare(&client, &embedded.url, &embedded.token, &sink, nonce).await?;
    let enqueue_url = format!("{}/v2/enqueue", embedded.url);
    let tocsin = Target::Tocsin {
        enqueue_url: enqueue_url.clone(),
        routing_key: prepared.latency_key.clone(),
    };
    let tocsin_load = Target::Tocsin {
        enqueue_url: enqueue_url.clone(),
        routing_key: prepared.background_key.clone(),
    };
    let tocsin_idle = latency::measure(
        &client,
        &sink,
        &tocsin,
        &format!("idle-{nonce:08x}"),
        args.alerts,
        limit,
        report::bar(args.alerts, "Tocsin: idle"),
    )
    .await;
    let tocsin_loaded = latency::measure_under_load(
        &client,
        &sink,
        &tocsin,
        tocsin_load,
        args.background_concurrency,
        &format!("loaded-{nonce:08x}"),
        args.alerts,
        limit,
        report::bar(args.alerts, "Tocsin: under background ingest"),
    )
    .await;
    let lateness = if args.timers == 0 {
        None
    } else {
        let target = Target::Tocsin {
            enqueue_url,
            routing_key: prepared.lateness_key.clone(),
        };
        let spread = Duration::from_secs(args.timer_spread);
        // The second steps come due a minute after the first pages, over `spread`.
        let wait = spread + Duration::from_secs(60) + limit;
        Some(
            lateness::measure(
                &client,
                embedded.store(),
                &target,
                args.timers,
                spread,
                wait,
                report::bar(args.timers, "Tocsin: second-step timers"),
            )
            .await,
        )
    };
    embedded.stop().await;

    let peer = match start_peer(&args, &client, &sink).await? {
        Some(peer) => {
            let target = Target::Alertmanager {
                alerts_url: peer.alerts_url(),
                alertname: "PagingBench",
            };
            let load = Target::Alertmanager {
                alerts_url: peer.alerts_url(),
                alertname: "Background",
            };
            let idle = latency::measure(
                &client,
                &sink,
                &target,
                &format!("am-idle-{nonce:08x}"),
                args.alerts,
                limit,
                report::bar(args.alerts, "Alertmanager: idle"),
            )
            .await;
            let loaded = latency::measure_under_load(
                &client,
                &sink,
                &target,
                load,
                args.background_concurrency,
                &format!("am-loaded-{nonce:08x}"),
                args.alerts,
                limit,
                report::bar(args.alerts, "Alertmanager: under background ingest"),
            )
            .await;
            drop(peer);
            Some((idle, loaded))
        }
        None => None,
    };
    let rows: Vec<(&str, &str, &Latencies)> = [
        Some(("Tocsin", "idle", &tocsin_idle)),
        Some(("Tocsin", "under ingest", &tocsin_loaded)),
        peer.as_ref()
            .map(|(idle, _)| ("Alertmanager", "idle", idle)),
        peer.as_ref()
            .map(|(_, loaded)| ("Alertmanager", "under ingest", loaded)),
    ]
    .into_iter()
    .flatten()
    .collect();
    report::print_latencies(&rows);
    if let Some(lateness) = &lateness {
        report::print_lateness(lateness);
    }
    report::print_verdicts(
        &tocsin_idle,
        lateness.as_ref(),
        peer.as_ref().map(|(idle, _)| idle),
    );
    Ok(ExitCode::SUCCESS)
}

async fn start_peer(
    args: &BenchPagingArgs,
    client: &reqwest::Client,
    sink: &LatencySink,
) -> anyhow::Result<Option<Peer>> {
    if args.no_peer {
        return Ok(None);
    }
    let binary = match &args.alertmanager_binary {
        Some(binary) => binary.clone(),
        None => match peer::find_binary() {
            Some(binary) => binary,
            None => {
                println!("Alertmanager is not installed (no `alertmanager` on the PATH).");
                return Ok(None);
            }
        },
    };
    let config = alertmanager_config(&sink.base_url);
    Peer::start_with(&binary, client, &config).await.map(Some)
}
