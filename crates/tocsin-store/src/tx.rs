//! The transaction a write operation runs in. On SQLite it is one savepoint inside the writer's
//! group-commit transaction; on PostgreSQL it is a transaction of its own.
use std::collections::HashMap;

use sqlx::{Postgres, SqliteConnection};
use tocsin_domain::chain::Hash;
use uuid::Uuid;

use crate::conn::Conn;
use crate::events::StoredEvent;
use crate::store::Backend;

pub(crate) enum TxConnection {
    Sqlite(SqliteConnection),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// The last (sequence, hash) of each stream the SQLite writer has appended to or read. The writer
/// is SQLite's only appender, so once known a head stays right until the writer changes it; the
/// writer forgets heads touched by anything it rolls back.
pub(crate) type StreamHeads = HashMap<Uuid, (i64, Hash)>;

/// A write transaction. Events appended through it are published after the commit.
pub struct Tx {
    pub(crate) connection: TxConnection,
    pub(crate) appended: Vec<StoredEvent>,
    /// Known stream heads (SQLite writer only; PostgreSQL has other appenders, so it always reads).
    pub(crate) heads: Option<StreamHeads>,
}

impl Tx {
    pub(crate) fn new(connection: TxConnection) -> Self {
        Self {
            connection,
            appended: Vec::new(),
            heads: None,
        }
    }

    /// A transaction of the SQLite writer, carrying the heads it knows across batches.
    pub(crate) fn with_heads(connection: TxConnection, heads: StreamHeads) -> Self {
        Self {
            connection,
            appended: Vec::new(),
            heads: Some(heads),
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
