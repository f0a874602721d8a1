//! Alerting rules: what an alert is made of, and the pure decisions taken on it (severity, the
//! normalised field map rules and silences match against, deduplication, matchers, silences,
//! maintenance windows, inhibition, event rules, thresholds, flap detection, transient pauses,
//! grouping, and the incident lifecycle: where a paging alert goes and when its incident resolves).
pub mod config;
pub mod dedup;
pub mod fields;
pub mod flap;
pub mod grouping;
pub mod heartbeat;
pub mod hold;
pub mod inhibit;
pub mod lifecycle;
pub mod maintenance;
pub mod matcher;
pub mod noise;
pub mod placement;
pub mod rules;
pub mod severity;
pub mod silence;
pub mod threshold;
pub mod upstream;
pub mod verdict;

pub use config::{Validate, from_json};
pub use fields::FieldMap;
pub use matcher::{MatchOp, Matcher, Matchers};
pub use severity::Severity;
