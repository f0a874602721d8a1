//! What one delivery attempt came to, and the rules that classify a provider's answer: delivered,
//! worth retrying (optionally after the provider's Retry-After), or permanently refused.
use std::time::Duration;

use jiff::Timestamp;

/// The classified result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider accepted the message; `receipt` is its id for it, where it gives one
    /// (Twilio's `sid`, the SMTP server's queue reply).
    Delivered { receipt: Option<String> },
    /// Failed for a reason that may pass: try again, not before `retry_after` when given.
    Retryable {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Refused for good: retrying the same request cannot succeed.
    Permanent { reason: String },
}

impl Outcome {
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered { .. })
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Outcome::Retryable { .. })
    }
}

/// Classifies an HTTP answer: 2xx delivered; 408, 429 and 5xx retryable (honouring
/// `Retry-After`, given as seconds or an HTTP date relative to `now`); other statuses permanent
/// (a 3xx reaching this point is a redirect that was not followed).
pub fn classify_http(status: u16, retry_after: Option<&str>, now: Timestamp) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered { receipt: None },
        408 | 429 | 500..=599 => Outcome::Retryable {
            reason: format!("HTTP {status}"),
            retry_after: retry_after.and_then(|value| parse_retry_after(value, now)),
        },
        _ => Outcome::Permanent {
            reason: format!("HTTP {status}"),
        },
    }
}

/// Why a request got no answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// The connection could not be made (refused, reset, DNS failure).
    Connect,
    /// No answer in time.
    Timeout,
    /// The destination is not allowed (address guard) or the request could not be built: retrying
    /// the same request would fail the same way.
    Refused,
}

/// Classifies an attempt that got no answer: connect and timeout errors are retryable.
pub fn classify_transport(failure: TransportFailure, detail: &str) -> Outcome {
    match failure {
        TransportFailure::Connect | TransportFailure::Timeout => Outcome::Retryable {
            reason: detail.to_owned(),
            retry_after: None,
        },
        TransportFailure::Refused => Outcome::Permanent {
            reason: detail.to_owned(),
        },
    }
}

/// Classifies an SMTP reply code that refused a message: 4xx is transient, 5xx (and anything
/// else) permanent.
pub fn classify_smtp(code: u16, detail: &str) -> Outcome {
    let reason = format!("SMTP {code} {detail}").trim_end().to_owned();
    if (400..500).contains(&code) {
        Outcome::Retryable {
            reason,
            retry_after: None,
        }
    } else {
        Outcome::Permanent { reason }
    }
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (a past date means now).
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    Some(
        date.duration_since(now)
            .max(jiff::SignedDuration::ZERO)
            .unsigned_abs(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-03-01T12:00:00Z".parse().expect("instant")
    }

    #[test]
    fn every_2xx_is_delivered() {
        for status in [200, 201, 202, 204, 299] {
            assert!(
                classify_http(status, None, now()).is_delivered(),
                "{status}"
            );
        }
    }

    #[test]
    fn timeouts_throttling_and_server_errors_are_retryable() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(
                classify_http(status, None, now()).is_retryable(),
                "{status}"
            );
        }
    }

    #[test]
    fn other_client_errors_and_unfollowed_redirects_are_permanent() {
        for status in [301, 302, 400, 401, 403, 404, 410, 413, 422] {
            assert!(
                matches!(
                    classify_http(status, None, now()),
                    Outcome::Permanent { .. }
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let asked = |value| match classify_http(503, Some(value), now()) {
            Outcome::Retryable { retry_after, .. } => retry_after,
            other => panic!("{other:?}"),
        };
        assert_eq!(asked("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            asked("Sun, 01 Mar 2026 12:01:30 GMT"),
            Some(Duration::from_secs(90))
        );
        assert_eq!(asked("Sun, 01 Mar 2026 11:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(asked("soon"), None);
    }

    #[test]
    fn transport_failures() {
        assert!(classify_transport(TransportFailure::Connect, "refused").is_retryable());
        assert!(classify_transport(TransportFailure::Timeout, "timed out").is_retryable());
        assert!(matches!(
            classify_transport(TransportFailure::Refused, "loopback"),
            Outcome::Permanent { .. }
        ));
    }

    #[test]
    fn smtp_4xx_is_transient_and_5xx_permanent() {
        assert!(classify_smtp(421, "busy").is_retryable());
        assert!(classify_smtp(452, "mailbox full").is_retryable());
        assert_eq!(
            classify_smtp(550, "no such user"),
            Outcome::Permanent {
                reason: "SMTP 550 no such user".into()
            }
        );
        assert!(matches!(classify_smtp(554, ""), Outcome::Permanent { .. }));
    }
}
