//! The load loop: `concurrency` workers take request numbers from one counter and post bodies
//! until the scenario's alerts are sent or its deadline passes. Only 2xx answers count as
//! accepted; latencies are per request, measured from send to the end of the answer's body.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use tokio::task::JoinSet;

use super::payload::{Format, Run, write_body};

/// One way of sending alerts.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    /// Keeps this scenario's alerts apart from the others'.
    pub tag: u32,
    pub per_request: usize,
    /// Cycle through a few fingerprints instead of sending each alert once.
    pub repeated: bool,
    /// Whether the result is held to the batch budget (else the single-alert one).
    pub batch: bool,
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub format: Format,
    /// A URL of the same server answering `GET` without doing any work, for the request floor.
    pub health_url: String,
}

impl Endpoint {
    /// The same server's health endpoint, probed with bodiless `GET`s.
    pub fn health_probe(&self) -> Self {
        Self {
            url: self.health_url.clone(),
            format: Format::HealthProbe,
            health_url: self.health_url.clone(),
        }
    }
}

/// Bounds of one scenario run.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub alerts: usize,
    pub concurrency: usize,
    pub limit: Duration,
    pub repeated_fingerprints: usize,
}

/// What one scenario measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub accepted_alerts: u64,
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    pub first_error: Option<String>,
    /// The deadline stopped the scenario before every alert was sent.
    pub cut_short: bool,
}

impl Outcome {
    pub fn alerts_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.accepted_alerts as f64 / secs
        } else {
            0.0
        }
    }

    /// The latency at quantile `q` (0..=1), if any request finished.
    pub fn latency(&self, q: f64) -> Option<Duration> {
        let last = self.latencies.len().checked_sub(1)?;
        let index = ((last as f64) * q).round() as usize;
        self.latencies.get(index.min(last)).copied()
    }

    fn merge(&mut self, other: Outcome) {
        self.accepted_alerts += other.accepted_alerts;
        self.requests += other.requests;
        self.errors += other.errors;
        self.latencies.extend(other.latencies);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.cut_short |= other.cut_short;
    }
}

struct Shared {
    client: reqwest::Client,
    endpoint: Endpoint,
    run: Run,
    scenario: Scenario,
    bounds: Bounds,
    requests: usize,
    next: AtomicUsize,
    deadline: Instant,
    progress: ProgressBar,
}

/// Runs `scenario` against `endpoint`; bounded by `bounds.alerts` and `bounds.limit`.
pub async fn run(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    run: &Run,
    scenario: Scenario,
    bounds: Bounds,
    progress: ProgressBar,
) -> Outcome {
    let per_request = scenario.per_request.max(1);
    let started = Instant::now();
    let shared = Arc::new(Shared {
        client: client.clone(),
        endpoint: endpoint.clone(),
        run: run.clone(),
        scenario,
        bounds,
        requests: bounds.alerts.div_ceil(per_request),
        next: AtomicUsize::new(0),
        deadline: started + bounds.limit,
        progress,
    });
    let mut workers = JoinSet::new();
    for _ in 0..bounds.concurrency.max(1) {
        workers.spawn(worker(shared.clone()));
    }
    let mut total = Outcome::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(outcome) => total.merge(outcome),
            Err(error) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert(format!("a worker failed: {error}"));
            }
        }
    }
    total.elapsed = started.elapsed();
    total.latencies.sort_unstable();
    shared.progress.finish_and_clear();
    total
}

async fn worker(shared: Arc<Shared>) -> Outcome {
    let mut outcome = Outcome::default();
    let mut body = String::with_capacity(512 * shared.scenario.per_request.max(1));
    let per_request = shared.scenario.per_request.max(1);
    loop {
        let request = shared.next.fetch_add(1, Ordering::Relaxed);
        if request >= shared.requests {
            break;
        }
        if Instant::now() >= shared.deadline {
            outcome.cut_short = true;
            break;
        }
        let first = request * per_request;
        let last = (first + per_request).min(shared.bounds.alerts);
        let count = (last - first) as u64;
        let cycle = shared.bounds.repeated_fingerprints.max(1) as u64;
        let repeated = shared.scenario.repeated;
        let numbers = (first as u64..last as u64).map(|n| if repeated { n % cycle } else { n });
        write_body(
            &mut body,
            shared.endpoint.format,
            &shared.run,
            shared.scenario.tag,
            numbers,
        );
        let sent = Instant::now();
        let answer = send(&shared, body.clone()).await;
        outcome.latencies.push(sent.elapsed());
        outcome.requests += 1;
        match answer {
            Ok(()) => outcome.accepted_alerts += count,
            Err(error) => {
                outcome.errors += 1;
                outcome.first_error.get_or_insert(error);
            }
        }
        shared.progress.inc(count);
    }
    outcome
}

/// Posts one body; `Err` describes a non-2xx answer or a transport failure.
async fn send(shared: &Shared, body: String) -> Result<(), String> {
    let request = match shared.endpoint.format {
        Format::HealthProbe => shared.client.get(&shared.endpoint.url),
        Format::TocsinWebhook | Format::AlertmanagerApi => shared
            .client
            .post(&shared.endpoint.url)
            .header("content-type", "application/json")
            .body(body),
    };
    let response = request
        .send()
        .await
        .map_err(|error| format!("request failed: {error}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|error| format!("reading the answer failed: {error}"))?;
    if status.is_success() {
        Ok(())
    } else {
        let excerpt: String = text.chars().take(200).collect();
        Err(format!("{status}: {excerpt}"))
    }
}
