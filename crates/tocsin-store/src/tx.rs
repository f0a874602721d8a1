//! The transaction a write operation runs in. On SQLite it is part of the writer's group-commit
//! transaction (with a savepoint opened lazily, only if the operation touches the connection); on
//! PostgreSQL it is a transaction of its own.
use sqlx::{Executor, Postgres, SqliteConnection};

use crate::conn::Conn;
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::sqlite_batch::SqliteBatch;
use crate::store::Backend;

pub(crate) enum TxConnection {
    Sqlite(SqliteConnection),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A write transaction. Events appended through it are published after the commit.
pub struct Tx {
    pub(crate) connection: TxConnection,
    pub(crate) appended: Vec<StoredEvent>,
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
    pub(crate) fn sqlite_batch(connection: SqliteConnection, batch: SqliteBatch) -> Self {
        Self {
            connection: TxConnection::Sqlite(connection),
            appended: Vec::new(),
            batch: Some(batch),
        }
    }

    /// The connection, for `with_conn!` and `execute!` (which call this themselves). On SQLite the
    /// operation's savepoint is opened before its first statement.
    pub async fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        if let (TxConnection::Sqlite(connection), Some(batch)) =
            (&mut self.connection, &mut self.batch)
            && !batch.savepoint_open
        {
            connection.execute("SAVEPOINT op").await?;
            batch.savepoint_open = true;
        }
        Ok(match &mut self.connection {
            TxConnection::Sqlite(connection) => Conn::Sqlite(connection),
            TxConnection::Postgres(transaction) => Conn::Postgres(transaction),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.connection {
            TxConnection::Sqlite(_) => Backend::Sqlite,
            TxConnection::Postgres(_) => Backend::Postgres,
        }
    }
}
