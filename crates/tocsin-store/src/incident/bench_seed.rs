//! Bulk seeding for `tocsin bench incidents` only (never used by the app): incident rows and
//! participants written straight into the projection tables, many rows per statement, without
//! events, so a million incidents fit in a minute. The list and detail reads need nothing else.
use std::sync::LazyLock;

use jiff::Timestamp;
use uuid::Uuid;

use crate::error::StoreError;
use crate::sql::Arg;
use crate::time::to_micros;
use crate::tx::Tx;

/// Rows per INSERT statement (13 parameters each, below SQLite's and PostgreSQL's limits).
pub const ROWS_PER_STATEMENT: usize = 500;
const COLUMNS: usize = 13;

/// One incident row to seed.
#[derive(Debug, Clone)]
pub struct SeedIncident {
    pub id: Uuid,
    pub number: i64,
    pub service_id: Uuid,
    pub title: String,
    pub severity: &'static str,
    pub status: &'static str,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// `normal` or `restricted`.
    pub visibility: &'static str,
    pub incident_type: &'static str,
}

/// `INSERT ... VALUES (...), (...)` with `rows` tuples of numbered parameters.
fn insert_text(rows: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=COLUMNS)
                .map(|column| format!("${}", row * COLUMNS + column))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO incidents (id, number, service_id, title, severity, status, created_at, \
         acknowledged_at, resolved_at, updated_at, closed_at, visibility, incident_type) VALUES {}",
        tuples.join(", ")
    )
}

static INSERT_MANY: LazyLock<String> = LazyLock::new(|| insert_text(ROWS_PER_STATEMENT));
static INSERT_ONE: LazyLock<String> = LazyLock::new(|| insert_text(1));

fn push_args(args: &mut Vec<Arg>, row: &SeedIncident) {
    let updated = row
        .closed_at
        .or(row.resolved_at)
        .or(row.acknowledged_at)
        .unwrap_or(row.created_at);
    args.extend([
        Arg::from(row.id),
        Arg::from(row.number),
        Arg::from(row.service_id),
        Arg::from(row.title.as_str()),
        Arg::from(row.severity),
        Arg::from(row.status),
        Arg::from(to_micros(row.created_at)),
        Arg::from(row.acknowledged_at.map(to_micros)),
        Arg::from(row.resolved_at.map(to_micros)),
        Arg::from(to_micros(updated)),
        Arg::from(row.closed_at.map(to_micros)),
        Arg::from(row.visibility),
        Arg::from(row.incident_type),
    ]);
}

/// Inserts `rows` in statements of [`ROWS_PER_STATEMENT`] rows (the rest one by one).
pub async fn seed_incidents(tx: &mut Tx, rows: &[SeedIncident]) -> Result<(), StoreError> {
    let mut chunks = rows.chunks_exact(ROWS_PER_STATEMENT);
    for chunk in chunks.by_ref() {
        let mut args = Vec::with_capacity(ROWS_PER_STATEMENT * COLUMNS);
        chunk.iter().for_each(|row| push_args(&mut args, row));
        tx.execute(INSERT_MANY.as_str(), args).await?;
    }
    for row in chunks.remainder() {
        let mut args = Vec::with_capacity(COLUMNS);
        push_args(&mut args, row);
        tx.execute(INSERT_ONE.as_str(), args).await?;
    }
    Ok(())
}

/// Makes `user` a participant of each of `incidents`.
pub async fn seed_participants(
    tx: &mut Tx,
    user: Uuid,
    incidents: &[Uuid],
    at: Timestamp,
) -> Result<(), StoreError> {
    for incident in incidents {
        tx.execute(
            "INSERT INTO incident_participants (incident_id, user_id, joined_at, added_by) \
             VALUES ($1, $2, $3, 'bench')",
            crate::args![*incident, user, to_micros(at)],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_text_numbers_every_parameter_once_row_by_row() {
        let text = insert_text(2);
        assert!(text.ends_with(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13), \
             ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
        ));
        assert_eq!(text.matches("incident_type").count(), 1);
    }
}
