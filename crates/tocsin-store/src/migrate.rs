//! Schema migrations, one directory per backend, embedded in the binary. A database whose schema
//! is newer than the binary is refused with a clear message instead of being touched.
use sqlx::migrate::Migrator;
use sqlx::{PgPool, SqliteConnection};

use crate::conn::Reader;
use crate::error::StoreError;
use crate::store::Backend;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

const APPLIED_VERSIONS: &str =
    "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this run, oldest first.
    pub applied: Vec<i64>,
    /// The schema version now in place.
    pub current: i64,
}

/// How the database's schema compares with this binary's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaStatus {
    Current {
        version: i64,
    },
    /// Migrations are pending.
    Behind {
        database: i64,
        binary: i64,
    },
    /// The database was migrated by a newer Tocsin.
    Ahead {
        database: i64,
        binary: i64,
    },
}

fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The newest schema version this binary knows for `backend`.
pub fn binary_version(backend: Backend) -> i64 {
    migrator(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// A missing migrations table means a fresh database; any other error is real.
fn fresh_when_missing(result: Result<Vec<i64>, sqlx::Error>) -> Result<Vec<i64>, StoreError> {
    match result {
        Ok(versions) => Ok(versions),
        Err(sqlx::Error::Database(db))
            if db.message().contains("no such table") || db.code().as_deref() == Some("42P01") =>
        {
            Ok(Vec::new())
        }
        Err(error) => Err(error.into()),
    }
}

fn status_of(backend: Backend, applied: &[i64]) -> SchemaStatus {
    let binary = binary_version(backend);
    let known: std::collections::BTreeSet<i64> =
        migrator(backend).iter().map(|m| m.version).collect();
    let database = applied.iter().copied().max().unwrap_or(0);
    if applied.iter().any(|version| !known.contains(version)) || database > binary {
        SchemaStatus::Ahead { database, binary }
    } else if applied.len() < known.len() {
        SchemaStatus::Behind { database, binary }
    } else {
        SchemaStatus::Current { version: database }
    }
}

fn refuse_newer(status: &SchemaStatus) -> Result<(), StoreError> {
    if let SchemaStatus::Ahead { database, binary } = status {
        return Err(StoreError::Schema(format!(
            "the database schema (version {database}) is newer than this Tocsin binary understands \
             (version {binary}); run the newer Tocsin that migrated it, or restore a backup taken before the upgrade"
        )));
    }
    Ok(())
}

fn report(backend: Backend, before: &[i64]) -> MigrationReport {
    let applied = migrator(backend)
        .iter()
        .map(|m| m.version)
        .filter(|v| !before.contains(v))
        .collect();
    MigrationReport {
        applied,
        current: binary_version(backend),
    }
}

pub(crate) async fn migrate_sqlite(
    connection: &mut SqliteConnection,
) -> Result<MigrationReport, StoreError> {
    let before = fresh_when_missing(
        sqlx::query_scalar(APPLIED_VERSIONS)
            .fetch_all(&mut *connection)
            .await,
    )?;
    refuse_newer(&status_of(Backend::Sqlite, &before))?;
    SQLITE
        .run(&mut *connection)
        .await
        .map_err(|e| StoreError::Schema(format!("migration failed: {e}")))?;
    Ok(report(Backend::Sqlite, &before))
}

pub(crate) async fn migrate_postgres(pool: &PgPool) -> Result<MigrationReport, StoreError> {
    let before = fresh_when_missing(sqlx::query_scalar(APPLIED_VERSIONS).fetch_all(pool).await)?;
    refuse_newer(&status_of(Backend::Postgres, &before))?;
    POSTGRES
        .run(pool)
        .await
        .map_err(|e| StoreError::Schema(format!("migration failed: {e}")))?;
    Ok(report(Backend::Postgres, &before))
}

impl crate::Store {
    /// Compares the database's applied migrations with this binary's.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let reader: Reader<'_> = self.reader();
        let applied = fresh_when_missing(
            crate::with_reader!(reader, p => sqlx::query_scalar(APPLIED_VERSIONS).fetch_all(p).await),
        )?;
        Ok(status_of(self.backend(), &applied))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_databases_are_refused_and_pending_ones_reported() {
        let binary = binary_version(Backend::Sqlite);
        let all: Vec<i64> = migrator(Backend::Sqlite)
            .iter()
            .map(|m| m.version)
            .collect();
        assert_eq!(
            status_of(Backend::Sqlite, &all),
            SchemaStatus::Current { version: binary }
        );
        assert_eq!(
            status_of(Backend::Sqlite, &[]),
            SchemaStatus::Behind {
                database: 0,
                binary
            }
        );
        let ahead = status_of(Backend::Sqlite, &[all.as_slice(), &[binary + 1]].concat());
        assert_eq!(
            ahead,
            SchemaStatus::Ahead {
                database: binary + 1,
                binary
            }
        );
        let message = refuse_newer(&ahead).expect_err("refused").to_string();
        assert!(
            message.contains("newer than this Tocsin binary"),
            "{message}"
        );
    }
}
