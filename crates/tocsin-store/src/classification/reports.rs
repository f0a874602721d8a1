//! Reading classification back: classification accuracy (how many incidents' final priority
//! and category differ from the initial ones, by category).
use serde::Serialize;

use crate::Reader;
use crate::error::StoreError;

const ACCURACY: &str = "SELECT category, COUNT(*), \
    SUM(CASE WHEN initial_category IS NOT NULL AND category IS NOT NULL \
        AND initial_category <> category THEN 1 ELSE 0 END), \
    SUM(CASE WHEN initial_priority IS NOT NULL AND priority IS NOT NULL \
        AND initial_priority <> priority THEN 1 ELSE 0 END) \
    FROM incidents WHERE category IS NOT NULL OR initial_priority IS NOT NULL \
    GROUP BY category ORDER BY category";

/// One category's line (`None`: incidents not classified yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccuracyRow {
    pub category: Option<String>,
    pub incidents: i64,
    /// Classified first as another category.
    pub category_changed: i64,
    /// Their priority now differs from the first one they had.
    pub priority_changed: i64,
}

/// Classification accuracy by (final) category.
pub async fn accuracy(reader: Reader<'_>) -> Result<Vec<AccuracyRow>, StoreError> {
    type Row = (Option<String>, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = reader.fetch_all(ACCURACY, crate::args![]).await?;
    Ok(rows
        .into_iter()
        .map(
            |(category, incidents, category_changed, priority_changed)| AccuracyRow {
                category,
                incidents,
                category_changed: category_changed.unwrap_or(0),
                priority_changed: priority_changed.unwrap_or(0),
            },
        )
        .collect())
}
