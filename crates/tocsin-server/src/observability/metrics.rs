//! Prometheus metrics: one process-wide recorder, histograms with explicit buckets, rendered at
//! `/metrics` together with the store's pool gauges.
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tocsin_store::Store;

/// A handle to the process-wide Prometheus recorder.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

impl Metrics {
    /// The process-wide recorder, installed on first use (tests spawn several apps per process).
    pub fn global() -> Self {
        let handle = HANDLE.get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("tocsin_store_write_batch_size".into()),
                        BATCH_BUCKETS,
                    )
                });
            let recorder = match builder {
                Ok(builder) => builder.build_recorder(),
                Err(_) => PrometheusBuilder::new().build_recorder(),
            };
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        });
        Self {
            handle: handle.clone(),
        }
    }

    /// The Prometheus text exposition, with the pool gauges refreshed.
    pub fn render(&self, store: &Store) -> String {
        let stats = store.pool_stats();
        let backend = store.backend().as_str();
        metrics::gauge!("tocsin_store_pool_connections", "backend" => backend)
            .set(f64::from(stats.size));
        metrics::gauge!("tocsin_store_pool_idle_connections", "backend" => backend)
            .set(f64::from(stats.idle));
        metrics::gauge!("tocsin_store_write_queue_depth", "backend" => backend)
            .set(stats.write_queue as f64);
        self.handle.render()
    }
}

/// Middleware: counts requests and records latency by route template, method and status.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("tocsin_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("tocsin_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
