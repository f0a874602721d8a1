//! A service's incident lifecycle settings: how long its incidents wait before resolving
//! themselves, how soon a re-trigger reopens a resolved incident, how many open alerts it may have
//! before new ones are folded into a counter, and whether its alerts join an upstream service's
//! incident. As JSON `{"stability_window_seconds": 300, "reopen_window_seconds": 600,
//! "max_open_alerts": 1000, "correlate_with_upstream": {"window_seconds": 900}}`.
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::config::Validate;
use crate::error::{Collector, FieldError, ValidationError};

/// Longest stability, reopen and correlation window: one day.
pub const MAX_WINDOW_SECONDS: u32 = 24 * 60 * 60;
/// The open-alert cap when none is set.
pub const DEFAULT_MAX_OPEN_ALERTS: u32 = 1000;
/// The largest open-alert cap accepted.
pub const MAX_OPEN_ALERTS_LIMIT: u32 = 100_000;

/// The settings; every field is optional in JSON (absent: today's behaviour, cap 1000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentLifecycle {
    /// Once all of an incident's alerts have resolved, it resolves itself after this many seconds
    /// without a new alert (0: at once).
    #[serde(default)]
    pub stability_window_seconds: u32,
    /// A re-trigger this many seconds or less after its incident resolved reopens it (0: never).
    #[serde(default)]
    pub reopen_window_seconds: u32,
    /// With this many alerts open, a new distinct trigger is counted on an incident, not stored.
    #[serde(default = "default_max_open_alerts")]
    pub max_open_alerts: u32,
    /// Join an upstream service's recent open incident instead of opening one (absent: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlate_with_upstream: Option<UpstreamCorrelation>,
}

/// Dependency-aware correlation: an upstream incident opened at most `window_seconds` ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamCorrelation {
    pub window_seconds: u32,
}

fn default_max_open_alerts() -> u32 {
    DEFAULT_MAX_OPEN_ALERTS
}

impl Default for IncidentLifecycle {
    fn default() -> Self {
        Self {
            stability_window_seconds: 0,
            reopen_window_seconds: 0,
            max_open_alerts: DEFAULT_MAX_OPEN_ALERTS,
            correlate_with_upstream: None,
        }
    }
}

/// Whether `at` is less than `seconds` after `since` (and not before it): every window here
/// includes its start and excludes its end.
pub fn within(since: Timestamp, at: Timestamp, seconds: u32) -> bool {
    let elapsed = at.duration_since(since);
    !elapsed.is_negative() && elapsed < SignedDuration::from_secs(i64::from(seconds))
}

impl IncidentLifecycle {
    /// When an incident whose last open alert resolved at `at` resolves itself; `None`: at once.
    pub fn resolve_due(&self, at: Timestamp) -> Option<Timestamp> {
        (self.stability_window_seconds > 0)
            .then(|| at + SignedDuration::from_secs(i64::from(self.stability_window_seconds)))
    }

    /// Whether a service with `open_alerts` open alerts is at its cap.
    pub fn at_cap(&self, open_alerts: u64) -> bool {
        open_alerts >= u64::from(self.max_open_alerts)
    }
}

impl Validate for IncidentLifecycle {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        let windows = [
            ("/stability_window_seconds", self.stability_window_seconds),
            ("/reopen_window_seconds", self.reopen_window_seconds),
        ];
        for (pointer, seconds) in windows {
            if seconds > MAX_WINDOW_SECONDS {
                errors.push(FieldError::new(
                    pointer,
                    format!("must be from 0 to {MAX_WINDOW_SECONDS} (one day)"),
                ));
            }
        }
        if !(1..=MAX_OPEN_ALERTS_LIMIT).contains(&self.max_open_alerts) {
            errors.push(FieldError::new(
                "/max_open_alerts",
                format!("must be from 1 to {MAX_OPEN_ALERTS_LIMIT}"),
            ));
        }
        if let Some(correlation) = self.correlate_with_upstream
            && !(1..=MAX_WINDOW_SECONDS).contains(&correlation.window_seconds)
        {
            errors.push(FieldError::new(
                "/correlate_with_upstream/window_seconds",
                format!("must be from 1 to {MAX_WINDOW_SECONDS} (one day)"),
            ));
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use serde_json::json;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    #[test]
    fn absent_fields_keep_todays_behaviour() {
        let settings: IncidentLifecycle = from_json(json!({})).expect("empty is valid");
        assert_eq!(settings, IncidentLifecycle::default());
        assert_eq!(settings.resolve_due(at(0)), None);
        assert!(!settings.at_cap(999));
        assert!(settings.at_cap(1000));
        assert_eq!(
            serde_json::to_value(&settings).expect("serialises"),
            json!({"stability_window_seconds": 0, "reopen_window_seconds": 0, "max_open_alerts": 1000})
        );
    }

    #[test]
    fn a_stability_window_delays_resolution() {
        let settings: IncidentLifecycle = from_json(json!({
            "stability_window_seconds": 300, "reopen_window_seconds": 600,
            "max_open_alerts": 5, "correlate_with_upstream": {"window_seconds": 900}
        }))
        .expect("valid");
        assert_eq!(settings.resolve_due(at(10)), Some(at(310)));
        assert_eq!(
            settings.correlate_with_upstream,
            Some(UpstreamCorrelation {
                window_seconds: 900
            })
        );
    }

    #[test]
    fn windows_include_their_start_and_exclude_their_end() {
        assert!(within(at(0), at(0), 10));
        assert!(within(at(0), at(9), 10));
        assert!(!within(at(0), at(10), 10));
        assert!(!within(at(5), at(0), 10), "before the start");
        assert!(!within(at(0), at(0), 0), "an empty window holds nothing");
    }

    #[test]
    fn bounds_and_unknown_fields_are_refused_with_pointers() {
        let error = from_json::<IncidentLifecycle>(json!({
            "stability_window_seconds": 86_401, "reopen_window_seconds": 100_000,
            "max_open_alerts": 0, "correlate_with_upstream": {"window_seconds": 0}
        }))
        .expect_err("out of bounds");
        let pointers: Vec<_> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/stability_window_seconds",
                "/reopen_window_seconds",
                "/max_open_alerts",
                "/correlate_with_upstream/window_seconds"
            ]
        );
        let typo = from_json::<IncidentLifecycle>(json!({"stability_window": 3}))
            .expect_err("unknown field");
        assert!(typo.0[0].detail.contains("unknown field"), "{typo}");
        let nested = from_json::<IncidentLifecycle>(
            json!({"correlate_with_upstream": {"window_seconds": 5, "depth": 2}}),
        )
        .expect_err("unknown nested field");
        assert!(
            nested.0[0].pointer.starts_with("/correlate_with_upstream"),
            "{nested}"
        );
        let negative =
            from_json::<IncidentLifecycle>(json!({"max_open_alerts": -1})).expect_err("negative");
        assert_eq!(negative.0[0].pointer, "/max_open_alerts");
    }
}
