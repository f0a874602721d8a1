//! Evidence on an incident (user action logs, session replays, log excerpts, files): what a new
//! item must carry, and the preservation hold an urgent incident places on its evidence.
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::resolution::{optional_text, required_text};
use crate::ValidationError;
use crate::alerting::Validate;
use crate::error::{Collector, FieldError};
use crate::priority::Priority;

/// Largest content of one item, in bytes (after base64 decoding for files).
pub const MAX_CONTENT_BYTES: usize = 1024 * 1024;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest source, media type or URL, in characters.
pub const MAX_SOURCE: usize = 500;
pub const MAX_URL: usize = 2000;
pub const MAX_MEDIA_TYPE: usize = 200;
/// Longest note of the personal data held, in characters.
pub const MAX_PERSONAL_DATA_NOTE: usize = 2000;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    UserActionLog,
    SessionReplay,
    LogExcerpt,
    File,
    Other,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [
        EvidenceKind::UserActionLog,
        EvidenceKind::SessionReplay,
        EvidenceKind::LogExcerpt,
        EvidenceKind::File,
        EvidenceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::UserActionLog => "user_action_log",
            EvidenceKind::SessionReplay => "session_replay",
            EvidenceKind::LogExcerpt => "log_excerpt",
            EvidenceKind::File => "file",
            EvidenceKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<EvidenceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How sensitive an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClassification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl DataClassification {
    pub const ALL: [DataClassification; 4] = [
        DataClassification::Public,
        DataClassification::Internal,
        DataClassification::Confidential,
        DataClassification::Restricted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataClassification::Public => "public",
            DataClassification::Internal => "internal",
            DataClassification::Confidential => "confidential",
            DataClassification::Restricted => "restricted",
        }
    }

    pub fn parse(text: &str) -> Option<DataClassification> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Confidential and restricted items must say what personal data they hold.
    pub fn needs_personal_data_note(self) -> bool {
        matches!(
            self,
            DataClassification::Confidential | DataClassification::Restricted
        )
    }
}

/// A new item as sent, its content already decoded.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub title: String,
    pub source: String,
    pub url: Option<String>,
    pub content: Option<Vec<u8>>,
    pub media_type: Option<String>,
    pub classification: DataClassification,
    pub personal_data_note: Option<String>,
}

/// The item cleaned (texts trimmed, blanks as none), or every field at fault. Session replays need
/// an https link; any other URL must be http or https. Content size is checked by the caller
/// (it answers 413).
pub fn validate(item: NewEvidence) -> Result<NewEvidence, ValidationError> {
    let mut errors = Collector::default();
    let title = collect(&mut errors, required_text("/title", &item.title, MAX_TITLE));
    let source = collect(
        &mut errors,
        required_text("/source", &item.source, MAX_SOURCE),
    );
    let url = collect(
        &mut errors,
        optional_text("/url", item.url.as_deref(), MAX_URL),
    )
    .flatten();
    let https_only = item.kind == EvidenceKind::SessionReplay;
    match &url {
        None if https_only => errors.push(FieldError::new(
            "/url",
            "a session replay needs its https link (FullStory, LogRocket ...)",
        )),
        Some(link) => {
            let scheme = url::Url::parse(link)
                .ok()
                .filter(|u| u.host_str().is_some())
                .map(|u| u.scheme().to_owned());
            match scheme.as_deref() {
                Some("https") => {}
                Some("http") if !https_only => {}
                _ if https_only => errors.push(FieldError::new("/url", "must be an https URL")),
                _ => errors.push(FieldError::new("/url", "must be an http or https URL")),
            }
        }
        None => {}
    }
    if url.is_none() && item.content.is_none() && !https_only && item.kind != EvidenceKind::Other {
        errors.push(FieldError::new("/content", "send the content or a url"));
    }
    let media_type = collect(
        &mut errors,
        optional_text("/media_type", item.media_type.as_deref(), MAX_MEDIA_TYPE),
    )
    .flatten();
    if let Some(media) = &media_type
        && (!media.contains('/') || media.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        errors.push(FieldError::new(
            "/media_type",
            "must be a media type such as text/plain",
        ));
    }
    let note = collect(
        &mut errors,
        optional_text(
            "/personal_data_note",
            item.personal_data_note.as_deref(),
            MAX_PERSONAL_DATA_NOTE,
        ),
    )
    .flatten();
    if note.is_none() && item.classification.needs_personal_data_note() {
        errors.push(FieldError::new(
            "/personal_data_note",
            format!(
                "{} evidence must say what personal data it holds (or \"none\")",
                item.classification.as_str()
            ),
        ));
    }
    errors.finish()?;
    Ok(NewEvidence {
        title: title.unwrap_or_default(),
        source: source.unwrap_or_default(),
        url,
        media_type,
        personal_data_note: note,
        ..item
    })
}

/// The SHA-256 of an item's content, hex: it identifies the exact bytes in the chain of custody.
pub fn digest(content: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(content))
}

fn collect<T>(errors: &mut Collector, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// The organisation's preservation policy: evidence of incidents that are (or were) of one of
/// `hold_priorities` is kept for `hold_days` after the incident resolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoldPolicy {
    pub hold_days: u32,
    pub hold_priorities: Vec<Priority>,
}

/// Longest hold, in days (ten years).
pub const MAX_HOLD_DAYS: u32 = 3660;

impl Default for HoldPolicy {
    fn default() -> Self {
        Self {
            hold_days: 365,
            hold_priorities: vec![Priority::P1, Priority::P2],
        }
    }
}

impl Validate for HoldPolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.hold_days > MAX_HOLD_DAYS {
            return Err(ValidationError::field(
                "/hold_days",
                format!("at most {MAX_HOLD_DAYS} days"),
            ));
        }
        Ok(())
    }
}

impl HoldPolicy {
    /// Whether an incident of `priority` places a hold.
    pub fn holds(&self, priority: Priority) -> bool {
        self.hold_priorities.contains(&priority)
    }
}

/// Until when the incident's evidence is held: when any priority it had while it held evidence is
/// one of the policy's, until it ended (`ended_at`; `now` while it is still open) plus the hold
/// period. `None`: no hold.
pub fn held_until(
    priorities_seen: &[Priority],
    ended_at: Option<Timestamp>,
    policy: &HoldPolicy,
    now: Timestamp,
) -> Option<Timestamp> {
    if !priorities_seen.iter().any(|p| policy.holds(*p)) {
        return None;
    }
    let days = SignedDuration::from_hours(24 * i64::from(policy.hold_days));
    ended_at.unwrap_or(now).checked_add(days).ok()
}

/// Whether a hold until `until` is still in force at `now`.
pub fn hold_in_force(until: Option<Timestamp>, now: Timestamp) -> bool {
    until.is_some_and(|until| now < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn item(kind: EvidenceKind, classification: DataClassification) -> NewEvidence {
        NewEvidence {
            kind,
            title: " Checkout log ".into(),
            source: "loki, prod-eu".into(),
            url: None,
            content: Some(b"500 on /pay".to_vec()),
            media_type: Some("text/plain".into()),
            classification,
            personal_data_note: None,
        }
    }

    fn pointers(error: ValidationError) -> Vec<String> {
        error.0.into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn names_round_trip() {
        for kind in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse(kind.as_str()), Some(kind));
        }
        for class in DataClassification::ALL {
            assert_eq!(DataClassification::parse(class.as_str()), Some(class));
        }
    }

    #[test]
    fn a_plain_excerpt_is_cleaned() {
        let ok =
            validate(item(EvidenceKind::LogExcerpt, DataClassification::Internal)).expect("valid");
        assert_eq!(ok.title, "Checkout log");
    }

    #[test]
    fn confidential_and_restricted_items_say_what_personal_data_they_hold() {
        for class in [
            DataClassification::Confidential,
            DataClassification::Restricted,
        ] {
            let refused = validate(item(EvidenceKind::LogExcerpt, class)).expect_err("note");
            assert_eq!(pointers(refused), ["/personal_data_note"]);
            let noted = NewEvidence {
                personal_data_note: Some("customer emails".into()),
                ..item(EvidenceKind::LogExcerpt, class)
            };
            assert!(validate(noted).is_ok());
        }
    }

    #[test]
    fn session_replays_need_an_https_link_and_every_field_is_reported() {
        let mut replay = item(EvidenceKind::SessionReplay, DataClassification::Internal);
        replay.content = None;
        assert_eq!(
            pointers(validate(replay.clone()).expect_err("no url")),
            ["/url"]
        );
        replay.url = Some("http://app.fullstory.com/s/1".into());
        assert_eq!(
            pointers(validate(replay.clone()).expect_err("http")),
            ["/url"]
        );
        replay.url = Some("https://app.logrocket.com/s/1".into());
        assert!(validate(replay.clone()).is_ok());
        replay.title = " ".into();
        replay.source = String::new();
        replay.media_type = Some("not a type".into());
        assert_eq!(
            pointers(validate(replay).expect_err("many")),
            ["/title", "/source", "/media_type"]
        );
    }

    #[test]
    fn the_hold_runs_from_resolution_or_now_for_the_policy_period() {
        let policy = HoldPolicy::default();
        let now = at("2026-11-28T10:00:00Z");
        let resolved = at("2026-11-01T00:00:00Z");
        assert_eq!(
            held_until(&[Priority::P3, Priority::P2], Some(resolved), &policy, now),
            Some(at("2027-11-01T00:00:00Z"))
        );
        assert_eq!(
            held_until(&[Priority::P1], None, &policy, now),
            Some(at("2027-11-28T10:00:00Z"))
        );
        assert_eq!(
            held_until(&[Priority::P3], Some(resolved), &policy, now),
            None
        );
        assert_eq!(held_until(&[], None, &policy, now), None);
        let custom = HoldPolicy {
            hold_days: 30,
            hold_priorities: vec![Priority::P3],
        };
        let until = held_until(&[Priority::P3], Some(resolved), &custom, now);
        assert_eq!(until, Some(at("2026-12-01T00:00:00Z")));
        assert!(hold_in_force(until, now));
        assert!(!hold_in_force(until, at("2026-12-01T00:00:00Z")));
        assert!(!hold_in_force(None, now));
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_bytes() {
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_policy_is_bounded() {
        assert!(HoldPolicy::default().validate().is_ok());
        let long = HoldPolicy {
            hold_days: MAX_HOLD_DAYS + 1,
            ..HoldPolicy::default()
        };
        assert!(long.validate().is_err());
    }
}
