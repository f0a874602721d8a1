//! Reading the incident list's filters (`GET /api/v1/incidents` and the console's incident list):
//! status, priority and the creation-time window, each refused with a message naming its field.
use jiff::Timestamp;
use jiff::civil::Date;
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::priority::Priority;

use crate::error::ApiError;

/// An incident status named in field `field`.
pub fn status(field: &str, text: Option<&str>) -> Result<Option<IncidentStatus>, ApiError> {
    text.map(|text| {
        IncidentStatus::parse(text).ok_or_else(|| {
            ApiError::field(
                format!("/{field}"),
                format!("must be {}", IncidentStatus::listing()),
            )
        })
    })
    .transpose()
}

/// A priority, P1 to P5 (any case), named in field `field`.
pub fn priority(field: &str, text: Option<&str>) -> Result<Option<Priority>, ApiError> {
    text.map(|text| {
        let wanted = text.trim().to_ascii_uppercase();
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted)
            .ok_or_else(|| ApiError::field(format!("/{field}"), "must be P1, P2, P3, P4 or P5"))
    })
    .transpose()
}

/// Which end of a creation-time window a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Included: a date means its first instant (UTC).
    From,
    /// Excluded: a date means the first instant of the next day, so the whole day is in.
    To,
}

/// A window bound in field `field`: an RFC 3339 instant, or a date (`2026-11-28`, UTC days).
pub fn bound(field: &str, text: Option<&str>, end: End) -> Result<Option<Timestamp>, ApiError> {
    let Some(text) = text.map(str::trim) else {
        return Ok(None);
    };
    let refuse = || {
        ApiError::field(
            format!("/{field}"),
            "must be a date such as 2026-11-28 or an RFC 3339 instant such as 2026-11-28T09:00:00Z",
        )
    };
    if let Ok(instant) = text.replace(' ', "+").parse::<Timestamp>() {
        return Ok(Some(instant));
    }
    let date: Date = text.parse().map_err(|_| refuse())?;
    let day = match end {
        End::From => date,
        End::To => date.tomorrow().map_err(|_| refuse())?,
    };
    let instant: Timestamp = format!("{day}T00:00:00Z").parse().map_err(|_| refuse())?;
    Ok(Some(instant))
}

/// The window `[from, to)`; `to` must come after `from`.
pub fn window(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<Timestamp>, Option<Timestamp>), ApiError> {
    let from = bound("created_from", from, End::From)?;
    let to = bound("created_to", to, End::To)?;
    if let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        return Err(ApiError::field("/created_to", "must be after created_from"));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer(error: ApiError) -> String {
        error.errors[0].pointer.clone()
    }

    #[test]
    fn priorities_are_p1_to_p5() {
        assert_eq!(
            priority("priority", Some("P2")).expect("valid"),
            Some(Priority::P2)
        );
        assert_eq!(
            priority("priority", Some("p5")).expect("valid"),
            Some(Priority::P5)
        );
        assert_eq!(priority("priority", None).expect("valid"), None);
        for bad in ["P6", "2", "P12", "high", ""] {
            let error = priority("priority", Some(bad)).expect_err(bad);
            assert_eq!(pointer(error), "/priority");
        }
    }

    #[test]
    fn a_date_window_covers_whole_days() {
        let (from, to) = window(Some("2026-11-01"), Some("2026-11-01")).expect("valid");
        assert_eq!(from, Some("2026-11-01T00:00:00Z".parse().expect("valid")));
        assert_eq!(to, Some("2026-11-02T00:00:00Z".parse().expect("valid")));
        let (from, _) = window(Some("2026-11-01T09:30:00+01:00"), None).expect("valid");
        assert_eq!(from, Some("2026-11-01T08:30:00Z".parse().expect("valid")));
    }

    #[test]
    fn bad_bounds_name_their_field() {
        let error = window(Some("yesterday"), None).expect_err("not a date");
        assert_eq!(pointer(error), "/created_from");
        let error = window(None, Some("2026-13-01")).expect_err("no month 13");
        assert_eq!(pointer(error), "/created_to");
        let error = window(Some("2026-11-02"), Some("2026-11-01")).expect_err("backwards");
        assert_eq!(pointer(error), "/created_to");
    }

    #[test]
    fn statuses_are_named_in_their_field() {
        assert_eq!(
            status("status", Some("triggered")).expect("valid"),
            Some(IncidentStatus::Triggered)
        );
        let error = status("status", Some("burning")).expect_err("unknown");
        assert_eq!(pointer(error), "/status");
    }
}
