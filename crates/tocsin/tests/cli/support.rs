//! Helpers: a clean `tocsin` command, and databases to point it at.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tocsin_store::StoreConfig;
use tocsin_testkit::db::TestDatabase;

/// Every environment variable the binary reads, removed so the developer's shell cannot leak in.
const TOCSIN_VARS: &[&str] = &[
    "TOCSIN_CONFIG",
    "TOCSIN_LISTEN",
    "TOCSIN_DATA_DIR",
    "TOCSIN_DATABASE_URL",
    "TOCSIN_DATABASE_MAX_CONNECTIONS",
    "TOCSIN_PUBLIC_URL",
    "TOCSIN_LOG_FORMAT",
    "TOCSIN_LOG",
    "TOCSIN_BODY_LIMIT_BYTES",
    "TOCSIN_SESSION_IDLE_TIMEOUT_SECS",
    "TOCSIN_SESSION_MAX_AGE_SECS",
    "TOCSIN_LOGIN_MAX_FAILURES",
    "TOCSIN_LOGIN_WINDOW_SECS",
    "TOCSIN_SHUTDOWN_GRACE_SECS",
    "TOCSIN_OWNER_EMAIL",
    "TOCSIN_INTAKE_RATE_PER_SECOND",
    "TOCSIN_INTAKE_BURST",
    "TOCSIN_INTAKE_MAX_IN_FLIGHT",
    "TOCSIN_BENCH_TOKEN",
    "TOCSIN_DELIVERY_LEASE_SECS",
    "TOCSIN_ALLOW_OUTBOUND",
    "TOCSIN_URL",
    "TOCSIN_TOKEN",
];

/// `tocsin` run in `dir`, with no `TOCSIN_*` variables set.
pub fn tocsin(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tocsin"));
    command.current_dir(dir);
    for var in TOCSIN_VARS {
        command.env_remove(var);
    }
    command
}

/// Runs and captures, with stdout and stderr as text.
pub fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().expect("run tocsin");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

/// A fresh database plus the flags that point the binary at it.
pub struct Target {
    pub db: TestDatabase,
    pub args: Vec<String>,
    /// A scratch directory to run the binary in.
    pub dir: tempfile::TempDir,
}

impl Target {
    fn new(db: TestDatabase) -> Self {
        let args = match &db.config {
            StoreConfig::Sqlite { path, .. } => {
                let data_dir: PathBuf = path.parent().expect("the file has a directory").into();
                vec!["--data-dir".to_owned(), data_dir.display().to_string()]
            }
            StoreConfig::Postgres { url, schema, .. } => {
                let schema = schema.as_deref().expect("test schemas are named");
                let separator = if url.contains('?') { '&' } else { '?' };
                vec![
                    "--database-url".to_owned(),
                    format!("{url}{separator}options=-c%20search_path%3D{schema}"),
                ]
            }
        };
        Self {
            db,
            args,
            dir: tempfile::tempdir().expect("a scratch directory"),
        }
    }

    /// `tocsin <subcommand...> <target flags>`.
    pub fn command(&self, subcommand: &[&str]) -> Command {
        let mut command = tocsin(self.dir.path());
        command.args(subcommand).args(&self.args);
        command
    }

    pub fn name(&self) -> &'static str {
        if self.db.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// SQLite always; PostgreSQL too when `TOCSIN_TEST_DATABASE_URL` is set.
pub async fn targets() -> Vec<Target> {
    TestDatabase::all()
        .await
        .into_iter()
        .map(Target::new)
        .collect()
}
