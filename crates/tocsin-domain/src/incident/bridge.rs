//! An incident's bridge (the conference call responders join) and its meeting cadence: the
//! checks on what may be set and when the next checkpoint is.
use jiff::{SignedDuration, Timestamp};

use crate::error::FieldError;

/// Longest bridge URL, in characters.
pub const MAX_URL: usize = 2000;
/// Shortest and longest meeting cadence, in minutes.
pub const CADENCE_MINUTES: std::ops::RangeInclusive<u32> = 5..=1440;

/// A bridge URL: absolute http or https with a host, at most `MAX_URL` characters.
pub fn bridge_url(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.chars().count() > MAX_URL {
        return Err(FieldError::new(
            "/url",
            format!("at most {MAX_URL} characters"),
        ));
    }
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Ok(text.to_owned())
        }
        _ => Err(FieldError::new("/url", "must be an http or https URL")),
    }
}

/// A meeting cadence in minutes, within `CADENCE_MINUTES`.
pub fn cadence(minutes: u32) -> Result<u32, FieldError> {
    if CADENCE_MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::new(
            "/meeting_cadence_minutes",
            format!(
                "must be between {} and {} minutes",
                CADENCE_MINUTES.start(),
                CADENCE_MINUTES.end()
            ),
        ))
    }
}

/// The first checkpoint when none is given: one cadence from now (none without a cadence).
pub fn default_first_checkpoint(cadence_minutes: Option<u32>, now: Timestamp) -> Option<Timestamp> {
    cadence_minutes.map(|minutes| now + SignedDuration::from_mins(i64::from(minutes)))
}

/// The next checkpoint at or after `now`: the first one while it is ahead, then every
/// `cadence_minutes` after it; without a cadence, the first one only while it is ahead.
pub fn next_checkpoint(
    first: Option<Timestamp>,
    cadence_minutes: Option<u32>,
    now: Timestamp,
) -> Option<Timestamp> {
    let first = first?;
    if first >= now {
        return Some(first);
    }
    let step = i128::from(cadence_minutes?) * 60_000_000;
    let behind = i128::from(now.as_microsecond()) - i128::from(first.as_microsecond());
    let steps = (behind + step - 1) / step;
    let micros = i64::try_from(i128::from(first.as_microsecond()) + steps * step).ok()?;
    Timestamp::from_microsecond(micros).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn urls_must_be_http_or_https_and_bounded() {
        assert!(bridge_url(" https://meet.example.com/abc ").is_ok());
        assert!(bridge_url("http://zoom.example.com/j/1").is_ok());
        for bad in [
            "ftp://x.example.com",
            "meet.example.com",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(bridge_url(bad).expect_err(bad).pointer, "/url");
        }
        let long = format!("https://x.example.com/{}", "a".repeat(MAX_URL));
        assert!(bridge_url(&long).is_err());
    }

    #[test]
    fn cadence_is_bounded() {
        assert!(cadence(4).is_err());
        assert!(cadence(5).is_ok());
        assert!(cadence(1440).is_ok());
        assert_eq!(
            cadence(1441).expect_err("long").pointer,
            "/meeting_cadence_minutes"
        );
    }

    #[test]
    fn the_next_checkpoint_follows_the_cadence_from_the_first() {
        let first = at("2026-11-28T10:00:00Z");
        assert_eq!(
            next_checkpoint(Some(first), Some(30), at("2026-11-28T09:00:00Z")),
            Some(first)
        );
        assert_eq!(
            next_checkpoint(Some(first), Some(30), first),
            Some(first),
            "a checkpoint now is still the next one"
        );
        assert_eq!(
            next_checkpoint(Some(first), Some(30), at("2026-11-28T10:00:01Z")),
            Some(at("2026-11-28T10:30:00Z"))
        );
        assert_eq!(
            next_checkpoint(Some(first), Some(30), at("2026-11-28T11:30:00Z")),
            Some(at("2026-11-28T11:30:00Z"))
        );
        assert_eq!(
            next_checkpoint(Some(first), Some(30), at("2026-11-28T11:31:00Z")),
            Some(at("2026-11-28T12:00:00Z"))
        );
    }

    #[test]
    fn without_a_cadence_only_a_first_checkpoint_still_ahead_counts() {
        let first = at("2026-11-28T10:00:00Z");
        assert_eq!(
            next_checkpoint(Some(first), None, at("2026-11-28T09:00:00Z")),
            Some(first)
        );
        assert_eq!(
            next_checkpoint(Some(first), None, at("2026-11-28T10:01:00Z")),
            None
        );
        assert_eq!(next_checkpoint(None, Some(30), first), None);
        assert_eq!(
            default_first_checkpoint(Some(15), first),
            Some(at("2026-11-28T10:15:00Z"))
        );
        assert_eq!(default_first_checkpoint(None, first), None);
    }
}
