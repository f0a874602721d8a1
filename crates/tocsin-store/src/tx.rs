//! The transaction a write operation runs in. On SQLite it is one savepoint inside the writer's
//! group-commit transaction; on PostgreSQL it is a transaction of its own.
use sqlx::{Postgres, SqliteConnection};

use crate::conn::Conn;
use crate::events::StoredEvent;
use crate::store::Backend;

pub(crate) enum TxConnection {
    Sqlite(SqliteConnection),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A write transaction. Events appended through it are published after the commit.
pub struct Tx {
    pub(crate) connection: TxConnection,
    pub(crate) appended: Vec<StoredEvent>,
}

impl Tx {
    pub(crate) fn new(connection: TxConnection) -> Self {
        Self {
            connection,
            appended: Vec::new(),
        }
    }

    /// The connection, for `with_conn!`.
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.connection {
            TxConnection::Sqlite(connection) => Conn::Sqlite(connection),
            TxConnection::Postgres(transaction) => Conn::Postgres(transaction),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.connection {
            TxConnection::Sqlite(_) => Backend::Sqlite,
            TxConnection::Postgres(_) => Backend::Postgres,
        }
    }
}
