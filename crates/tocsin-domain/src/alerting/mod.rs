//! Alerting rules: what an alert is made of, and the pure decisions taken on it (severity, the
//! normalised field map rules and silences match against, deduplication).
pub mod dedup;
pub mod fields;
pub mod severity;

pub use fields::FieldMap;
pub use severity::Severity;
