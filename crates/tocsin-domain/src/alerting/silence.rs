//! Silences: a set of matchers and a time range; while active, matching alerts are held back
//! (stored as suppressed, not notified), as in Alertmanager.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::Validate;
use super::{FieldMap, Matchers};
use crate::error::{Collector, FieldError, ValidationError};

/// Most characters in a silence comment.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// A silence as users define it. Field names are snake_case; Alertmanager's camelCase
/// (`startsAt`, `endsAt`, `createdBy`) are accepted too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Silence {
    pub matchers: Matchers,
    #[serde(alias = "startsAt")]
    pub starts_at: Timestamp,
    #[serde(alias = "endsAt")]
    pub ends_at: Timestamp,
    #[serde(alias = "createdBy")]
    pub created_by: String,
    pub comment: String,
}

/// Where a silence is in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    /// Starts later.
    Pending,
    /// In force: `starts_at <= at < ends_at`.
    Active,
    /// Over.
    Expired,
}

impl Silence {
    /// The state at `at`: the start is inclusive, the end exclusive.
    pub fn state(&self, at: Timestamp) -> SilenceState {
        if at < self.starts_at {
            SilenceState::Pending
        } else if at < self.ends_at {
            SilenceState::Active
        } else {
            SilenceState::Expired
        }
    }

    /// Whether the silence holds back an alert with these fields at `at`.
    pub fn suppresses(&self, fields: &FieldMap, at: Timestamp) -> bool {
        self.state(at) == SilenceState::Active && self.matchers.matches_all(fields)
    }
}

impl Validate for Silence {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.matchers.is_empty() {
            errors.push(FieldError::new(
                "/matchers",
                "at least one matcher is required",
            ));
        } else if self.matchers.iter().all(|matcher| matcher.matches_empty()) {
            errors.push(FieldError::new(
                "/matchers",
                "at least one matcher must not match the empty string, or the silence would match every alert",
            ));
        }
        if self.ends_at <= self.starts_at {
            errors.push(FieldError::new("/ends_at", "must be after starts_at"));
        }
        if self.created_by.trim().is_empty() {
            errors.push(FieldError::new("/created_by", "must not be empty"));
        }
        if self.comment.trim().is_empty() {
            errors.push(FieldError::new("/comment", "must not be empty"));
        } else if self.comment.chars().count() > MAX_COMMENT_CHARS {
            errors.push(FieldError::new(
                "/comment",
                format!("must be at most {MAX_COMMENT_CHARS} characters"),
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

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn silence(matchers: &str) -> Silence {
        Silence {
            matchers: Matchers::parse(matchers).expect("matchers"),
            starts_at: ts("2026-05-01T10:00:00Z"),
            ends_at: ts("2026-05-01T12:00:00Z"),
            created_by: "ana".into(),
            comment: "db migration".into(),
        }
    }

    fn alert(service: &str) -> FieldMap {
        [("service".to_string(), service.to_string())]
            .into_iter()
            .collect()
    }

    #[test]
    fn start_is_inclusive_and_end_exclusive() {
        let silence = silence(r#"{service="db"}"#);
        let just_before = ts("2026-05-01T09:59:59.999999999Z");
        assert_eq!(silence.state(just_before), SilenceState::Pending);
        assert_eq!(silence.state(silence.starts_at), SilenceState::Active);
        assert_eq!(
            silence.state(ts("2026-05-01T11:59:59.999999999Z")),
            SilenceState::Active
        );
        assert_eq!(silence.state(silence.ends_at), SilenceState::Expired);
        assert!(!silence.suppresses(&alert("db"), just_before));
        assert!(silence.suppresses(&alert("db"), silence.starts_at));
        assert!(!silence.suppresses(&alert("db"), silence.ends_at));
    }

    #[test]
    fn only_matching_alerts_are_suppressed() {
        let silence = silence(r#"{service=~"db|cache", env!="dev"}"#);
        let at = ts("2026-05-01T11:00:00Z");
        assert!(silence.suppresses(&alert("cache"), at));
        assert!(!silence.suppresses(&alert("web"), at));
        let mut dev = alert("db");
        dev.insert("env", "dev");
        assert!(!silence.suppresses(&dev, at));
    }

    #[test]
    fn validation_refuses_silences_that_match_everything_or_have_no_time() {
        assert!(silence(r#"{service="db"}"#).validate().is_ok());
        assert!(silence(r#"{service="db", team=~".*"}"#).validate().is_ok());
        let everything = silence(r#"{service=~".*", env!="prod"}"#)
            .validate()
            .expect_err("both match the empty string");
        assert_eq!(everything.0[0].pointer, "/matchers");
        let mut broken = silence("{}");
        broken.ends_at = broken.starts_at;
        broken.created_by = " ".into();
        broken.comment = String::new();
        let pointers: Vec<_> = broken
            .validate()
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|error| error.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/matchers", "/ends_at", "/created_by", "/comment"]
        );
    }

    #[test]
    fn json_input_accepts_alertmanager_shapes_and_points_at_errors() {
        let parsed: Silence = from_json(json!({
            "matchers": [{"name": "service", "value": "db", "isRegex": false}, "env=~\"prod|staging\""],
            "startsAt": "2026-05-01T10:00:00Z",
            "endsAt": "2026-05-01T12:00:00Z",
            "createdBy": "ana",
            "comment": "maintenance"
        }))
        .expect("valid");
        assert_eq!(parsed.matchers.len(), 2);
        let bad_regex = from_json::<Silence>(json!({
            "matchers": ["service=db", "env=~\"(\""],
            "starts_at": "2026-05-01T10:00:00Z",
            "ends_at": "2026-05-01T12:00:00Z",
            "created_by": "ana",
            "comment": "x"
        }))
        .expect_err("invalid regex");
        assert_eq!(bad_regex.0[0].pointer, "/matchers/1");
        assert!(bad_regex.0[0].detail.contains("invalid regex"));
        let unknown = from_json::<Silence>(json!({
            "matchers": "service=db",
            "starts_at": "2026-05-01T10:00:00Z",
            "ends_at": "2026-05-01T12:00:00Z",
            "created_by": "ana",
            "comment": "x",
            "id": "s1"
        }))
        .expect_err("unknown field");
        assert!(unknown.0[0].detail.contains("unknown field"));
    }
}
