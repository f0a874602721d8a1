//! `tocsin config default` and `tocsin config show`.
use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::config::{Settings, template};

/// Prints the commented example configuration.
pub fn default() -> anyhow::Result<ExitCode> {
    print!("{}", template::default_toml());
    Ok(ExitCode::SUCCESS)
}

/// Prints the effective configuration, password hidden.
pub fn show(args: Box<ServeArgs>) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(args.layer(), args.common.config.as_deref())?;
    print!("{}", settings.to_toml()?);
    Ok(ExitCode::SUCCESS)
}
