//! iCalendar (RFC 5545) export of final shifts, for a schedule or for one user: UTC times, CRLF
//! line endings, lines folded at 75 octets, TEXT values escaped, a stable UID per shift.
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::answer::FinalShift;
use crate::id::ScheduleId;

/// The product identifier written in every calendar.
pub const PRODUCT_ID: &str = "-//Tocsin//On-call schedules//EN";

/// Most octets on one line, line break excluded (RFC 5545, section 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// One shift as a calendar event, with the names shown for it.
#[derive(Debug, Clone, Copy)]
pub struct CalendarShift<'a> {
    /// The schedule the shift belongs to: part of the event's UID, so the same shift keeps its
    /// UID from one export to the next, and shifts of different schedules never share one.
    pub schedule: ScheduleId,
    pub schedule_name: &'a str,
    pub user_name: &'a str,
    pub shift: &'a FinalShift,
}

/// A `VCALENDAR` with one `VEVENT` per shift, in the given order. `generated_at` is the
/// `DTSTAMP` of every event (read from the injected clock by the caller).
pub fn to_icalendar(
    calendar_name: &str,
    generated_at: Timestamp,
    shifts: &[CalendarShift<'_>],
) -> String {
    let mut out = String::new();
    let stamp = utc(generated_at);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        &format!("PRODID:{PRODUCT_ID}"),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        &format!("NAME:{}", escape_text(calendar_name)),
        &format!("X-WR-CALNAME:{}", escape_text(calendar_name)),
    ] {
        push_line(&mut out, line);
    }
    for entry in shifts {
        let summary = format!("On call: {} ({})", entry.user_name, entry.schedule_name);
        for line in [
            "BEGIN:VEVENT",
            &format!("UID:{}", uid(entry)),
            &format!("DTSTAMP:{stamp}"),
            &format!("DTSTART:{}", utc(entry.shift.start)),
            &format!("DTEND:{}", utc(entry.shift.end)),
            &format!("SUMMARY:{}", escape_text(&summary)),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ] {
            push_line(&mut out, line);
        }
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

/// A UTC DATE-TIME such as `20261128T090000Z` (whole seconds).
fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Derived from the schedule, the user and the shift's times: the same shift gets the same UID.
fn uid(entry: &CalendarShift<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(entry.schedule.as_uuid().as_bytes());
    hasher.update(entry.shift.user.as_uuid().as_bytes());
    hasher.update(entry.shift.start.as_nanosecond().to_be_bytes());
    hasher.update(entry.shift.end.as_nanosecond().to_be_bytes());
    let digest = hasher.finalize();
    format!(
        "{}@tocsin",
        hex::encode(digest.get(..16).unwrap_or_default())
    )
}

/// A TEXT value (RFC 5545, section 3.3.11): backslash, semicolon and comma escaped, line breaks
/// written as `\n`, other control characters (which TEXT may not hold) dropped.
pub(crate) fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends `line` folded into pieces of at most 75 octets (never inside a character), each
/// continuation starting with a space, each piece ended by CRLF.
pub(crate) fn push_line(out: &mut String, line: &str) {
    let mut limit = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > limit {
            out.push_str("\r\n ");
            // The leading space counts towards the continuation line's 75 octets.
            limit = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}
