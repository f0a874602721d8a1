//! The transaction a write operation runs in. On SQLite it is part of the writer's group-commit
//! transaction (with a savepoint opened lazily, only if the operation touches the connection); on
//! PostgreSQL it is a transaction of its own.
use sqlx::Postgres;

use crate::conn::Conn;
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::sqlite_batch::SqliteBatch;
use crate::store::Backend;

pub(crate) enum TxConnection {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A write transaction. Events appended through it are published after the commit.
pub struct Tx {
    pub(crate) connection: TxConnection,
    pub(crate) appended: Vec<std::sync::Arc<StoredEvent>>,
    /// The SQLite writer's batch state; `None` on PostgreSQL.
    pub(crate) batch: Option<SqliteBatch>,
}

impl Tx {
    pub(crate) fn new(connection: TxConnection) -> Self {
        Self {
            connection,
            appended: Vec::new(),
            batch: None,
        }
    }

    /// A transaction of the SQLite writer.
    pub(crate) fn sqlite_batch(connection: rusqlite::Connection, batch: SqliteBatch) -> Self {
        Self {
            connection: TxConnection::Sqlite(connection),
            appended: Vec::new(),
            batch: Some(batch),
        }
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
