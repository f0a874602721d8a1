//! Alert-to-page latency: alerts sent one at a time, each timed from just before its request to
//! the instant the sink received the notification naming it, optionally while background load
//! of alerts that page nobody runs against the same server. Bounded in count and time.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::sink::LatencySink;

/// How long one notification may take before it counts as lost.
const ARRIVAL_LIMIT: Duration = Duration::from_secs(10);

/// Where alerts go and how each system wants them.
#[derive(Debug, Clone)]
pub enum Target {
    /// Tocsin's PagerDuty Events v2 endpoint and a service's routing key.
    Tocsin {
        enqueue_url: String,
        routing_key: String,
    },
    /// Alertmanager's `POST /api/v2/alerts`; `alertname` picks the route.
    Alertmanager {
        alerts_url: String,
        alertname: &'static str,
    },
}

impl Target {
    /// The request that sends one alert keyed `key`.
    pub fn request(&self, client: &reqwest::Client, key: &str) -> reqwest::RequestBuilder {
        match self {
            Target::Tocsin {
                enqueue_url,
                routing_key,
            } => client.post(enqueue_url).json(&json!({
                "routing_key": routing_key,
                "event_action": "trigger",
                "dedup_key": key,
                "payload": { "summary": key, "source": "paging-bench", "severity": "critical" },
            })),
            Target::Alertmanager {
                alerts_url,
                alertname,
            } => {
                let body: Value = json!([{
                    "labels": { "alertname": alertname, "seq": key },
                    "annotations": { "summary": key },
                    "startsAt": jiff::Timestamp::now().to_string(),
                }]);
                client.post(alerts_url).json(&body)
            }
        }
    }
}

/// What one latency run measured.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    /// Sorted.
    pub measured: Vec<Duration>,
    pub errors: usize,
    pub lost: usize,
    pub first_error: Option<String>,
    /// Alerts the background load got accepted meanwhile, per second.
    pub background_per_second: Option<f64>,
}

impl Latencies {
    /// The latency at quantile `q` (0..=1).
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let last = self.measured.len().checked_sub(1)?;
        let index = ((last as f64) * q).round() as usize;
        self.measured.get(index.min(last)).copied()
    }
}

/// Sends `alerts` alerts to `target` one after another (stopping at `limit`) and times each to
/// its notification.
pub async fn measure(
    client: &reqwest::Client,
    sink: &LatencySink,
    target: &Target,
    tag: &str,
    alerts: usize,
    limit: Duration,
    bar: ProgressBar,
) -> Latencies {
    let deadline = Instant::now() + limit;
    let mut run = Latencies::default();
    for index in 0..alerts {
        if Instant::now() >= deadline {
            break;
        }
        let key = format!("{tag}-{index}");
        let arrival = sink.expect(&key);
        let sent = Instant::now();
        match target.request(client, &key).send().await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                run.errors += 1;
                run.first_error
                    .get_or_insert_with(|| format!("answered {}", response.status()));
                sink.forget(&key);
                bar.inc(1);
                continue;
            }
            Err(error) => {
                run.errors += 1;
                run.first_error.get_or_insert_with(|| error.to_string());
                sink.forget(&key);
                bar.inc(1);
                continue;
            }
        }
        match tokio::time::timeout(ARRIVAL_LIMIT, arrival).await {
            Ok(Ok(at)) => run.measured.push(at.saturating_duration_since(sent)),
            _ => {
                run.lost += 1;
                sink.forget(&key);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    run.measured.sort_unstable();
    run
}

/// Load that pages nobody, running until `stop` changes: `concurrency` senders of distinct
/// alerts. Answers how many alerts were accepted.
pub fn background(
    client: &reqwest::Client,
    target: Target,
    concurrency: usize,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<u64> {
    let accepted = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let client = client.clone();
    tokio::spawn(async move {
        let mut senders = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (client, target, accepted, next) = (
                client.clone(),
                target.clone(),
                accepted.clone(),
                next.clone(),
            );
            let stop = stop.clone();
            senders.spawn(async move {
                while !*stop.borrow() {
                    let key = format!("background-{}", next.fetch_add(1, Ordering::Relaxed));
                    if let Ok(response) = target.request(&client, &key).send().await
                        && response.status().is_success()
                    {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        while senders.join_next().await.is_some() {}
        accepted.load(Ordering::Relaxed)
    })
}

/// Runs `measure` while `background` load runs; fills in the background rate.
#[allow(clippy::too_many_arguments)]
pub async fn measure_under_load(
    client: &reqwest::Client,
    sink: &LatencySink,
    target: &Target,
    load: Target,
    concurrency: usize,
    tag: &str,
    alerts: usize,
    limit: Duration,
    bar: ProgressBar,
) -> Latencies {
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let load = background(client, load, concurrency, stopped);
    // Let the load reach its pace before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut run = measure(client, sink, target, tag, alerts, limit, bar).await;
    let _ = stop.send(true);
    let accepted = load.await.unwrap_or(0);
    let seconds = started.elapsed().as_secs_f64();
    run.background_per_second = (seconds > 0.0).then(|| accepted as f64 / seconds);
    run
}
