//! iCalendar output: exact text for a small case, folding, escaping, stable UIDs.
use uuid::Uuid;

use super::{ts, user};
use crate::id::ScheduleId;
use crate::oncall::icalendar::{escape_text, push_line};
use crate::oncall::{CalendarShift, FinalShift, Source, to_icalendar};

fn shift(start: &str, end: &str) -> FinalShift {
    FinalShift {
        user: user(1),
        start: ts(start),
        end: ts(end),
        source: Source::Layer(0),
    }
}

fn schedule_id() -> ScheduleId {
    ScheduleId(Uuid::from_u128(7))
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

#[test]
fn a_small_calendar_is_exactly_this() {
    let first = shift("2026-11-28T09:00:00Z", "2026-11-29T09:00:00Z");
    let entry = CalendarShift {
        schedule: schedule_id(),
        schedule_name: "Payments, primary",
        user_name: "Ada",
        shift: &first,
    };
    let text = to_icalendar("Payments", ts("2026-11-27T10:00:00Z"), &[entry]);
    let uid = text
        .lines()
        .find_map(|line| line.strip_prefix("UID:"))
        .expect("a UID");
    assert_eq!(
        text,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tocsin//On-call schedules//EN\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nNAME:Payments\r\nX-WR-CALNAME:Payments\r\n\
             BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261127T100000Z\r\n\
             DTSTART:20261128T090000Z\r\nDTEND:20261129T090000Z\r\n\
             SUMMARY:On call: Ada (Payments\\, primary)\r\nTRANSP:TRANSPARENT\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    );
    assert!(uid.ends_with("@tocsin") && uid.len() == 32 + "@tocsin".len());
}

#[test]
fn uids_are_stable_and_differ_between_shifts_and_schedules() {
    let first = shift("2026-11-28T09:00:00Z", "2026-11-29T09:00:00Z");
    let second = shift("2026-11-29T09:00:00Z", "2026-11-30T09:00:00Z");
    let uid = |schedule: ScheduleId, shift: &FinalShift, stamp: &str| {
        let entry = CalendarShift {
            schedule,
            schedule_name: "s",
            user_name: "u",
            shift,
        };
        let text = to_icalendar("c", ts(stamp), &[entry]);
        text.lines()
            .find_map(|line| line.strip_prefix("UID:").map(str::to_owned))
            .expect("a UID")
    };
    let original = uid(schedule_id(), &first, "2026-11-27T10:00:00Z");
    assert_eq!(
        original,
        uid(schedule_id(), &first, "2026-12-01T00:00:00Z"),
        "a later export keeps it"
    );
    assert_ne!(
        original,
        uid(schedule_id(), &second, "2026-11-27T10:00:00Z")
    );
    assert_ne!(
        original,
        uid(
            ScheduleId(Uuid::from_u128(8)),
            &first,
            "2026-11-27T10:00:00Z"
        )
    );
}

#[test]
fn text_escapes_backslash_semicolon_comma_and_line_breaks() {
    assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
    assert_eq!(
        escape_text("one\ntwo\r\nthree\rfour"),
        r"one\ntwo\nthree\nfour"
    );
    assert_eq!(escape_text("bell\u{7}tab\t"), "belltab\t");
}

#[test]
fn long_lines_fold_at_75_octets_without_splitting_characters() {
    let mut out = String::new();
    let line = format!("SUMMARY:{}", "é".repeat(100));
    push_line(&mut out, &line);
    let pieces: Vec<&str> = out.split_terminator("\r\n").collect();
    assert!(pieces.len() > 1);
    assert!(pieces.iter().all(|piece| piece.len() <= 75), "{pieces:?}");
    assert!(pieces.iter().skip(1).all(|piece| piece.starts_with(' ')));
    assert_eq!(
        pieces[0].len(),
        74,
        "SUMMARY: and 33 two-octet characters: a 34th would pass 75"
    );
    assert_eq!(unfold(&out), format!("{line}\r\n"));

    let mut short = String::new();
    push_line(&mut short, &"x".repeat(75));
    assert_eq!(
        short,
        format!("{}\r\n", "x".repeat(75)),
        "exactly 75 octets stays on one line"
    );
    let mut ascii = String::new();
    push_line(&mut ascii, &"x".repeat(76));
    assert_eq!(ascii, format!("{}\r\n x\r\n", "x".repeat(75)));
}

#[test]
fn a_long_escaped_name_folds_and_unfolds_back() {
    let long_name = format!(
        "{}; with, commas\nand a new line",
        "Platform on-call ".repeat(6)
    );
    let only = shift("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
    let entry = CalendarShift {
        schedule: schedule_id(),
        schedule_name: &long_name,
        user_name: "Ada",
        shift: &only,
    };
    let text = to_icalendar(&long_name, ts("2026-01-01T00:00:00Z"), &[entry]);
    assert!(text.split_terminator("\r\n").all(|line| line.len() <= 75));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF ends lines"
    );
    let unfolded = unfold(&text);
    assert!(unfolded.contains(r"\; with\, commas\nand a new line)"));
    assert!(
        unfolded
            .lines()
            .any(|line| line.starts_with("X-WR-CALNAME:Platform on-call Platform"))
    );
}
