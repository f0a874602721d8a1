//! Backend-neutral handles: `Conn` inside a write transaction and `Reader` over the read pool.
//! Store code runs statements through `crate::sql`; these handles are its plumbing.
use sqlx::{PgConnection, PgPool, SqlitePool};

/// A connection inside the current write transaction: the SQLite writer's own connection, or a
/// PostgreSQL transaction's.
pub enum Conn<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    Postgres(&'a mut PgConnection),
}

/// The pool reads go to.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
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
