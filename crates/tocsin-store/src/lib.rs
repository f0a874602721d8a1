//! Tocsin persistence: one API over embedded SQLite (single writer task with group commit, reader
//! pool) and PostgreSQL (pool). Every change runs as a write operation inside one transaction that
//! appends events to the log and updates projections; committed events are then published on the
//! in-process bus.
#![forbid(unsafe_code)]

pub mod access;
pub mod alert;
pub mod cadence;
pub mod catalog;
pub mod classification;
mod conn;
pub mod contact;
mod error;
pub mod escalation;
mod event_index;
pub mod events;
pub mod handoff;
pub mod heartbeat;
pub mod incident;
mod lease;
mod migrate;
pub mod orchestration;
pub mod outbox;
pub mod paging;
pub mod regulatory;
pub mod roles;
pub mod schedule;
pub mod sql;
mod sqlite_batch;
mod store;
mod time;
mod tx;
mod writer;

pub use conn::{Conn, Reader};
pub use error::StoreError;
pub use events::{NewEvent, StoredEvent, VerifyReport};
pub use migrate::{MigrationReport, SchemaStatus};
pub use sqlx::Error as SqlxError;
pub use store::{Backend, OnOpen, Store, StoreConfig};
pub use time::{from_micros, to_micros};
pub use tx::Tx;

/// A boxed future borrowing the transaction, the shape every write operation returns.
pub type TxFuture<'t, T> = futures::future::BoxFuture<'t, Result<T, StoreError>>;
