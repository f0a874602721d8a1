//! `tocsin audit verify`: check every event stream's hash chain and name the first broken link.
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use tocsin_store::events::{count_events, verify_all};
use tocsin_store::{OnOpen, SchemaStatus, StoreConfig};

use crate::cli::CommonArgs;
use crate::commands::{open_store, settings_for};

/// Exit status when the log is broken.
const EXIT_BROKEN: u8 = 1;

pub async fn verify(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let settings = settings_for(&args, args.layer())?;
    let store_config = settings.store_config()?;
    if let StoreConfig::Sqlite { path, .. } = &store_config
        && !path.is_file()
    {
        bail!(
            "no database at {}; check --data-dir or --database-url",
            path.display()
        );
    }
    // Read only: verifying never migrates or changes the database.
    let store = open_store(&store_config, OnOpen::Inspect).await?;
    let outcome = check(&store).await;
    store.close().await;
    outcome
}

async fn check(store: &tocsin_store::Store) -> anyhow::Result<ExitCode> {
    match store.schema_status().await? {
        SchemaStatus::Current { .. } => {}
        SchemaStatus::Behind { database, binary } => bail!(
            "the database schema is at version {database}, this binary expects {binary}; run `tocsin migrate` first"
        ),
        SchemaStatus::Ahead { database, binary } => bail!(
            "the database schema (version {database}) is newer than this Tocsin binary understands \
             (version {binary}); verify with the newer Tocsin"
        ),
    }
    let total = u64::try_from(count_events(store.reader()).await?).unwrap_or(0);
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} events ({per_sec}, {eta} left)",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };
    let result = verify_all(store.reader(), |checked| bar.set_position(checked)).await;
    bar.finish_and_clear();
    match result? {
        Ok(report) => {
            println!(
                "OK: {} events in {} streams verified",
                report.events, report.streams
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!(
                "BROKEN: stream {} at sequence {}: {}",
                broken.stream_id, broken.seq, broken.reason
            );
            Ok(ExitCode::from(EXIT_BROKEN))
        }
    }
}
