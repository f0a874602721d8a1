//! The subcommands.
pub mod audit;
pub mod bench;
pub mod config;
pub mod demo;
pub mod incident;
pub mod migrate;
pub mod serve;

use tocsin_store::{OnOpen, Store, StoreConfig};

use crate::cli::CommonArgs;
use crate::config::Settings;

/// Resolves the settings for a storage command and installs the logger.
pub fn settings_for(args: &CommonArgs, layer: crate::config::Layer) -> anyhow::Result<Settings> {
    let settings = Settings::load(layer, args.config.as_deref())?;
    crate::logging::init(settings.log_format, &settings.log)?;
    Ok(settings)
}

/// Opens the store, naming the database (never its password) in errors.
pub async fn open_store(config: &StoreConfig, on_open: OnOpen) -> anyhow::Result<Store> {
    Store::open(config, on_open)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", config.describe()))
}
