//! Template tests: every default renders, hostile text is escaped where it matters, and edited
//! templates are refused with the field at fault.
use super::*;
use crate::delivery::channel::Channel;
use crate::delivery::message::{MessageKind, Notification};

#[test]
fn every_default_validates_and_renders_its_sample() {
    for kind in MessageKind::ALL {
        for channel in Channel::ALL {
            let set = default_templates(kind, channel);
            validate(kind, channel, &set).unwrap_or_else(|e| panic!("{kind:?}/{channel:?}: {e}"));
            let rendered = render(&set, &sample_notification(kind)).expect("renders");
            assert!(!rendered.text.trim().is_empty(), "{kind:?}/{channel:?}");
            assert_eq!(rendered.subject.is_some(), channel.has_subject());
            assert_eq!(rendered.html.is_some(), channel.has_html());
        }
    }
}

#[test]
fn a_page_by_email_says_what_where_and_how_to_act() {
    let set = default_templates(MessageKind::Page, Channel::Email);
    let rendered = render(&set, &sample_notification(MessageKind::Page)).expect("renders");
    assert_eq!(
        rendered.subject.as_deref(),
        Some("[Tocsin] Triggered #42 Checkout latency above 2 s")
    );
    for line in [
        "Service: checkout",
        "Priority: P1",
        "Alert: p99 latency 2.4 s for 5 minutes (critical)",
        "Acknowledge: https://tocsin.example.com/a/sample-acknowledge-token",
    ] {
        assert!(
            rendered.text.contains(line),
            "{line} missing:\n{}",
            rendered.text
        );
    }
    // minijinja escapes `/` as `&#x2f;` in HTML, which browsers read back as `/`.
    let html = rendered.html.expect("html").replace("&#x2f;", "/");
    assert!(
        html.contains(
            "<a href=\"https://tocsin.example.com/a/sample-acknowledge-token\">Acknowledge</a>"
        ),
        "{html}"
    );
}

#[test]
fn pages_and_notices_link_to_the_incident_by_email_and_sms() {
    let view = "https://tocsin.example.com/incidents/42";
    let rendered = |kind, channel| {
        render(
            &default_templates(kind, channel),
            &sample_notification(kind),
        )
        .expect("renders")
    };
    for kind in [MessageKind::Page, MessageKind::Resolved] {
        let email = rendered(kind, Channel::Email);
        assert!(
            email.text.contains(&format!("Open: {view}")),
            "{}",
            email.text
        );
        let html = email.html.expect("html").replace("&#x2f;", "/");
        assert!(
            html.contains(&format!("<a href=\"{view}\">Open incident</a>")),
            "{html}"
        );
        let sms = rendered(kind, Channel::Sms);
        assert!(
            sms.text.ends_with(&format!(" View: {view}")),
            "{}",
            sms.text
        );
    }
    let mut without = sample_notification(MessageKind::Page);
    without.links.view = None;
    let sms = render(
        &default_templates(MessageKind::Page, Channel::Sms),
        &without,
    )
    .expect("renders");
    assert!(!sms.text.contains("View"), "{}", sms.text);
}

#[test]
fn optional_facts_are_left_out_not_printed_empty() {
    let mut notification = sample_notification(MessageKind::Acknowledged);
    notification.actor = None;
    notification.alert = None;
    if let Some(incident) = notification.incident.as_mut() {
        incident.priority = None;
    }
    let set = default_templates(MessageKind::Acknowledged, Channel::Email);
    let rendered = render(&set, &notification).expect("renders");
    assert_eq!(
        rendered.subject.as_deref(),
        Some("[Tocsin] Acknowledged #42 Checkout latency above 2 s")
    );
    assert!(!rendered.text.contains("Priority"), "{}", rendered.text);
    assert!(!rendered.text.contains("Alert:"), "{}", rendered.text);
}

#[test]
fn html_bodies_escape_alert_text_and_slack_text_escapes_mentions() {
    let mut notification = sample_notification(MessageKind::Page);
    if let Some(incident) = notification.incident.as_mut() {
        incident.title = "<script>alert(1)</script> & <!channel>".into();
    }
    let email = render(
        &default_templates(MessageKind::Page, Channel::Email),
        &notification,
    )
    .expect("renders");
    let html = email.html.expect("html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    assert!(email.text.contains("<script>"), "plain text is not escaped");
    let slack = render(
        &default_templates(MessageKind::Page, Channel::Slack),
        &notification,
    )
    .expect("renders");
    assert!(slack.text.contains("&lt;!channel&gt;"), "{}", slack.text);
    assert!(slack.text.contains(" &amp; "), "{}", slack.text);
}

#[test]
fn a_subject_is_folded_onto_one_line() {
    let set = TemplateSet {
        subject: Some("one\r\ntwo\n  three".into()),
        text: "x".into(),
        html: None,
    };
    let rendered = render(&set, &Notification::new(MessageKind::Test)).expect("renders");
    assert_eq!(rendered.subject.as_deref(), Some("one two three"));
}

#[test]
fn voice_spells_out_a_verification_code() {
    let set = default_templates(MessageKind::VerificationCode, Channel::Voice);
    let said = render(&set, &sample_notification(MessageKind::VerificationCode)).expect("renders");
    assert!(said.text.contains("4, 9, 3, 8, 1, 7"), "{}", said.text);
}

fn pointers(error: crate::ValidationError) -> Vec<String> {
    error.0.into_iter().map(|e| e.pointer).collect()
}

#[test]
fn a_syntax_error_names_its_field() {
    let set = TemplateSet {
        subject: Some("fine {{ incident.title }}".into()),
        text: "broken {% if %}".into(),
        html: Some("<p>{{ unclosed </p>".into()),
    };
    let error = validate(MessageKind::Page, Channel::Email, &set).expect_err("invalid");
    assert_eq!(pointers(error), ["/text", "/html"]);
}

#[test]
fn unknown_fields_runaway_loops_and_oversized_templates_are_refused() {
    let refused = |text: String| {
        let set = TemplateSet::text(text);
        pointers(validate(MessageKind::Page, Channel::Sms, &set).expect_err("refused"))
    };
    assert_eq!(refused("{{ incident.nonexistent }}".into()), ["/text"]);
    assert_eq!(
        refused(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
                .into()
        ),
        ["/text"]
    );
    assert_eq!(refused("x".repeat(MAX_TEMPLATE_CHARS + 1)), ["/text"]);
}

#[test]
fn fields_must_match_the_channel() {
    let sms_with_html = TemplateSet {
        subject: Some("s".into()),
        text: "t".into(),
        html: Some("h".into()),
    };
    let error = validate(MessageKind::Page, Channel::Sms, &sms_with_html).expect_err("invalid");
    assert_eq!(pointers(error), ["/subject", "/html"]);
    let email_without = TemplateSet::text("t".into());
    let error = validate(MessageKind::Page, Channel::Email, &email_without).expect_err("invalid");
    assert_eq!(pointers(error), ["/subject", "/html"]);
}

#[test]
fn a_syntax_error_names_its_field_and_line() {
    let set = TemplateSet::text("fine\n{% if %}".into());
    let error = validate(MessageKind::Page, Channel::Sms, &set).expect_err("invalid");
    assert_eq!(error.0[0].pointer, "/text");
    assert!(
        error.0[0].detail.starts_with("line 2:"),
        "{}",
        error.0[0].detail
    );
}

#[test]
fn handoff_notices_name_the_schedule_the_end_of_the_shift_and_who_is_next() {
    let start = render(
        &default_templates(MessageKind::HandoffStart, Channel::Webhook),
        &sample_notification(MessageKind::HandoffStart),
    )
    .expect("renders");
    assert_eq!(
        start.text,
        "You are now on call for Checkout primary until 2027-01-16T08:00:00Z"
    );
    let mut notification = sample_notification(MessageKind::HandoffEnd);
    let set = default_templates(MessageKind::HandoffEnd, Channel::Webhook);
    let end = render(&set, &notification).expect("renders");
    assert_eq!(
        end.text,
        "You are no longer on call for Checkout primary; Grace Hopper is on call"
    );
    if let Some(handoff) = notification.handoff.as_mut() {
        handoff.next.clear();
    }
    let gap = render(&set, &notification).expect("renders");
    assert!(
        gap.text.ends_with("; no one is on call next"),
        "{}",
        gap.text
    );
}

#[test]
fn regulatory_messages_name_the_obligation_the_incident_and_the_deadline() {
    let rendered = |kind, stage: &str| {
        let mut notification = sample_notification(kind);
        if let Some(regulatory) = notification.regulatory.as_mut() {
            regulatory.stage = stage.to_owned();
        }
        render(&default_templates(kind, Channel::Webhook), &notification)
            .expect("renders")
            .text
    };
    assert_eq!(
        rendered(MessageKind::RegulatoryReminder, "reminder_50"),
        "Reminder: GDPR Art. 33 notify the supervisory authority for #42 Checkout latency \
         above 2 s is due 2027-01-18T08:00:00Z"
    );
    assert_eq!(
        rendered(MessageKind::RegulatoryEscalation, "escalation"),
        "Due soon: GDPR Art. 33 notify the supervisory authority for #42 Checkout latency \
         above 2 s is due 2027-01-18T08:00:00Z"
    );
    assert!(rendered(MessageKind::RegulatoryEscalation, "overdue").starts_with("Overdue: "));
}

#[test]
fn cadence_messages_say_what_is_owed_for_which_incident() {
    let text = |kind| {
        render(
            &default_templates(kind, Channel::Webhook),
            &sample_notification(kind),
        )
        .expect("renders")
        .text
    };
    assert!(
        text(MessageKind::StatusUpdateReminder).starts_with(
            "Status update due soon for #42 Checkout latency above 2 s: post one even if nothing changed"
        )
    );
    assert!(
        text(MessageKind::StatusUpdateMissed)
            .starts_with("Status update missed for #42 Checkout latency above 2 s")
    );
    assert!(text(MessageKind::ManagementEscalation).starts_with(
        "Management escalation: #42 Checkout latency above 2 s is still unresolved past its window"
    ));
}
