//! Deadline arithmetic shared by the workers: how long to sleep until a due instant, bounded so a
//! clock jump or a far-future deadline is re-evaluated.
use std::time::Duration;

use jiff::Timestamp;

/// The longest a worker sleeps before looking at its schedule again. Not a polling cycle: a worker
/// with an earlier deadline wakes at that deadline; this only bounds the damage of a clock jump.
pub const MAX_SLEEP: Duration = Duration::from_secs(3600);

/// How long to wait from `now` until `due` (zero when already due), at most `MAX_SLEEP`; with no
/// deadline at all, `MAX_SLEEP`.
pub fn sleep_for(now: Timestamp, due: Option<Timestamp>) -> Duration {
    match due {
        None => MAX_SLEEP,
        Some(due) if due <= now => Duration::ZERO,
        Some(due) => {
            let wait = due.duration_since(now).unsigned_abs();
            wait.min(MAX_SLEEP)
        }
    }
}

/// Runs `step` (one write working through at most `batch` due items) until a step looks at fewer
/// than `batch`; answers everything the steps did. Each step answers what it did and how many
/// items it looked at.
pub async fn drain<T, F, Fut>(batch: i64, mut step: F) -> Result<Vec<T>, tocsin_store::StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, usize), tocsin_store::StoreError>>,
{
    let mut all = Vec::new();
    loop {
        let (done, looked_at) = step().await?;
        all.extend(done);
        if i64::try_from(looked_at).unwrap_or(i64::MAX) < batch {
            return Ok(all);
        }
    }
}

type Committed = tokio::sync::broadcast::Receiver<std::sync::Arc<tocsin_store::StoredEvent>>;

/// Resolves when a committed event whose kind `wakes` is true for arrives (or events were
/// missed, so the caller must look again); never when the bus is closed.
pub async fn committed_event(committed: &mut Committed, wakes: impl Fn(&str) -> bool) {
    committed_matching(committed, |event| wakes(&event.kind)).await;
}

/// Resolves with the first committed event `wakes` is true for, or `None` when events were
/// missed (the caller must look again); never when the bus is closed.
pub async fn committed_matching(
    committed: &mut Committed,
    wakes: impl Fn(&tocsin_store::StoredEvent) -> bool,
) -> Option<std::sync::Arc<tocsin_store::StoredEvent>> {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match committed.recv().await {
            Ok(event) if wakes(&event) => return Some(event),
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => return None,
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("valid")
    }

    #[test]
    fn sleeps_exactly_until_a_near_deadline() {
        assert_eq!(sleep_for(at(0), Some(at(90))), Duration::from_secs(90));
    }

    #[test]
    fn a_past_deadline_is_due_now() {
        assert_eq!(sleep_for(at(100), Some(at(90))), Duration::ZERO);
    }

    #[test]
    fn far_or_missing_deadlines_are_bounded() {
        assert_eq!(sleep_for(at(0), Some(at(10 * 86_400))), MAX_SLEEP);
        assert_eq!(sleep_for(at(0), None), MAX_SLEEP);
    }
}
