//! Leased delivery rows, shared by the notification outbox and the handoff notices: claiming due
//! rows under a lease and a new fencing token (`FOR UPDATE SKIP LOCKED` on PostgreSQL),
//! recording an attempt's outcome or putting a row back only while the claim still holds, and
//! the earliest instant a row is due. Each table gets its statement texts from `leased_sql!`.
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::error::StoreError;
use crate::outbox::Recorded;
use crate::sql::FromRow;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;
use crate::{Backend, Reader};

/// One table's statements (see `leased_sql!`).
pub(crate) struct LeasedSql {
    pub claim_postgres: &'static str,
    pub claim_sqlite: &'static str,
    pub finish: &'static str,
    pub defer: &'static str,
    pub next_due: &'static str,
}

/// The statements of a leased table (its columns: `id`, `state`, `attempts`, `next_attempt_at`,
/// `claimed_by`, `lease_until`, `fence`, `last_delay_ms`, `last_outcome`, `receipt`,
/// `updated_at`). Due rows are pending ones whose next attempt has come, or claimed ones whose
/// lease ran out; only the lock clause differs between the backends.
macro_rules! leased_sql {
    ($table:literal) => {
        $crate::lease::LeasedSql {
            claim_postgres: concat!(
                "UPDATE ", $table, " SET state = 'sending', claimed_by = $1, lease_until = $2, \
                 fence = fence + 1, updated_at = $3 WHERE id IN (SELECT id FROM ", $table,
                " WHERE (state = 'pending' AND next_attempt_at <= $3) \
                 OR (state = 'sending' AND lease_until <= $3) ORDER BY next_attempt_at LIMIT $4 \
                 FOR UPDATE SKIP LOCKED) RETURNING id"
            ),
            claim_sqlite: concat!(
                "UPDATE ", $table, " SET state = 'sending', claimed_by = $1, lease_until = $2, \
                 fence = fence + 1, updated_at = $3 WHERE id IN (SELECT id FROM ", $table,
                " WHERE (state = 'pending' AND next_attempt_at <= $3) \
                 OR (state = 'sending' AND lease_until <= $3) ORDER BY next_attempt_at LIMIT $4) \
                 RETURNING id"
            ),
            finish: concat!(
                "UPDATE ", $table, " SET state = $3, attempts = attempts + 1, \
                 next_attempt_at = $4, last_delay_ms = COALESCE($5, last_delay_ms), \
                 last_outcome = $6, receipt = $7, claimed_by = NULL, lease_until = NULL, \
                 updated_at = $8 WHERE id = $1 AND fence = $2 AND state = 'sending'"
            ),
            defer: concat!(
                "UPDATE ", $table, " SET state = 'pending', next_attempt_at = $3, \
                 claimed_by = NULL, lease_until = NULL, updated_at = $4 \
                 WHERE id = $1 AND fence = $2 AND state = 'sending'"
            ),
            next_due: concat!(
                "SELECT (SELECT MIN(next_attempt_at) FROM ", $table,
                " WHERE state = 'pending'), (SELECT MIN(lease_until) FROM ", $table,
                " WHERE state = 'sending')"
            ),
        }
    };
}
pub(crate) use leased_sql;

/// Claims at most `limit` rows due by `now` for `node`, each leased until `now + lease` under a
/// new fencing token; answers them in id order, each read by `load` (`... WHERE id = $1`).
pub(crate) async fn claim<R, T>(
    tx: &mut Tx,
    sql: &LeasedSql,
    load: &'static str,
    node: &str,
    now: Timestamp,
    lease: SignedDuration,
    limit: i64,
) -> Result<Vec<T>, StoreError>
where
    R: FromRow,
    T: TryFrom<R, Error = StoreError>,
{
    let claim = match tx.backend() {
        Backend::Postgres => sql.claim_postgres,
        Backend::Sqlite => sql.claim_sqlite,
    };
    let args = crate::args![node, to_micros(now + lease), to_micros(now), limit];
    let mut ids: Vec<Uuid> = tx.scalars(claim, args).await?;
    ids.sort();
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let row: R = tx.fetch_one(load, crate::args![id]).await?;
        claimed.push(T::try_from(row)?);
    }
    Ok(claimed)
}

/// Records how an attempt ended if the claim (`fence`) still holds; answers whether it did.
pub(crate) async fn finish(
    tx: &mut Tx,
    sql: &LeasedSql,
    id: Uuid,
    fence: i64,
    outcome: &Recorded,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (state, next_at, delay_ms, last_outcome, receipt) = match outcome {
        Recorded::Delivered { receipt } => ("delivered", now, None, "delivered", receipt.clone()),
        Recorded::Retry {
            at,
            delay_ms,
            reason,
        } => ("pending", *at, Some(*delay_ms), reason.as_str(), None),
        Recorded::Failed { reason } => ("failed", now, None, reason.as_str(), None),
    };
    let args = crate::args![
        id,
        fence,
        state,
        to_micros(next_at),
        delay_ms,
        last_outcome,
        &receipt,
        to_micros(now)
    ];
    Ok(tx.execute(sql.finish, args).await? > 0)
}

/// Puts a claimed row back without counting an attempt: pending again at `until`. Answers
/// whether the claim still held.
pub(crate) async fn defer(
    tx: &mut Tx,
    sql: &LeasedSql,
    id: Uuid,
    fence: i64,
    until: Timestamp,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let args = crate::args![id, fence, to_micros(until), to_micros(now)];
    Ok(tx.execute(sql.defer, args).await? > 0)
}

/// The earliest instant a row is due: a pending one's next attempt, or a lease running out.
pub(crate) async fn next_due(
    reader: Reader<'_>,
    sql: &LeasedSql,
) -> Result<Option<Timestamp>, StoreError> {
    let (pending, leased): (Option<i64>, Option<i64>) =
        reader.fetch_one(sql.next_due, crate::args![]).await?;
    Ok(pending.into_iter().chain(leased).min().map(from_micros))
}
