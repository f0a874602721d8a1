//! Reading the console's alerting form fields: instants typed in a `datetime-local` control
//! (on the viewer's clock) or as RFC 3339, matcher lines, and ids in paths, each failing with a
//! message that names the field.
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::ApiError;
use crate::web::chrome::{Viewer, problem_page};
use crate::web::oncall::time;

/// An instant from a form field: RFC 3339 (`2026-11-27T12:00:00Z`) or a browser's
/// `datetime-local` value (`2026-11-27T12:00`) on `zone` (the viewer's clock); blank means
/// `default`.
pub fn instant(
    field: &str,
    text: &str,
    default: Timestamp,
    zone: &TimeZone,
) -> Result<Timestamp, ApiError> {
    if text.trim().is_empty() {
        return Ok(default);
    }
    time::parse_local(text, zone).map_err(|why| ApiError::field(format!("/{field}"), why))
}

/// The value a `datetime-local` control shows for `at` on `zone`, to the minute.
pub fn local_value(at: Timestamp, zone: &TimeZone) -> String {
    time::local_input(at, zone)
}

/// One matcher per non-blank line, trimmed.
pub fn matcher_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An id from a page's path, or a readable 404 page (boxed: responses are large).
pub fn path_id(
    viewer: &Viewer,
    raw: &str,
    what: &str,
    back: &str,
) -> Result<uuid::Uuid, Box<Response>> {
    raw.parse().map_err(|_| {
        Box::new(problem_page(
            Some(viewer),
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("There is no {what} at this address."),
            back,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::clock;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("test timestamp")
    }

    #[test]
    fn instants_read_browser_values_on_the_viewers_clock_rfc3339_as_written_blank_as_default() {
        let default = ts("2026-01-01T00:00:00Z");
        let berlin = clock::zone_named("Europe/Berlin");
        assert_eq!(
            instant("ends_at", "2026-11-27T14:30", default, &berlin).expect("browser value"),
            ts("2026-11-27T13:30:00Z")
        );
        assert_eq!(
            instant("ends_at", "2026-11-27T14:30", default, &TimeZone::UTC).expect("in UTC"),
            ts("2026-11-27T14:30:00Z")
        );
        assert_eq!(
            instant(
                "ends_at",
                "2026-11-27T14:30:00+01:00",
                default,
                &TimeZone::UTC
            )
            .expect("rfc3339"),
            ts("2026-11-27T13:30:00Z")
        );
        assert_eq!(
            instant("ends_at", " ", default, &berlin).expect("blank"),
            default
        );
        let error = instant("ends_at", "tomorrow", default, &berlin).expect_err("not a time");
        assert_eq!(error.errors[0].pointer, "/ends_at");
    }

    #[test]
    fn browser_values_round_trip() {
        let at = ts("2026-11-27T14:30:00Z");
        let tokyo = clock::zone_named("Asia/Tokyo");
        assert_eq!(local_value(at, &tokyo), "2026-11-27T23:30");
        assert_eq!(
            instant(
                "x",
                &local_value(at, &tokyo),
                ts("2000-01-01T00:00:00Z"),
                &tokyo
            )
            .expect("own"),
            at
        );
    }

    #[test]
    fn matchers_are_the_non_blank_lines() {
        assert_eq!(
            matcher_lines("service=db\r\n\n  severity!=info  \n"),
            vec!["service=db".to_owned(), "severity!=info".to_owned()]
        );
    }
}
