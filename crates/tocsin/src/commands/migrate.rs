//! `tocsin migrate`: apply pending migrations and report the schema version.
use std::process::ExitCode;

use tocsin_store::{OnOpen, SchemaStatus};

use crate::cli::CommonArgs;
use crate::commands::{open_store, settings_for};

pub async fn run(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let settings = settings_for(&args, args.layer())?;
    let store_config = settings.store_config()?;
    println!("Database: {}", store_config.describe());

    let inspected = open_store(&store_config, OnOpen::Inspect).await?;
    let before = inspected.schema_status().await;
    inspected.close().await;
    let before = before?;

    // Opening with `Migrate` refuses a database newer than this binary with the store's message.
    let store = open_store(&store_config, OnOpen::Migrate).await?;
    let after = store.schema_status().await;
    store.close().await;
    match (before, after?) {
        (SchemaStatus::Current { version }, _) => {
            println!("Schema is current at version {version}; nothing to apply.");
        }
        (SchemaStatus::Behind { database, .. }, SchemaStatus::Current { version }) => {
            if database == 0 {
                println!("Created the schema: now at version {version}.");
            } else {
                println!("Migrated the schema from version {database} to version {version}.");
            }
        }
        (_, status) => anyhow::bail!("unexpected schema state after migrating: {status:?}"),
    }
    Ok(ExitCode::SUCCESS)
}
