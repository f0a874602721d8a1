//! Query parameters of the on-call routes: instants (RFC 3339), ranges bounded in length, and a
//! number of days ahead. A bad one is a 400 naming the parameter.
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::error::ApiError;

/// The longest range a timeline, gap or override query may cover.
pub const MAX_RANGE_DAYS: i64 = 90;

/// `?from=&to=` (RFC 3339 instants).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The start of the range, RFC 3339 (`2026-11-28T09:00:00Z`); default now.
    pub from: Option<String>,
    /// The end of the range (excluded), RFC 3339; default 7 days after `from`; at most 90 days
    /// after it.
    pub to: Option<String>,
}

/// `?at=` (an RFC 3339 instant).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The instant to answer for, RFC 3339 (`2026-11-28T09:00:00Z`); default now.
    pub at: Option<String>,
}

/// `?days=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// How many days ahead of now to look, 1 to 90 (default 14).
    pub days: Option<String>,
}

/// `days` whole days as a duration.
pub fn days(days: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * days)
}

/// The instant in parameter `name`, or `default` when absent. A `+` of an offset sent unencoded
/// arrives as a space, which is read as the `+` it was.
pub fn instant(name: &str, raw: Option<&str>, default: Timestamp) -> Result<Timestamp, ApiError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    raw.trim().replace(' ', "+").parse().map_err(|_| {
        ApiError::parameter(
            name,
            "must be an RFC 3339 instant such as 2026-11-28T09:00:00Z",
        )
    })
}

/// The range `[from, to)` of a [`RangeQuery`]: `from` defaults to `now`, `to` to `default_days`
/// after `from`; `to` must be after `from` and at most `max_days` later.
pub fn range(
    query: &RangeQuery,
    now: Timestamp,
    default_days: i64,
    max_days: i64,
) -> Result<(Timestamp, Timestamp), ApiError> {
    let from = instant("from", query.from.as_deref(), now)?;
    let default_to = from
        .checked_add(days(default_days))
        .map_err(|_| ApiError::parameter("from", "is too far in the future"))?;
    let to = instant("to", query.to.as_deref(), default_to)?;
    if to <= from {
        return Err(ApiError::parameter("to", "must be after from"));
    }
    if from.duration_until(to) > days(max_days) {
        return Err(ApiError::parameter(
            "to",
            format!("the range may span at most {max_days} days"),
        ));
    }
    Ok((from, to))
}

/// The `days` parameter: 1 to `max` (default `default`).
pub fn days_ahead(query: &DaysQuery, default: i64, max: i64) -> Result<i64, ApiError> {
    let Some(raw) = query.days.as_deref() else {
        return Ok(default);
    };
    match raw.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::parameter(
            "days",
            format!("must be a whole number of days from 1 to {max}"),
        )),
    }
}

/// `[now, now + days)`, or a 400 naming `days` when that runs past the end of time.
pub fn ahead(now: Timestamp, count: i64) -> Result<(Timestamp, Timestamp), ApiError> {
    now.checked_add(days(count))
        .map(|end| (now, end))
        .map_err(|_| ApiError::parameter("days", "reaches past the supported range of dates"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: Option<&str>, to: Option<&str>) -> RangeQuery {
        RangeQuery {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    fn now() -> Timestamp {
        "2026-11-27T12:00:00Z".parse().expect("valid")
    }

    #[test]
    fn ranges_default_from_now_and_refuse_backwards_or_long_spans() {
        let (from, to) = range(&query(None, None), now(), 7, 90).expect("defaults");
        assert_eq!(
            (from, to.to_string().as_str()),
            (now(), "2026-12-04T12:00:00Z")
        );
        let offset = query(
            Some("2026-11-27T13:00:00 01:00"),
            Some("2026-11-28T00:00:00Z"),
        );
        assert_eq!(range(&offset, now(), 7, 90).expect("offset").0, now());
        let backwards = range(&query(None, Some("2026-11-27T11:00:00Z")), now(), 7, 90);
        assert_eq!(backwards.expect_err("refused").errors[0].pointer, "/to");
        let long = range(&query(None, Some("2027-02-26T12:00:01Z")), now(), 7, 90);
        assert_eq!(long.expect_err("refused").kind.status().as_u16(), 400);
        assert!(range(&query(None, Some("2027-02-25T12:00:00Z")), now(), 7, 90).is_ok());
        let garbage = range(&query(Some("yesterday"), None), now(), 7, 90);
        assert_eq!(garbage.expect_err("refused").errors[0].pointer, "/from");
    }

    #[test]
    fn days_are_bounded() {
        let ask = |raw: &str| DaysQuery {
            days: Some(raw.to_owned()),
        };
        assert_eq!(
            days_ahead(&DaysQuery { days: None }, 14, 90).expect("default"),
            14
        );
        assert_eq!(days_ahead(&ask("90"), 14, 90).expect("most"), 90);
        for bad in ["0", "91", "-1", "two"] {
            let refused = days_ahead(&ask(bad), 14, 90).expect_err(bad);
            assert_eq!(refused.errors[0].pointer, "/days");
        }
    }
}
