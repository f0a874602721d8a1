//! The SQLite writer: the only connection that writes, driven on a thread of its own (see
//! `Store::open`) so its statements run in place, with no hand-off per statement. It takes every
//! queued write operation (up to a batch limit), runs each in its own savepoint inside one
//! transaction, commits once, and only then answers each caller: group commit, so thousands of
//! durable writes share one fsync.
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::error::StoreError;
use crate::event_index;
use crate::events::StoredEvent;
use crate::outbox::handoff::{ClaimSlot, Claimant};
use crate::sqlite_batch::{MAX_KNOWN_HEADS, SqliteBatch};
use crate::tx::{Tx, TxConnection};

/// The most operations one transaction carries.
pub(crate) const MAX_BATCH: usize = 512;

pub(crate) type AnyResult = Result<Box<dyn Any + Send>, StoreError>;
pub(crate) type ErasedOp = Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AnyResult> + Send>;

pub(crate) enum Message {
    Write {
        op: ErasedOp,
        reply: oneshot::Sender<AnyResult>,
    },
    /// Finish what was queued before this message, then stop.
    Shutdown,
}

/// Pins a closure to the higher-ranked signature the writer needs.
pub(crate) fn erase<T, F>(op: F) -> ErasedOp
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, StoreError>> + Send + 'static,
{
    fn hint<F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AnyResult> + Send>(f: F) -> F {
        f
    }
    Box::new(hint(move |tx| {
        let future = op(tx);
        async move {
            future
                .await
                .map(|value| Box::new(value) as Box<dyn Any + Send>)
        }
        .boxed()
    }))
}

/// Runs an operation, turning a panic (when building or polling its future) into an error.
pub(crate) async fn run_guarded(op: ErasedOp, tx: &mut Tx) -> AnyResult {
    let future = match std::panic::catch_unwind(AssertUnwindSafe(|| op(tx))) {
        Ok(future) => future,
        Err(_) => return Err(StoreError::Panicked),
    };
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or(Err(StoreError::Panicked))
}

pub(crate) async fn run(
    connection: rusqlite::Connection,
    mut inbox: mpsc::Receiver<Message>,
    committed: Committed,
) {
    let mut connection = Some(connection);
    let mut state = SqliteBatch::default();
    let mut stopping = false;
    while !stopping {
        let first = if event_index::has_tail(state.indexed_through, state.last_position()) {
            match tokio::time::timeout(event_index::IDLE_FLUSH_AFTER, inbox.recv()).await {
                Ok(message) => message,
                Err(_idle) => {
                    if let Some(conn) = &connection {
                        index_tail_alone(conn, &mut state);
                    }
                    continue;
                }
            }
        } else {
            inbox.recv().await
        };
        let Some(first) = first else {
            break;
        };
        let mut batch = Vec::with_capacity(64);
        match first {
            Message::Write { op, reply } => batch.push((op, reply)),
            Message::Shutdown => stopping = true,
        }
        while !stopping && batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(Message::Write { op, reply }) => batch.push((op, reply)),
                Ok(Message::Shutdown) => stopping = true,
                Err(_) => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let Some(conn) = connection.take() else { break };
        let (conn, next) = commit_batch(conn, state, batch, &committed).await;
        connection = Some(conn);
        state = next;
    }
    if let Some(conn) = &connection
        && event_index::has_tail(state.indexed_through, state.last_position())
    {
        index_tail_alone(conn, &mut state);
    }
    if let Some(conn) = connection
        && let Err((_, error)) = conn.close()
    {
        tracing::warn!(%error, "closing the SQLite writer connection failed");
    }
}

type Pending = (ErasedOp, oneshot::Sender<AnyResult>);

/// Where a commit's outcome goes: its events to the bus, its claims to the claimant.
#[derive(Clone)]
pub(crate) struct Committed {
    pub(crate) bus: broadcast::Sender<Arc<StoredEvent>>,
    pub(crate) claims: Arc<ClaimSlot>,
}

/// Publishes a commit's events and hands its claims over.
pub(crate) fn publish(
    target: &Committed,
    appended: Vec<Arc<StoredEvent>>,
    claimed: Vec<crate::outbox::Claimed>,
    claimant: Option<&Claimant>,
) {
    for event in appended {
        let _ = target.bus.send(event);
    }
    if let Some(claimant) = claimant {
        claimant.hand(claimed);
    }
}

/// Runs one operation of the batch under its own savepoint (opened lazily); on failure rolls
/// the savepoint back and forgets the operation's appends and claims. Sets `failure` when the
/// connection itself failed (the rest of the batch then fails too).
async fn run_operation(tx: &mut Tx, op: ErasedOp, failure: &mut Option<String>) -> AnyResult {
    let mark = tx.mark();
    if let Some(batch_state) = tx.batch.as_mut() {
        batch_state.begin_operation();
    }
    let result = run_guarded(op, tx).await;
    if result.is_err() {
        tx.forget_since(mark);
        let savepoint_open = tx
            .batch
            .as_mut()
            .is_some_and(SqliteBatch::abandon_operation);
        if savepoint_open && let Err(error) = execute(tx, "ROLLBACK TO op; RELEASE op") {
            *failure = Some(error.to_string());
        }
    } else if tx.batch.as_ref().is_some_and(|b| b.savepoint_open) {
        // Released at once: SQLite checks every open savepoint on each page it writes, so
        // hundreds left nested until COMMIT made each later statement of the batch slower.
        if let Err(error) = execute(tx, "RELEASE op") {
            *failure = Some(error.to_string());
        }
    }
    result
}

/// Runs a batch in one transaction and commits once. An operation gets a savepoint only if it
/// touches the connection (appends are buffered and cost none); the batch's event rows are written
/// just before COMMIT. A failed operation's savepoint is rolled back and its appends forgotten.
async fn commit_batch(
    connection: rusqlite::Connection,
    state: SqliteBatch,
    batch: Vec<Pending>,
    target: &Committed,
) -> (rusqlite::Connection, SqliteBatch) {
    let started = Instant::now();
    let size = batch.len();
    let mut state = state.carry_over();
    let mut failure: Option<String> = connection
        .execute_batch("BEGIN IMMEDIATE")
        .err()
        .map(|e| e.to_string());
    if failure.is_none() && state.indexed_through.is_none() {
        // Start-up or after a failed commit: the heads may not cover the tail, so index it first.
        match event_index::flush(&connection) {
            Ok(position) => state.indexed(position),
            Err(error) => failure = Some(error.to_string()),
        }
    }
    let mut tx = Tx::sqlite_batch(connection, state, target.claims.get());
    let mut outcomes: Vec<(oneshot::Sender<AnyResult>, AnyResult)> = Vec::with_capacity(size);

    for (op, reply) in batch {
        if let Some(reason) = &failure {
            outcomes.push((reply, Err(StoreError::Unavailable(reason.clone()))));
            continue;
        }
        let result = run_operation(&mut tx, op, &mut failure).await;
        let deferred = std::mem::take(&mut tx.deferred);
        if result.is_ok() {
            for (what, work) in deferred {
                if failure.is_some() {
                    break;
                }
                if let Err(error) = run_operation(&mut tx, erase(work), &mut failure).await {
                    tracing::warn!(%error, what, "deferred work failed; the write it followed stands");
                }
            }
        }
        outcomes.push((reply, result));
    }

    let TxConnection::Sqlite(connection) = tx.connection else {
        unreachable!("the SQLite writer only builds SQLite transactions")
    };
    let mut state = tx.batch.take().unwrap_or_default();
    let committed = match failure {
        None => finish(&connection, &state).map_err(|e| e.to_string()),
        Some(reason) => Err(reason),
    };
    if let Ok(Some(position)) = committed {
        state.indexed(position);
    }
    let committed = committed.map(|_| ());
    let events_written = state.rows.len();
    state.rows.clear();
    if let Err(reason) = &committed {
        state.forget_everything();
        tracing::error!(%reason, size, "group commit failed; every write in the batch is reported failed");
        let _ = connection.execute_batch("ROLLBACK");
    }
    metrics::histogram!("tocsin_store_write_batch_size").record(size as f64);
    metrics::counter!("tocsin_store_events_appended_total").increment(events_written as u64);
    metrics::histogram!("tocsin_store_commit_seconds", "backend" => "sqlite")
        .record(started.elapsed().as_secs_f64());

    // Published before the writers are answered, so whoever learns of a commit from its answer
    // finds its events already on the bus (the intake key cache relies on this for revocation).
    if committed.is_ok() {
        publish(target, tx.appended, tx.claimed, tx.claimant.as_deref());
    }
    for (reply, result) in outcomes {
        let answer = match (&committed, result) {
            (Ok(()), result) => result,
            (Err(reason), Ok(_)) => {
                Err(StoreError::Unavailable(format!("commit failed: {reason}")))
            }
            (Err(_), Err(error)) => Err(error),
        };
        let _ = reply.send(answer);
    }
    (connection, state)
}

/// Writes the buffered events, indexes the tail when that is due, and commits. Returns the
/// position indexed through when this commit indexed the tail.
fn finish(
    connection: &rusqlite::Connection,
    state: &SqliteBatch,
) -> Result<Option<i64>, rusqlite::Error> {
    crate::sqlite_batch::flush(connection, &state.rows)?;
    let indexed = match state.indexed_through {
        Some(through)
            if event_index::flush_due(
                through,
                state.last_position(),
                state.heads.len(),
                MAX_KNOWN_HEADS,
            ) =>
        {
            Some(event_index::flush(connection)?)
        }
        _ => None,
    };
    connection.execute_batch("COMMIT")?;
    Ok(indexed)
}

/// Indexes the tail in a transaction of its own (the writer is idle, or stopping).
fn index_tail_alone(connection: &rusqlite::Connection, state: &mut SqliteBatch) {
    let indexed = connection
        .execute_batch("BEGIN IMMEDIATE")
        .and_then(|()| event_index::flush(connection))
        .and_then(|position| connection.execute_batch("COMMIT").map(|()| position));
    match indexed {
        Ok(position) => state.indexed(position),
        Err(error) => {
            tracing::warn!(%error, "indexing the event log's tail failed; the next write retries");
            let _ = connection.execute_batch("ROLLBACK");
            state.indexed_through = None;
        }
    }
}

fn execute(tx: &mut Tx, sql: &'static str) -> Result<(), rusqlite::Error> {
    let TxConnection::Sqlite(connection) = &mut tx.connection else {
        unreachable!("the SQLite writer only builds SQLite transactions")
    };
    connection.execute_batch(sql)
}
