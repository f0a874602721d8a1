//! The `tocsin` binary: parses the command line and runs a subcommand.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod config;
mod logging;
mod shutdown;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{AuditCommand, BenchCommand, Cli, Command, ConfigCommand, IncidentCommand};

/// mimalloc rather than glibc's allocator: the SQLite writer thread frees what request threads
/// allocated (parsed alerts, events), which glibc's per-thread arenas make slow; measured in
/// docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status of a command that failed to run (bad configuration, database unreachable ...).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Migrate(args) => commands::migrate::run(args).await,
            Command::Audit {
                command: AuditCommand::Verify(args),
            } => commands::audit::verify(args).await,
            Command::Config { command } => match command {
                ConfigCommand::Default => commands::config::default(),
                ConfigCommand::Show(args) => commands::config::show(args),
            },
            Command::Incident {
                command: IncidentCommand::Declare(args),
            } => commands::incident::declare(args).await,
            Command::Bench {
                command: BenchCommand::Ingest(args),
            } => commands::bench::ingest(*args).await,
            Command::Bench {
                command: BenchCommand::Paging(args),
            } => commands::bench::paging::paging(*args).await,
            Command::Bench {
                command: BenchCommand::Incidents(args),
            } => commands::bench::incidents::incidents(*args).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
