//! Instants as the viewer reads them: on their own clock (the time zone of their profile), with
//! the zone's abbreviation so nobody mistakes Berlin time for UTC.
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// To the minute, for lists and panels: `2026-11-28 10:05 CET`.
pub fn minutes(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// To the second, for timelines: `2026-11-28 10:05:07 CET`.
pub fn seconds(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// The zone a profile names; UTC when this binary does not know the name (a newer tzdata wrote
/// it), so a page still renders.
pub fn zone_named(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    #[test]
    fn instants_read_on_the_viewers_clock_with_its_abbreviation() {
        let berlin = zone_named("Europe/Berlin");
        assert_eq!(
            minutes(at("2026-11-28T09:05:07Z"), &berlin),
            "2026-11-28 10:05 CET"
        );
        assert_eq!(
            seconds(at("2026-07-01T09:05:07Z"), &berlin),
            "2026-07-01 11:05:07 CEST"
        );
        let tokyo = zone_named("Asia/Tokyo");
        assert_eq!(
            minutes(at("2026-11-28T20:30:00Z"), &tokyo),
            "2026-11-29 05:30 JST"
        );
        assert_eq!(
            minutes(at("2026-11-28T09:05:00Z"), &TimeZone::UTC),
            "2026-11-28 09:05 UTC"
        );
    }

    #[test]
    fn an_unknown_zone_reads_as_utc() {
        assert_eq!(
            minutes(at("2026-11-28T09:05:00Z"), &zone_named("Mars/Olympus_Mons")),
            "2026-11-28 09:05 UTC"
        );
    }
}
