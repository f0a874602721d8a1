//! Instants are stored as integer microseconds since the Unix epoch on both backends.
use jiff::Timestamp;

/// The stored form of an instant.
pub fn to_micros(at: Timestamp) -> i64 {
    // Every Timestamp jiff can represent fits in i64 microseconds.
    at.as_microsecond()
}

/// The instant a stored value denotes; out-of-range values clamp to jiff's limits.
pub fn from_micros(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip() {
        let at: Timestamp = "2026-11-27T10:11:12.345678Z".parse().expect("valid");
        assert_eq!(from_micros(to_micros(at)), at);
    }
}
