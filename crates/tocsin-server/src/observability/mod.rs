//! Request ids, structured request logs, Prometheus metrics, problem finishing and panic capture.
pub mod layers;
pub mod metrics;
