//! Request ids, structured request logs and Prometheus metrics.
pub mod metrics;
