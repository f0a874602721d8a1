//! The transaction a write operation runs in. On SQLite it is part of the writer's group-commit
//! transaction (with a savepoint opened lazily, only if the operation touches the connection); on
//! PostgreSQL it is a transaction of its own.
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::Postgres;

use crate::conn::Conn;
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::outbox::Claimed;
use crate::outbox::handoff::Claimant;
use crate::sqlite_batch::SqliteBatch;
use crate::store::Backend;

/// How far an operation's appends and claims reached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxMark {
    appended: usize,
    claimed: usize,
}

pub(crate) enum TxConnection {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Work a write asks to run after itself in the same transaction, isolated from it (see
/// [`Tx::defer`]).
pub(crate) type Deferred =
    Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<(), StoreError>> + Send>;

/// A write transaction. Events appended through it are published after the commit.
pub struct Tx {
    pub(crate) connection: TxConnection,
    pub(crate) appended: Vec<std::sync::Arc<StoredEvent>>,
    /// The SQLite writer's batch state; `None` on PostgreSQL.
    pub(crate) batch: Option<SqliteBatch>,
    /// The node notifications due at once are claimed for as they are queued (see
    /// `outbox::handoff`), and the rows claimed so far, handed to it after the commit.
    pub(crate) claimant: Option<Arc<Claimant>>,
    pub(crate) claimed: Vec<Claimed>,
    pub(crate) deferred: Vec<(&'static str, Deferred)>,
}

impl Tx {
    pub(crate) fn new(connection: TxConnection, claimant: Option<Arc<Claimant>>) -> Self {
        Self {
            connection,
            appended: Vec::new(),
            batch: None,
            claimant,
            claimed: Vec::new(),
            deferred: Vec::new(),
        }
    }

    /// A transaction of the SQLite writer.
    pub(crate) fn sqlite_batch(
        connection: rusqlite::Connection,
        batch: SqliteBatch,
        claimant: Option<Arc<Claimant>>,
    ) -> Self {
        Self {
            batch: Some(batch),
            ..Self::new(TxConnection::Sqlite(connection), claimant)
        }
    }

    /// Runs `work` after the current operation, in the same transaction (so in the same commit),
    /// but isolated: if it fails, only its own changes are rolled back and the operation still
    /// commits; the failure is logged under `what`. Dropped if the operation itself fails.
    pub(crate) fn defer(&mut self, what: &'static str, work: Deferred) {
        self.deferred.push((what, work));
    }

    /// Where the operation's effects end, to undo what follows on failure.
    pub(crate) fn mark(&self) -> TxMark {
        TxMark {
            appended: self.appended.len(),
            claimed: self.claimed.len(),
        }
    }

    /// Forgets the appends and claims made since `mark` (their statements were rolled back).
    pub(crate) fn forget_since(&mut self, mark: TxMark) {
        self.appended.truncate(mark.appended);
        self.claimed.truncate(mark.claimed);
    }

    /// The connection, for `crate::sql` (which calls this itself). On SQLite the operation's
    /// savepoint is opened before its first statement.
    pub async fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        if let (TxConnection::Sqlite(connection), Some(batch)) =
            (&mut self.connection, &mut self.batch)
            && !batch.savepoint_open
        {
            connection.execute_batch("SAVEPOINT op")?;
            batch.savepoint_open = true;
        }
        Ok(match &mut self.connection {
            TxConnection::Sqlite(connection) => Conn::Sqlite(connection),
            TxConnection::Postgres(transaction) => Conn::Postgres(transaction),
        })
    }

    /// Serialises writers that touch `key` until this transaction ends: a transaction-scoped
    /// advisory lock on PostgreSQL; nothing on SQLite, whose writer is already alone.
    pub async fn lock(&mut self, key: &[u8]) -> Result<(), StoreError> {
        if let TxConnection::Postgres(transaction) = &mut self.connection {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock_id(key))
                .execute(&mut **transaction)
                .await?;
        }
        Ok(())
    }

    /// Runs a statement without arguments on PostgreSQL (savepoints); nothing on SQLite.
    pub(crate) async fn postgres_statement(&mut self, sql: &'static str) -> Result<(), StoreError> {
        if let TxConnection::Postgres(transaction) = &mut self.connection {
            sqlx::query(sql).execute(&mut **transaction).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.connection {
            TxConnection::Sqlite(_) => Backend::Sqlite,
            TxConnection::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A 64-bit advisory lock id for `key` (the first bytes of its SHA-256).
fn lock_id(key: &[u8]) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}
