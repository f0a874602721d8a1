//! Tests of contact methods, quiet hours, verification and the notification plan.
use jiff::civil::{Time, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::id::{ContactMethodId, NotificationRuleId, UserId};

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn method(n: u128, channel: Channel, verified: bool) -> ContactMethod {
    ContactMethod {
        id: ContactMethodId(Uuid::from_u128(n)),
        user_id: UserId(Uuid::from_u128(1)),
        channel,
        address: format!("address-{n}"),
        label: String::new(),
        verified,
    }
}

fn rule(n: u128, method: u128, urgency: Urgency, delay_minutes: u16) -> NotificationRule {
    NotificationRule {
        id: NotificationRuleId(Uuid::from_u128(100 + n)),
        contact_method_id: ContactMethodId(Uuid::from_u128(method)),
        urgency,
        delay_minutes,
    }
}

fn profile(methods: Vec<ContactMethod>, rules: Vec<NotificationRule>) -> NotifyProfile {
    NotifyProfile {
        user_id: UserId(Uuid::from_u128(1)),
        name: "Ada".into(),
        time_zone: TimeZone::get("Europe/Paris").expect("zone"),
        methods,
        rules,
        quiet_hours: None,
    }
}

fn nights() -> QuietHours {
    QuietHours::new(time(22, 0, 0, 0), time(7, 0, 0, 0), Weekdays::ALL).expect("valid")
}

#[test]
fn addresses_are_checked_per_channel() {
    assert_eq!(
        parse_address(Channel::Email, " Ada@Example.com ").expect("email"),
        "ada@example.com"
    );
    assert!(parse_address(Channel::Email, "ada").is_err());
    assert!(parse_address(Channel::Sms, "+14155550100").is_ok());
    for bad in [
        "14155550100",
        "+1415",
        "+0123456789",
        "+1415555010012345",
        "+1 415 555",
    ] {
        assert!(parse_address(Channel::Voice, bad).is_err(), "{bad}");
    }
    assert!(parse_address(Channel::Slack, "https://hooks.slack.com/services/T/B/X").is_ok());
    assert!(parse_address(Channel::Slack, "http://hooks.slack.com/services/T/B/X").is_err());
    assert!(parse_address(Channel::Teams, "ftp://example.com/x").is_err());
    assert!(parse_address(Channel::Webhook, "http://example.com/hook").is_ok());
    for metadata in [
        "http://metadata.google.internal/computeMetadata",
        "https://169.254.169.254/latest",
        "https://user:pw@example.com/",
    ] {
        assert!(
            parse_address(Channel::Webhook, metadata).is_err(),
            "{metadata}"
        );
    }
    // Private addresses are refused at send time (an operator may allow-list them).
    assert!(parse_address(Channel::Webhook, "http://127.0.0.1:9000/hook").is_ok());
}

#[test]
fn chat_urls_are_masked_to_host_and_last_four() {
    let url = "https://hooks.slack.com/services/T000/B000/XXXXSECRETWXYZ";
    assert_eq!(
        masked_address(Channel::Slack, url),
        "https://hooks.slack.com/…WXYZ"
    );
    assert_eq!(masked_address(Channel::Email, "a@b.co"), "a@b.co");
}

#[test]
fn delays_labels_and_quiet_hours_are_bounded() {
    assert_eq!(check_delay(1440), Ok(1440));
    assert!(check_delay(1441).is_err());
    assert!(parse_label(&"x".repeat(101)).is_err());
    assert_eq!(parse_label(" phone ").as_deref(), Ok("phone"));
    let noon = time(12, 0, 0, 0);
    assert_eq!(
        QuietHours::new(noon, noon, Weekdays::ALL),
        Err(QuietHoursError::Empty)
    );
    assert_eq!(
        QuietHours::new(noon, time(13, 0, 0, 0), Weekdays::default()),
        Err(QuietHoursError::NoDays)
    );
    let days = Weekdays::parse_names(&["mon", "Friday"]).expect("days");
    assert_eq!(days.names(), vec!["mon", "fri"]);
    assert!(Weekdays::parse_names(&["moon"]).is_err());
}

#[test]
fn a_window_crossing_midnight_belongs_to_the_day_it_starts() {
    let zone = TimeZone::get("Europe/Paris").expect("zone");
    // Mondays only: Monday 22:00 to Tuesday 07:00 (Paris, UTC+1 in December).
    let mondays = QuietHours::new(
        time(22, 0, 0, 0),
        time(7, 0, 0, 0),
        Weekdays::default().with(jiff::civil::Weekday::Monday),
    )
    .expect("valid");
    let tuesday_early = at("2026-12-01T03:00:00Z"); // Tuesday 04:00 local
    assert_eq!(
        mondays.window_end_containing(tuesday_early, &zone),
        Some(at("2026-12-01T06:00:00Z"))
    );
    let wednesday_early = at("2026-12-02T03:00:00Z");
    assert_eq!(mondays.window_end_containing(wednesday_early, &zone), None);
}

#[test]
fn a_window_ending_in_a_skipped_hour_ends_when_the_clock_jumps() {
    // Europe/Paris skips 02:00-03:00 on 2026-03-29: 01:59:59 +01:00 is followed by 03:00 +02:00.
    let zone = TimeZone::get("Europe/Paris").expect("zone");
    let quiet = QuietHours::new(time(22, 0, 0, 0), time(2, 30, 0, 0), Weekdays::ALL).expect("ok");
    let inside = at("2026-03-29T00:30:00Z"); // 01:30 local
    assert_eq!(
        quiet.window_end_containing(inside, &zone),
        Some(at("2026-03-29T01:00:00Z"))
    );
    // In autumn the repeated hour: 02:30 on 2026-10-25 occurs twice; the window ends at the first.
    let autumn = at("2026-10-24T23:30:00Z"); // 01:30 +02:00
    assert_eq!(
        quiet.window_end_containing(autumn, &zone),
        Some(at("2026-10-25T00:30:00Z"))
    );
}

#[test]
fn codes_expire_die_after_five_wrong_attempts_and_verify_once_right() {
    let id = ContactMethodId(Uuid::from_u128(7));
    let now = at("2026-11-28T10:00:00Z");
    let code = VerificationCode::from_random(42);
    assert_eq!(code.expose(), "000042");
    assert!(!format!("{code:?}").contains("42"));
    let mut pending = PendingCode::new(id, &code, now);
    assert_ne!(pending.code_hash, b"000042".to_vec());
    assert_eq!(pending.check(id, " 000042 ", now), CheckOutcome::Verified);
    // The hash is salted with the method: the same code does not verify another method.
    let other = ContactMethodId(Uuid::from_u128(8));
    assert_ne!(pending.check(other, "000042", now), CheckOutcome::Verified);
    let just_before = now + SignedDuration::from_mins(15) - SignedDuration::from_secs(1);
    assert_eq!(
        pending.check(id, "000042", just_before),
        CheckOutcome::Verified
    );
    assert_eq!(
        pending.check(id, "000042", now + SignedDuration::from_mins(15)),
        CheckOutcome::Expired
    );
    for left in (0..5).rev() {
        assert_eq!(
            pending.check(id, "999999", now),
            CheckOutcome::Wrong {
                attempts_left: left
            }
        );
        pending.attempts += 1;
    }
    assert_eq!(pending.check(id, "000042", now), CheckOutcome::Dead);
}

#[test]
fn five_codes_per_hour_then_the_next_send_waits_for_the_window() {
    let start = at("2026-11-28T10:00:00Z");
    let mut window = None;
    for n in 1..=5 {
        let next = SendWindow::record(window, start + SignedDuration::from_mins(n)).expect("ok");
        assert_eq!(next.sends, u32::try_from(n).expect("small"));
        window = Some(next);
    }
    let refused = SendWindow::record(window, start + SignedDuration::from_mins(30));
    assert_eq!(refused, Err(start + SignedDuration::from_mins(61)));
    let later = SendWindow::record(window, start + SignedDuration::from_mins(61)).expect("ok");
    assert_eq!(later.sends, 1);
}

#[test]
fn the_plan_follows_the_rules_for_the_urgency_and_skips_unverified_methods() {
    let paged = at("2026-11-28T10:00:00Z");
    let p = profile(
        vec![
            method(1, Channel::Email, true),
            method(2, Channel::Sms, true),
            method(3, Channel::Voice, false),
        ],
        vec![
            rule(1, 2, Urgency::High, 5),
            rule(2, 1, Urgency::High, 0),
            rule(3, 3, Urgency::High, 0),
            rule(4, 1, Urgency::Low, 10),
        ],
    );
    let plan = plan_notifications(&p, Urgency::High, paged);
    assert_eq!(plan.fallback, None);
    let order: Vec<(Channel, Timestamp)> = plan
        .contacts
        .iter()
        .map(|c| (c.channel, c.send_at))
        .collect();
    assert_eq!(
        order,
        vec![
            (Channel::Email, paged),
            (Channel::Sms, paged + SignedDuration::from_mins(5))
        ]
    );
    assert_eq!(
        plan.contacts[1].reason,
        "high-urgency rule: sms after 5 min"
    );
}

#[test]
fn the_plan_falls_back_to_the_other_urgency_then_to_every_method() {
    let paged = at("2026-11-28T10:00:00Z");
    let only_high = profile(
        vec![method(1, Channel::Email, true)],
        vec![rule(1, 1, Urgency::High, 3)],
    );
    let plan = plan_notifications(&only_high, Urgency::Low, paged);
    assert_eq!(
        plan.contacts[0].send_at,
        paged + SignedDuration::from_mins(3)
    );
    assert!(
        plan.fallback
            .expect("fallback")
            .contains("no low-urgency rules")
    );

    let no_rules = profile(
        vec![
            method(1, Channel::Email, true),
            method(2, Channel::Sms, true),
        ],
        vec![],
    );
    let plan = plan_notifications(&no_rules, Urgency::High, paged);
    assert_eq!(plan.contacts.len(), 2);
    assert!(plan.contacts.iter().all(|c| c.send_at == paged));
    assert!(plan.fallback.expect("fallback").contains("every verified"));

    let unreachable = profile(vec![method(1, Channel::Email, false)], vec![]);
    let plan = plan_notifications(&unreachable, Urgency::High, paged);
    assert!(plan.contacts.is_empty());
    assert!(
        plan.fallback
            .expect("fallback")
            .contains("cannot be reached")
    );
}

#[test]
fn quiet_hours_defer_low_urgency_only() {
    let paged = at("2026-11-28T23:00:00Z"); // 00:00 in Paris
    let mut p = profile(
        vec![method(1, Channel::Email, true)],
        vec![rule(1, 1, Urgency::Low, 0), rule(2, 1, Urgency::High, 0)],
    );
    p.quiet_hours = Some(nights());
    let low = plan_notifications(&p, Urgency::Low, paged);
    assert_eq!(low.contacts[0].send_at, at("2026-11-29T06:00:00Z"));
    assert!(low.contacts[0].reason.contains("quiet hours"));
    let high = plan_notifications(&p, Urgency::High, paged);
    assert_eq!(high.contacts[0].send_at, paged);
}

fn zones() -> impl Strategy<Value = TimeZone> {
    prop::sample::select(vec![
        "Europe/Paris",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "UTC",
    ])
    .prop_map(|name| TimeZone::get(name).expect("zone"))
}

fn times() -> impl Strategy<Value = Time> {
    (0i8..24, prop::sample::select(vec![0i8, 15, 30, 45])).prop_map(|(h, m)| time(h, m, 0, 0))
}

/// An independent oracle: whether the local wall-clock time at `at` is inside a window, read
/// from the time of day and weekday alone. Only trusted away from a zone's transitions (a wall
/// clock repeats or skips there), so it answers `false` within three hours of one.
fn inside_by_wall_clock(quiet: &QuietHours, zone: &TimeZone, at: Timestamp) -> bool {
    let margin = SignedDuration::from_hours(3);
    let near_transition = zone
        .following(at - margin)
        .next()
        .is_some_and(|t| t.timestamp() <= at + margin);
    if near_transition {
        return false;
    }
    let local = zone.to_datetime(at);
    let (day, time) = (local.date().weekday(), local.time());
    let previous = day.wrapping_sub(1);
    if quiet.crosses_midnight() {
        (quiet.days().contains(day) && time >= quiet.start())
            || (quiet.days().contains(previous) && time < quiet.end())
    } else {
        quiet.days().contains(day) && quiet.start() <= time && time < quiet.end()
    }
}

proptest! {
    #[test]
    fn planned_contacts_respect_delays_and_quiet_hours(
        zone in zones(),
        start in times(),
        end in times(),
        mask in 1u8..128,
        // 2026 and 2027, DST transitions included.
        paged_secs in 1_767_225_600i64..1_830_297_600,
        delays in prop::collection::vec(0u16..=1440, 1..4),
    ) {
        prop_assume!(start != end);
        let paged = Timestamp::from_second(paged_secs).expect("in range");
        let quiet = QuietHours::new(start, end, Weekdays::from_mask(mask)).expect("valid");
        let methods: Vec<ContactMethod> =
            (1..=delays.len()).map(|n| method(n as u128, Channel::Email, true)).collect();
        let mut rules = Vec::new();
        for (n, delay) in delays.iter().enumerate() {
            let n = n as u128 + 1;
            rules.push(rule(n, n, Urgency::High, *delay));
            rules.push(rule(n + 10, n, Urgency::Low, *delay));
        }
        let mut p = profile(methods, rules);
        p.time_zone = zone.clone();
        p.quiet_hours = Some(quiet);
        let high = plan_notifications(&p, Urgency::High, paged);
        let mut expected: Vec<Timestamp> = delays
            .iter()
            .map(|d| paged + SignedDuration::from_mins(i64::from(*d)))
            .collect();
        expected.sort();
        let got: Vec<Timestamp> = high.contacts.iter().map(|c| c.send_at).collect();
        prop_assert_eq!(got, expected);
        let low = plan_notifications(&p, Urgency::Low, paged);
        prop_assert_eq!(low.contacts.len(), delays.len());
        for pair in low.contacts.windows(2) {
            prop_assert!(pair[0].send_at <= pair[1].send_at);
        }
        for contact in &low.contacts {
            prop_assert!(contact.send_at >= paged);
            prop_assert!(quiet.window_end_containing(contact.send_at, &zone).is_none());
            prop_assert!(!inside_by_wall_clock(&quiet, &zone, contact.send_at));
        }
    }
}
