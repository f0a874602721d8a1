//! Fresh databases for tests: a SQLite file in a temporary directory always, and a PostgreSQL schema
//! of its own when `TOCSIN_TEST_DATABASE_URL` is set.
use std::path::PathBuf;
use std::sync::Arc;

use sqlx::{AssertSqlSafe, Connection, Executor};
use tocsin_store::{OnOpen, Store, StoreConfig};

/// The environment variable naming the PostgreSQL server tests may use.
pub const DATABASE_URL_VAR: &str = "TOCSIN_TEST_DATABASE_URL";

/// A database that exists only for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub config: StoreConfig,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Sqlite {
        path: PathBuf,
        _dir: Arc<tempfile::TempDir>,
    },
    Postgres {
        url: String,
        schema: String,
    },
}

impl TestDatabase {
    /// A fresh SQLite database file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the test database");
        let path = dir.path().join("tocsin.db");
        Self {
            config: StoreConfig::sqlite(&path),
            kind: Kind::Sqlite {
                path,
                _dir: Arc::new(dir),
            },
        }
    }

    /// A fresh PostgreSQL schema, when the environment names a server.
    pub async fn postgres() -> Option<Self> {
        let url = std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())?;
        let schema = format!("tocsin_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!("{DATABASE_URL_VAR} is set but PostgreSQL is unreachable: {e}")
        });
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("create the test schema");
        let _ = admin.close().await;
        let config = StoreConfig::Postgres {
            url: url.clone(),
            max_connections: 8,
            schema: Some(schema.clone()),
        };
        Some(Self {
            config,
            kind: Kind::Postgres { url, schema },
        })
    }

    /// The database app tests run on: PostgreSQL when configured, SQLite otherwise.
    pub async fn from_env() -> Self {
        match Self::postgres().await {
            Some(database) => database,
            None => Self::sqlite(),
        }
    }

    /// SQLite always, plus PostgreSQL when configured: for tests that must hold on both.
    pub async fn all() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        all.extend(Self::postgres().await);
        all
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// Opens (and migrates) the store.
    pub async fn open(&self) -> Store {
        Store::open(&self.config, OnOpen::Migrate)
            .await
            .expect("open the test store")
    }

    /// Runs `sql` against the database behind the store's back, with the event log's append-only
    /// triggers lifted for the duration: a stand-in for an attacker with file or superuser access.
    pub async fn tamper(&self, sql: &str) {
        match &self.kind {
            Kind::Sqlite { path, .. } => {
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("open the SQLite file");
                let trigger: String = sqlx::query_scalar(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_refuse_update'",
                )
                .fetch_one(&mut conn)
                .await
                .expect("the update trigger exists");
                conn.execute("DROP TRIGGER events_refuse_update")
                    .await
                    .expect("drop trigger");
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut conn)
                    .await
                    .expect("tamper");
                sqlx::raw_sql(AssertSqlSafe(trigger))
                    .execute(&mut conn)
                    .await
                    .expect("restore trigger");
                let _ = conn.close().await;
            }
            Kind::Postgres { url, schema } => {
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(AssertSqlSafe(format!("SET search_path TO {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("search path");
                conn.execute("ALTER TABLE events DISABLE TRIGGER events_refuse_update")
                    .await
                    .expect("disable");
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut conn)
                    .await
                    .expect("tamper");
                conn.execute("ALTER TABLE events ENABLE TRIGGER events_refuse_update")
                    .await
                    .expect("enable");
                let _ = conn.close().await;
            }
        }
    }
}
