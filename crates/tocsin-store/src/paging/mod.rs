//! Escalation as stored: one timer per escalating incident (`timers`), processed by the engine in
//! batches inside one write each (`process`), and the by-hand actions an incident commander
//! takes (`by_hand`: escalate to the next level, reassign to named people).
mod by_hand;
mod process;
mod timers;

use jiff::Timestamp;

use crate::error::StoreError;
use crate::tx::Tx;

pub use by_hand::{escalate, reassign};
pub use process::Processed;
pub(crate) use timers::arm_first;
pub use timers::{DueTimer, armed, next_due, recheck};

/// Timers processed per write.
pub const PROCESS_BATCH: i64 = 64;

/// The PostgreSQL channel a node notifies when it arms or moves a timer, so its peers re-read
/// their earliest deadline.
pub const WAKE_CHANNEL: &str = "tocsin_escalation";

/// Processes up to `PROCESS_BATCH` timers due by `now`; answers what each did and how many were
/// looked at (fewer than the batch: nothing more is due).
pub async fn process_due(
    tx: &mut Tx,
    now: Timestamp,
) -> Result<(Vec<Processed>, usize), StoreError> {
    let due = timers::take_due(tx, now, PROCESS_BATCH).await?;
    let looked_at = due.len();
    let mut processed = Vec::with_capacity(looked_at);
    for timer in due {
        processed.push(process::process_one(tx, timer, now).await?);
    }
    Ok((processed, looked_at))
}
