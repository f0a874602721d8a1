//! Backend-neutral handles: `Conn` inside a write transaction and `Reader` over the read pool. The
//! `with_conn!` and `with_reader!` macros run the same query text on whichever backend is live.
use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};

/// A connection inside the current write transaction.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// The pool reads go to.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// Runs `$body` with `$c` bound to the transaction's concrete connection (`&mut SqliteConnection`
/// or `&mut PgConnection`): `with_conn!(tx, c => sqlx::query(SQL).bind(id).execute(&mut *c).await)`.
/// Use inside a function returning `Result<_, StoreError>`.
#[macro_export]
macro_rules! with_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx.conn().await? {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$p` bound to the concrete pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! with_reader {
    ($reader:expr, $p:ident => $body:expr) => {
        match $reader {
            $crate::Reader::Sqlite($p) => $body,
            $crate::Reader::Postgres($p) => $body,
        }
    };
}

/// Executes a statement built by `$query` (e.g. `sqlx::query(SQL).bind(id)`) on the transaction's
/// connection and returns the number of rows affected.
#[macro_export]
macro_rules! execute {
    ($tx:expr, $query:expr) => {
        match $tx.conn().await? {
            $crate::Conn::Sqlite(c) => $query.execute(&mut *c).await.map(|r| r.rows_affected()),
            $crate::Conn::Postgres(c) => $query.execute(&mut *c).await.map(|r| r.rows_affected()),
        }
    };
}
