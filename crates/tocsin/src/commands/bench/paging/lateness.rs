//! Escalation timer lateness: many incidents whose second escalation step is due a minute after
//! their first page, opened at a steady pace so that about `timers` timers are pending at once.
//! Each second-step page is timed from its timer's due instant (recorded in the
//! `incident.escalated` event) to when its transaction committed (the event reaching this
//! process's bus). Bounded in count and time.
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use jiff::Timestamp;
use tocsin_store::Store;
use tokio::sync::broadcast::error::RecvError;

use super::latency::Target;

/// What the lateness run measured.
#[derive(Debug, Clone, Default)]
pub struct Lateness {
    /// Sorted.
    pub late: Vec<Duration>,
    /// Timers armed when the first second-step timer came due.
    pub pending_at_peak: i64,
    pub opened: usize,
    pub missed: usize,
}

impl Lateness {
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let last = self.late.len().checked_sub(1)?;
        let index = ((last as f64) * q).round() as usize;
        self.late.get(index.min(last)).copied()
    }
}

/// Opens `timers` incidents over `spread` through `target`, then collects each one's
/// second-step lateness, stopping after `limit`.
pub async fn measure(
    client: &reqwest::Client,
    store: &Store,
    target: &Target,
    timers: usize,
    spread: Duration,
    limit: Duration,
    bar: ProgressBar,
) -> Lateness {
    let mut committed = store.subscribe();
    let started = Instant::now();
    let deadline = started + limit;
    let mut run = Lateness::default();
    let pace = spread.div_f64(timers.max(1) as f64);
    let mut senders = tokio::task::JoinSet::new();
    for index in 0..timers {
        if Instant::now() >= deadline {
            break;
        }
        let at = started + pace.mul_f64(index as f64);
        tokio::time::sleep_until(at.into()).await;
        let request = target.request(client, &format!("lateness-{index}"));
        senders
            .spawn(async move { matches!(request.send().await, Ok(r) if r.status().is_success()) });
        // Reap finished sends as we go, so the set stays small.
        while let Some(done) = senders.try_join_next() {
            run.opened += usize::from(done.unwrap_or(false));
        }
    }
    while let Some(done) = senders.join_next().await {
        run.opened += usize::from(done.unwrap_or(false));
    }
    run.pending_at_peak = tocsin_store::paging::armed(store.reader())
        .await
        .unwrap_or(0);
    bar.set_length(run.opened as u64);
    while run.late.len() < run.opened {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match tokio::time::timeout(left, committed.recv()).await {
            Ok(Ok(event)) if event.kind == "incident.escalated" => {
                if event.payload["level"] != 2 {
                    continue;
                }
                let due = event.payload["due_at"]
                    .as_str()
                    .and_then(|due| due.parse::<Timestamp>().ok());
                if let Some(due) = due {
                    let late = Timestamp::now().duration_since(due);
                    run.late.push(late.unsigned_abs());
                    bar.inc(1);
                }
            }
            Ok(Ok(_)) => {}
            Ok(Err(RecvError::Lagged(missed))) => {
                run.missed += usize::try_from(missed).unwrap_or(usize::MAX);
            }
            Ok(Err(RecvError::Closed)) | Err(_) => break,
        }
    }
    bar.finish_and_clear();
    run.late.sort_unstable();
    run
}
