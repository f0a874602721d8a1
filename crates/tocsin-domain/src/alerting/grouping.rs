//! Alert grouping: which open incident a new alert joins. Off (every alert its own incident),
//! by content (alerts with the same values of chosen fields, while alerts keep arriving within the
//! window), or by time (every alert within a window of the incident's opening).
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::FieldMap;
use super::config::{Validate, check_names};
use crate::error::{Collector, FieldError, ValidationError};

/// Longest grouping window and group wait: one day.
pub const MAX_WINDOW_SECONDS: u32 = 24 * 60 * 60;

/// The key of every alert under [`GroupingPolicy::TimeWindow`].
pub const TIME_WINDOW_KEY: &str = "time_window";

/// How a service groups its alerts into incidents, as JSON `{"type": "content", "fields": [...],
/// "window_seconds": 300}`. Unknown fields are refused (serde cannot refuse them for `off`, which
/// has no fields to misspell).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum GroupingPolicy {
    /// Every alert opens its own incident.
    #[default]
    Off,
    /// Alerts with equal values of `fields` join the same incident while the last alert of that
    /// incident is at most `window_seconds` old.
    Content {
        fields: Vec<String>,
        window_seconds: u32,
        /// Seconds to wait after the first alert before notifying, so a burst pages once.
        #[serde(default)]
        group_wait_seconds: Option<u32>,
    },
    /// Every alert joins the open incident opened at most `window_seconds` ago.
    TimeWindow {
        window_seconds: u32,
        #[serde(default)]
        group_wait_seconds: Option<u32>,
    },
}

/// The incident a new alert might join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCandidate {
    pub opened_at: Timestamp,
    pub last_alert_at: Timestamp,
}

impl GroupingPolicy {
    pub fn group_wait_seconds(&self) -> Option<u32> {
        match self {
            GroupingPolicy::Off => None,
            GroupingPolicy::Content {
                group_wait_seconds, ..
            }
            | GroupingPolicy::TimeWindow {
                group_wait_seconds, ..
            } => *group_wait_seconds,
        }
    }

    /// The key alerts are grouped under, or `None` when grouping is off. A rule's explicit
    /// grouping key wins when grouping is on. A content key lists the chosen fields in the
    /// policy's order as `name=value` joined by commas (`alertname=DiskFull,cluster=eu`), with
    /// `\`, `,` and `=` escaped by a backslash so distinct values never give the same key.
    pub fn grouping_key(&self, fields: &FieldMap, explicit: Option<&str>) -> Option<String> {
        match (self, explicit) {
            (GroupingPolicy::Off, _) => None,
            (_, Some(explicit)) => Some(explicit.to_string()),
            (GroupingPolicy::Content { fields: names, .. }, None) => Some(
                names
                    .iter()
                    .map(|name| format!("{}={}", escape(name), escape(fields.get(name))))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (GroupingPolicy::TimeWindow { .. }, None) => Some(TIME_WINDOW_KEY.to_string()),
        }
    }

    /// Whether an alert arriving at `at` joins `candidate` (an open incident under the same key):
    /// by content, while `at - last_alert_at` is within the window; by time, while `at -
    /// opened_at` is. The window end is exclusive; never when grouping is off.
    pub fn should_join(&self, candidate: GroupCandidate, at: Timestamp) -> bool {
        let (since, window_seconds) = match self {
            GroupingPolicy::Off => return false,
            GroupingPolicy::Content { window_seconds, .. } => {
                (candidate.last_alert_at, *window_seconds)
            }
            GroupingPolicy::TimeWindow { window_seconds, .. } => {
                (candidate.opened_at, *window_seconds)
            }
        };
        at.duration_since(since) < SignedDuration::from_secs(i64::from(window_seconds))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Validate for GroupingPolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        let window_error = || {
            FieldError::new(
                "/window_seconds",
                format!("must be from 1 to {MAX_WINDOW_SECONDS} (one day)"),
            )
        };
        match self {
            GroupingPolicy::Off => {}
            GroupingPolicy::Content {
                fields,
                window_seconds,
                ..
            } => {
                if fields.is_empty() {
                    errors.push(FieldError::new("/fields", "at least one field is required"));
                }
                check_names(&mut errors, "/fields", fields, "field name");
                if !(1..=MAX_WINDOW_SECONDS).contains(window_seconds) {
                    errors.push(window_error());
                }
            }
            GroupingPolicy::TimeWindow { window_seconds, .. } => {
                if !(1..=MAX_WINDOW_SECONDS).contains(window_seconds) {
                    errors.push(window_error());
                }
            }
        }
        if self
            .group_wait_seconds()
            .is_some_and(|wait| wait > MAX_WINDOW_SECONDS)
        {
            errors.push(FieldError::new(
                "/group_wait_seconds",
                format!("must be at most {MAX_WINDOW_SECONDS} (one day)"),
            ));
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use proptest::prelude::*;
    use serde_json::json;

    fn alert(pairs: &[(&str, &str)]) -> FieldMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn content(fields: &[&str]) -> GroupingPolicy {
        GroupingPolicy::Content {
            fields: fields.iter().map(ToString::to_string).collect(),
            window_seconds: 300,
            group_wait_seconds: None,
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    #[test]
    fn keys_per_policy() {
        let disk = alert(&[("alertname", "DiskFull"), ("cluster", "eu"), ("host", "a")]);
        let policy = content(&["alertname", "cluster"]);
        assert_eq!(
            policy.grouping_key(&disk, None).as_deref(),
            Some("alertname=DiskFull,cluster=eu")
        );
        assert_eq!(
            policy.grouping_key(&disk, Some("from-rule")).as_deref(),
            Some("from-rule")
        );
        assert_eq!(
            content(&["missing"]).grouping_key(&disk, None).as_deref(),
            Some("missing=")
        );
        let tricky = alert(&[("a", "x,b=y")]);
        assert_eq!(
            content(&["a", "b"]).grouping_key(&tricky, None).as_deref(),
            Some(r"a=x\,b\=y,b="),
            "separators in values are escaped"
        );
        assert_eq!(GroupingPolicy::Off.grouping_key(&disk, Some("k")), None);
        let by_time = GroupingPolicy::TimeWindow {
            window_seconds: 60,
            group_wait_seconds: Some(10),
        };
        assert_eq!(
            by_time.grouping_key(&disk, None).as_deref(),
            Some(TIME_WINDOW_KEY)
        );
        assert_eq!(by_time.group_wait_seconds(), Some(10));
    }

    #[test]
    fn joining_uses_the_last_alert_for_content_and_the_opening_for_time() {
        let candidate = GroupCandidate {
            opened_at: at(0),
            last_alert_at: at(250),
        };
        let by_content = content(&["alertname"]);
        assert!(by_content.should_join(candidate, at(549)));
        assert!(
            !by_content.should_join(candidate, at(550)),
            "window end is exclusive"
        );
        let by_time = GroupingPolicy::TimeWindow {
            window_seconds: 300,
            group_wait_seconds: None,
        };
        assert!(by_time.should_join(candidate, at(299)));
        assert!(!by_time.should_join(candidate, at(300)));
        assert!(!GroupingPolicy::Off.should_join(candidate, at(1)));
    }

    #[test]
    fn validation_with_pointers() {
        let error = from_json::<GroupingPolicy>(json!({
            "type": "content", "fields": ["cluster", "cluster"], "window_seconds": 0,
            "group_wait_seconds": 100000
        }))
        .expect_err("invalid");
        let pointers: Vec<_> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/fields/1", "/window_seconds", "/group_wait_seconds"]
        );
        let off: GroupingPolicy = from_json(json!({"type": "off"})).expect("off");
        assert_eq!(off, GroupingPolicy::Off);
        let typo = from_json::<GroupingPolicy>(json!({"type": "time_window", "window": 3}))
            .expect_err("unknown field");
        assert!(typo.0[0].detail.contains("unknown field"), "{typo}");
    }

    proptest! {
        #[test]
        fn content_keys_are_equal_iff_the_chosen_values_are(
            first in prop::collection::vec(r"[a,=\\]{0,3}", 2),
            second in prop::collection::vec(r"[a,=\\]{0,3}", 2),
            noise in "[a-z]{0,3}",
        ) {
            let policy = content(&["alertname", "cluster"]);
            let make = |values: &[String], host: &str| alert(&[
                ("alertname", values[0].as_str()),
                ("cluster", values[1].as_str()),
                ("host", host),
            ]);
            let left = policy.grouping_key(&make(&first, "h1"), None);
            let right = policy.grouping_key(&make(&second, &noise), None);
            prop_assert_eq!(left == right, first == second);
        }
    }
}
