//! Declaring an incident by hand: the declaration as a user sends it, checked field by field so
//! every problem is named at once.
use jiff::Timestamp;

use super::visibility::{self, Visibility};
use crate::alerting::severity::Severity;
use crate::error::{Collector, FieldError, ValidationError};

pub const MAX_TITLE_CHARS: usize = 255;
pub const MAX_SUMMARY_CHARS: usize = 20_000;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 64;
pub const MAX_TYPE_CHARS: usize = 64;

/// A checked title: trimmed, 1 to 255 characters.
pub fn parse_title(raw: &str) -> Result<String, String> {
    let title = raw.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("must be 1 to {MAX_TITLE_CHARS} characters"));
    }
    Ok(title.to_owned())
}

pub fn parse_summary(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_SUMMARY_CHARS {
        return Err(format!("must be at most {MAX_SUMMARY_CHARS} characters"));
    }
    Ok(raw.trim().to_owned())
}

/// An incident type: a lowercase slug such as `outage`, `security` or `hr`.
pub fn parse_type(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_TYPE_CHARS
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "must be 1 to {MAX_TYPE_CHARS} lowercase letters, digits, '_' or '-', starting with a letter"
        ))
    }
}

/// Tags: each 1 to 64 printable characters without spaces, at most 50, kept once each in order.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.len() > MAX_TAGS {
        return Err(FieldError::new("", format!("at most {MAX_TAGS} tags")));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let tag = tag.trim();
        let ok = !tag.is_empty()
            && tag.chars().count() <= MAX_TAG_CHARS
            && !tag.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(FieldError::new(
                format!("/{i}"),
                format!("must be 1 to {MAX_TAG_CHARS} characters without spaces"),
            ));
        }
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    Ok(tags)
}

/// A declaration as sent.
#[derive(Debug, Clone, Default)]
pub struct RawDeclaration {
    pub title: String,
    pub summary: Option<String>,
    pub severity: Option<String>,
    pub incident_type: Option<String>,
    pub visibility: Option<String>,
    pub tags: Vec<String>,
    pub impact_started_at: Option<Timestamp>,
}

/// A checked declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub incident_type: String,
    pub visibility: Visibility,
    pub tags: Vec<String>,
    pub impact_started_at: Option<Timestamp>,
}

impl RawDeclaration {
    /// Checks every field against `now` (impact cannot start in the future).
    pub fn check(self, now: Timestamp) -> Result<Declaration, ValidationError> {
        let mut errors = Collector::default();
        let title = errors.take("/title", parse_title(&self.title));
        let summary = errors.take(
            "/summary",
            parse_summary(self.summary.as_deref().unwrap_or("")),
        );
        let severity = errors.take(
            "/severity",
            self.severity
                .as_deref()
                .unwrap_or("critical")
                .parse::<Severity>()
                .map_err(|_| "must be critical, error, warning or info"),
        );
        let incident_type = errors.take(
            "/incident_type",
            parse_type(self.incident_type.as_deref().unwrap_or("default")),
        );
        let visibility = match self.visibility.as_deref() {
            None => Some(None),
            Some(text) => errors
                .take(
                    "/visibility",
                    Visibility::parse(text).ok_or("must be normal or restricted"),
                )
                .map(Some),
        };
        let tags = match parse_tags(&self.tags) {
            Ok(tags) => Some(tags),
            Err(error) => {
                errors.push(error.under("/tags"));
                None
            }
        };
        if self.impact_started_at.is_some_and(|at| at > now) {
            errors.push(FieldError::new(
                "/impact_started_at",
                "cannot be in the future",
            ));
        }
        errors.finish()?;
        let (
            Some(title),
            Some(summary),
            Some(severity),
            Some(incident_type),
            Some(visibility),
            Some(tags),
        ) = (title, summary, severity, incident_type, visibility, tags)
        else {
            return Err(ValidationError::field("", "invalid declaration"));
        };
        let visibility = visibility.unwrap_or_else(|| visibility::default_for(&incident_type));
        Ok(Declaration {
            title,
            summary,
            severity,
            incident_type,
            visibility,
            tags,
            impact_started_at: self.impact_started_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("in range")
    }

    #[test]
    fn a_minimal_declaration_gets_the_defaults() {
        let declared = RawDeclaration {
            title: "  Checkout is down ".into(),
            ..Default::default()
        }
        .check(now())
        .expect("valid");
        assert_eq!(declared.title, "Checkout is down");
        assert_eq!(declared.severity, Severity::Critical);
        assert_eq!(declared.incident_type, "default");
        assert_eq!(declared.visibility, Visibility::Normal);
    }

    #[test]
    fn a_security_case_is_restricted_unless_asked_otherwise() {
        let raw = RawDeclaration {
            title: "Leaked token".into(),
            incident_type: Some("security".into()),
            ..Default::default()
        };
        assert_eq!(
            raw.clone().check(now()).expect("valid").visibility,
            Visibility::Restricted
        );
        let open = RawDeclaration {
            visibility: Some("normal".into()),
            ..raw
        };
        assert_eq!(
            open.check(now()).expect("valid").visibility,
            Visibility::Normal
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let error = RawDeclaration {
            title: " ".into(),
            severity: Some("urgent".into()),
            incident_type: Some("Security Breach".into()),
            visibility: Some("secret".into()),
            tags: vec!["ok".into(), "has space".into()],
            impact_started_at: Some(now() + jiff::SignedDuration::from_secs(60)),
            ..Default::default()
        }
        .check(now())
        .expect_err("refused");
        let pointers: Vec<&str> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/title",
                "/severity",
                "/incident_type",
                "/visibility",
                "/tags/1",
                "/impact_started_at"
            ]
        );
    }

    #[test]
    fn tags_are_kept_once_in_order_and_bounded() {
        assert_eq!(
            parse_tags(&["b".into(), "a".into(), "b".into()]).expect("valid"),
            ["b", "a"]
        );
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(parse_tags(&many).is_err());
        assert!(parse_title(&"x".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }
}
