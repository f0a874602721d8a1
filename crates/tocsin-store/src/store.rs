//! `Store`: opening either backend, running write operations, reading, publishing committed events.
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;
use jiff::SignedDuration;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};
use std::panic::AssertUnwindSafe;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::conn::Reader;
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::migrate;
use crate::outbox::handoff::{ClaimSlot, HandedClaims};
use crate::tx::{Tx, TxConnection};
use crate::writer::{self, Committed, Message};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// An embedded SQLite file (created if missing) in WAL mode with `synchronous=FULL`.
    Sqlite { path: PathBuf, readers: u32 },
    /// A PostgreSQL database; `schema` sets the search path (tests use a schema per test).
    Postgres {
        url: String,
        max_connections: u32,
        schema: Option<String>,
    },
}

impl StoreConfig {
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        Self::Sqlite {
            path: path.into(),
            readers: 8,
        }
    }

    pub fn postgres(url: impl Into<String>) -> Self {
        Self::Postgres {
            url: url.into(),
            max_connections: 16,
            schema: None,
        }
    }

    /// Where this points, without any password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => format!("sqlite:{}", path.display()),
            Self::Postgres { url, .. } => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    let _ = parsed.set_password(None);
                    parsed.to_string()
                }
                Err(_) => "postgres (unparseable URL)".to_owned(),
            },
        }
    }
}

/// What opening does about the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnOpen {
    /// Apply pending migrations (refusing a database newer than this binary).
    Migrate,
    /// Open as is; `schema_status` tells whether it is current.
    Inspect,
}

/// Counts the pools expose, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub write_queue: usize,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

struct Inner {
    backend: BackendHandle,
    committed: Committed,
}

enum BackendHandle {
    Sqlite {
        readers: SqlitePool,
        writer: mpsc::Sender<Message>,
        writer_task: Mutex<Option<JoinHandle<()>>>,
    },
    Postgres {
        pool: PgPool,
    },
}

const WRITE_QUEUE: usize = 65_536;
const BUS_CAPACITY: usize = 4_096;

impl Store {
    /// Connects (creating the SQLite file if needed) and, with `OnOpen::Migrate`, migrates.
    pub async fn open(config: &StoreConfig, on_open: OnOpen) -> Result<Self, StoreError> {
        let (bus, _) = broadcast::channel(BUS_CAPACITY);
        let committed = Committed {
            bus: bus.clone(),
            claims: Arc::new(ClaimSlot::default()),
        };
        let backend = match config {
            StoreConfig::Sqlite { path, readers } => {
                open_sqlite(path, *readers, on_open, committed.clone()).await?
            }
            StoreConfig::Postgres {
                url,
                max_connections,
                schema,
            } => open_postgres(url, *max_connections, schema.as_deref(), on_open).await?,
        };
        Ok(Self {
            inner: Arc::new(Inner { backend, committed }),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner.backend {
            BackendHandle::Sqlite { .. } => Backend::Sqlite,
            BackendHandle::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The pool for reads, for `with_reader!`.
    pub fn reader(&self) -> Reader<'_> {
        match &self.inner.backend {
            BackendHandle::Sqlite { readers, .. } => Reader::Sqlite(readers),
            BackendHandle::Postgres { pool } => Reader::Postgres(pool),
        }
    }

    /// Runs `op` in a transaction and returns its result once the transaction has committed. If
    /// `op` fails or panics, none of its changes persist. On SQLite, concurrent calls share one
    /// commit (group commit).
    pub async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, StoreError>> + Send + 'static,
    {
        let erased = writer::erase(op);
        let outcome = match &self.inner.backend {
            BackendHandle::Sqlite { writer, .. } => {
                let (reply, answer) = oneshot::channel();
                writer
                    .send(Message::Write { op: erased, reply })
                    .await
                    .map_err(|_| StoreError::Unavailable("the store is shutting down".into()))?;
                answer
                    .await
                    .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
            }
            BackendHandle::Postgres { pool } => {
                write_postgres(pool, erased, &self.inner.committed).await
            }
        };
        outcome.map(|value| {
            *value
                .downcast::<T>()
                .unwrap_or_else(|_| unreachable!("the writer returns the operation's own type"))
        })
    }

    /// Committed events, in commit order per node.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.inner.committed.bus.subscribe()
    }

    /// Makes `node` this store's claimant: from now on a notification queued due at once is
    /// claimed for it (leased for `lease`) in the same write, and its id handed over after the
    /// commit. `None` when a claimant is already registered (one per process).
    pub fn claim_on_enqueue(&self, node: String, lease: SignedDuration) -> Option<HandedClaims> {
        self.inner.committed.claims.register(node, lease)
    }

    /// Wakes on each PostgreSQL `NOTIFY` on `channel` (from any node); on SQLite, whose only
    /// writer is this process (its committed events are on `subscribe`), a stream that never
    /// yields.
    pub async fn listen(
        &self,
        channel: &str,
    ) -> Result<futures::stream::BoxStream<'static, ()>, StoreError> {
        use futures::StreamExt;
        match &self.inner.backend {
            BackendHandle::Sqlite { .. } => Ok(futures::stream::pending().boxed()),
            BackendHandle::Postgres { pool } => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(channel).await?;
                Ok(listener.into_stream().map(drop).boxed())
            }
        }
    }

    /// Each PostgreSQL `NOTIFY` payload on `channel` (from any node); on SQLite a stream that
    /// never yields (see `listen`).
    pub async fn listen_payloads(
        &self,
        channel: &str,
    ) -> Result<futures::stream::BoxStream<'static, String>, StoreError> {
        use futures::StreamExt;
        match &self.inner.backend {
            BackendHandle::Sqlite { .. } => Ok(futures::stream::pending().boxed()),
            BackendHandle::Postgres { pool } => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(channel).await?;
                Ok(listener
                    .into_stream()
                    .filter_map(|notification| async move {
                        notification.ok().map(|n| n.payload().to_owned())
                    })
                    .boxed())
            }
        }
    }

    /// A cheap round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.reader()
            .scalar::<i64>("SELECT CAST(1 AS BIGINT)", crate::args![])
            .await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        match &self.inner.backend {
            BackendHandle::Sqlite {
                readers, writer, ..
            } => PoolStats {
                size: readers.size(),
                idle: u32::try_from(readers.num_idle()).unwrap_or(u32::MAX),
                write_queue: WRITE_QUEUE - writer.capacity(),
            },
            BackendHandle::Postgres { pool } => PoolStats {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                write_queue: 0,
            },
        }
    }

    /// Commits every write queued before this call, then closes the connections.
    pub async fn close(&self) {
        match &self.inner.backend {
            BackendHandle::Sqlite {
                readers,
                writer,
                writer_task,
            } => {
                let _ = writer.send(Message::Shutdown).await;
                let task = writer_task.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(task) = task {
                    let _ = task.await;
                }
                readers.close().await;
            }
            BackendHandle::Postgres { pool } => pool.close().await,
        }
    }
}

async fn open_sqlite(
    path: &std::path::Path,
    readers: u32,
    on_open: OnOpen,
    committed: Committed,
) -> Result<BackendHandle, StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // New databases use 2 KiB pages: a group commit touches one index leaf per stream, and
        // smaller pages halve the WAL written per commit (measured: ~38% less time per batch of
        // 256 streams than 4 KiB). Existing databases keep their page size.
        .page_size(2048)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        // Checkpoint every ~64 MiB of WAL rather than every 4 MiB: pages that many commits touch
        // (index leaves) are then copied back once, and fewer commits pay for a checkpoint.
        .pragma("wal_autocheckpoint", "16384")
        .pragma("cache_size", "-16384")
        .log_statements(tracing::log::LevelFilter::Trace);
    // The file is created and migrated through sqlx; the writer then opens its own connection.
    let mut setup = options.clone().connect().await?;
    match on_open {
        OnOpen::Migrate => {
            migrate::migrate_sqlite(&mut setup).await?;
        }
        OnOpen::Inspect => {}
    }
    sqlx::Connection::close(setup).await?;
    let writer_connection = open_writer(path)?;
    let readers = SqlitePoolOptions::new()
        .max_connections(readers.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.read_only(true))
        .await?;
    let (sender, inbox) = mpsc::channel(WRITE_QUEUE);
    // The writer owns a thread: its statements run synchronously in place, and its operations'
    // futures (which only wait on the connection) are polled there by a runtime of its own.
    let task = tokio::task::spawn_blocking(move || {
        match tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        {
            Ok(runtime) => runtime.block_on(writer::run(writer_connection, inbox, committed)),
            Err(error) => tracing::error!(%error, "the SQLite writer cannot start its runtime"),
        }
    });
    Ok(BackendHandle::Sqlite {
        readers,
        writer: sender,
        writer_task: Mutex::new(Some(task)),
    })
}

/// The writer's connection, with the same settings as the pool's (WAL is already on in the file).
fn open_writer(path: &std::path::Path) -> Result<rusqlite::Connection, StoreError> {
    let connection = rusqlite::Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384; PRAGMA cache_size = -16384;",
    )?;
    connection.set_prepared_statement_cache_capacity(256);
    Ok(connection)
}

async fn open_postgres(
    url: &str,
    max_connections: u32,
    schema: Option<&str>,
    on_open: OnOpen,
) -> Result<BackendHandle, StoreError> {
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?
        .log_statements(tracing::log::LevelFilter::Trace);
    if let Some(schema) = schema {
        options = options.options([("search_path", schema)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(2))
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    if on_open == OnOpen::Migrate {
        migrate::migrate_postgres(&pool).await?;
    }
    Ok(BackendHandle::Postgres { pool })
}

async fn write_postgres(
    pool: &PgPool,
    op: writer::ErasedOp,
    target: &Committed,
) -> writer::AnyResult {
    let started = Instant::now();
    let transaction = pool.begin().await?;
    let mut tx = Tx::new(TxConnection::Postgres(transaction), target.claims.get());
    let result = writer::run_guarded(op, &mut tx).await;
    if result.is_ok() {
        for (what, work) in std::mem::take(&mut tx.deferred) {
            run_deferred_postgres(&mut tx, what, work).await?;
        }
    }
    let TxConnection::Postgres(transaction) = tx.connection else {
        unreachable!("a PostgreSQL write builds a PostgreSQL transaction")
    };
    let value = match result {
        Ok(value) => value,
        Err(error) => {
            let _ = transaction.rollback().await;
            return Err(error);
        }
    };
    transaction.commit().await?;
    metrics::histogram!("tocsin_store_write_batch_size").record(1.0);
    metrics::histogram!("tocsin_store_commit_seconds", "backend" => "postgres")
        .record(started.elapsed().as_secs_f64());
    writer::publish(target, tx.appended, tx.claimed, tx.claimant.as_deref());
    Ok(value)
}

/// Runs deferred work under a savepoint: on failure only its changes are rolled back (and its
/// appends and claims forgotten) and the write goes on. Fails only if the savepoint does.
async fn run_deferred_postgres(
    tx: &mut Tx,
    what: &'static str,
    work: crate::tx::Deferred,
) -> Result<(), StoreError> {
    let mark = tx.mark();
    tx.postgres_statement("SAVEPOINT deferred").await?;
    match AssertUnwindSafe(work(tx)).catch_unwind().await {
        Ok(Ok(())) => tx.postgres_statement("RELEASE SAVEPOINT deferred").await,
        outcome => {
            let error = match outcome {
                Ok(Err(error)) => error,
                _ => StoreError::Panicked,
            };
            tracing::warn!(%error, what, "deferred work failed; the write it followed stands");
            tx.forget_since(mark);
            tx.postgres_statement("ROLLBACK TO SAVEPOINT deferred")
                .await
        }
    }
}
