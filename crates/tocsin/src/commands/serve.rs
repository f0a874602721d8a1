//! `tocsin serve`: migrate, create the owner on first start (with `--demo`, fill a fresh database
//! with the demo organisation and trickle demo alerts; see `commands::demo`), serve HTTP until
//! SIGINT/SIGTERM, then drain requests and commit pending writes.
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tocsin_domain::SystemClock;
use tocsin_server::{AppState, FirstLogin};
use tocsin_store::{OnOpen, Store};

use crate::cli::ServeArgs;
use crate::commands::{open_store, settings_for};
use crate::config::Settings;
use crate::shutdown::Signals;

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = settings_for(&args.common, args.layer())?;
    let signals = Signals::install().context("cannot install signal handlers")?;
    let store_config = settings.store_config()?;
    tracing::info!(database = %store_config.describe(), "opening the database and applying migrations");
    let store = open_store(&store_config, OnOpen::Migrate).await?;
    let outcome = serve(store.clone(), &settings, &signals, args.demo).await;
    // Pending writes commit before the process exits, whatever happened above.
    store.close().await;
    tracing::info!("database closed; goodbye");
    outcome
}

async fn serve(
    store: Store,
    settings: &Settings,
    signals: &Signals,
    demo: bool,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener
        .local_addr()
        .context("the listener has no address")?;
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let clock: tocsin_domain::SharedClock = Arc::new(SystemClock);
    let state = AppState::new(
        store.clone(),
        clock.clone(),
        settings.server_config(public_url.clone()),
    )
    .context("cannot set up notification delivery")?;
    let first_login = tocsin_server::ensure_owner(&state).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot create the owner account: {}: {}",
            e.kind.title(),
            e.detail
        )
    })?;
    if let Some(first_login) = &first_login {
        print_first_login(&public_url, first_login);
    }
    announce(address, &public_url);
    let trickle = if demo {
        let progress = crate::commands::bench::incidents::report::bar(
            crate::commands::demo::history::PAST_INCIDENTS,
            "demo: writing past incidents",
        );
        crate::commands::demo::start(&store, address, &public_url, &progress).await?
    } else {
        None
    };

    let outbox_config = tocsin_engine::outbox::OutboxConfig {
        lease: jiff::SignedDuration::try_from(settings.delivery_lease)
            .context("the delivery lease is out of range")?,
        ..tocsin_engine::outbox::OutboxConfig::new(tocsin_engine::outbox::node_name(), &public_url)
    };
    let outbox = tocsin_engine::outbox::OutboxWorker::new(
        store.clone(),
        state.sender.clone(),
        clock.clone(),
        outbox_config,
    );
    let engine = tocsin_engine::Engine::start(store, clock, outbox);
    let timelines = state.timelines.clone();
    let router = tocsin_server::app(state);
    let first_signal = {
        let signals = signals.clone();
        async move {
            signals.received(1).await;
            // Live timelines end, so their connections do not hold the shutdown up.
            timelines.close();
            tracing::info!("shutting down: no new connections, letting in-flight requests finish");
        }
    };
    let server = tocsin_server::serve(listener, router, first_signal);
    let grace = settings.shutdown_grace;
    let deadline = async {
        signals.received(1).await;
        tokio::select! {
            () = tokio::time::sleep(grace) => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; closing their connections");
            }
            () = signals.received(2) => {
                tracing::warn!("second signal: closing open connections now");
            }
        }
    };
    let served = tokio::select! {
        served = server => served.context("the HTTP server failed"),
        () = deadline => Ok(()),
    };
    if let Some(trickle) = trickle {
        trickle.abort();
    }
    engine.shutdown().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

fn announce(address: SocketAddr, public_url: &str) {
    let listening = format!("http://{address}");
    tracing::info!(address = %address, public_url, "listening");
    println!("Tocsin is listening on {listening}");
    if public_url.trim_end_matches('/') != listening {
        println!("Public URL: {public_url}");
    }
}

fn print_first_login(public_url: &str, first: &FirstLogin) {
    println!();
    println!("================================================================");
    println!(" Tocsin is set up. Sign in as the owner:");
    println!();
    println!("   URL:                {public_url}");
    println!("   Email:              {}", first.email);
    println!("   One-time password:  {}", first.password);
    println!("   API token:          {}", first.api_token);
    println!();
    println!(" Keep these now: they will not be shown again.");
    println!("================================================================");
    println!();
}
