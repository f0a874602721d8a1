//! The default message templates of every (kind, channel): a headline and details per kind, laid
//! out per channel. Users may replace any of them; these are what a fresh installation sends.
use super::TemplateSet;
use crate::delivery::channel::Channel;
use crate::delivery::message::MessageKind;

/// `#12 Database down` — the incident's number and title.
const INCIDENT: &str = "#{{ incident.number }} {{ incident.title }}";

/// One line saying what happened.
fn headline(kind: MessageKind) -> String {
    match kind {
        MessageKind::Page => format!("Triggered {INCIDENT}"),
        MessageKind::Acknowledged => {
            format!("Acknowledged {INCIDENT}{{% if actor %}} by {{{{ actor }}}}{{% endif %}}")
        }
        MessageKind::Resolved => {
            format!("Resolved {INCIDENT}{{% if actor %}} by {{{{ actor }}}}{{% endif %}}")
        }
        MessageKind::Escalated => format!(
            "Escalated {INCIDENT}{{% if incident.escalation_level %}} to level {{{{ incident.escalation_level }}}}{{% endif %}}"
        ),
        MessageKind::HandoffStart => "You are now on call for {{ handoff.schedule }}\
             {% if handoff.until %} until {{ handoff.until }}{% endif %}"
            .to_owned(),
        MessageKind::HandoffEnd => "You are no longer on call for {{ handoff.schedule }}; \
             {% if handoff.next %}{{ handoff.next | join(', ') }} {% if handoff.next | length > 1 %}are\
             {% else %}is{% endif %} on call{% else %}no one is on call next{% endif %}"
            .to_owned(),
        MessageKind::RegulatoryReminder => "Reminder: {{ regulatory.regime_title }} \
             {{ regulatory.title | lower }} for {INCIDENT} is due {{ regulatory.due_at }}"
            .replace("{INCIDENT}", INCIDENT),
        MessageKind::RegulatoryEscalation => "{% if regulatory.stage == 'overdue' %}Overdue\
             {% else %}Due soon{% endif %}: {{ regulatory.regime_title }} \
             {{ regulatory.title | lower }} for {INCIDENT} is due {{ regulatory.due_at }}"
            .replace("{INCIDENT}", INCIDENT),
        MessageKind::StatusUpdateReminder => {
            format!("Status update due soon for {INCIDENT}: post one even if nothing changed")
        }
        MessageKind::StatusUpdateMissed => {
            format!("Status update missed for {INCIDENT}: none was posted when it was due")
        }
        MessageKind::ManagementEscalation => {
            format!("Management escalation: {INCIDENT} is still unresolved past its window")
        }
        MessageKind::VerificationCode => {
            "Your Tocsin verification code is {{ verification_code }}".to_owned()
        }
        MessageKind::Test => "Test notification from Tocsin".to_owned(),
    }
}

fn is_regulatory(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::RegulatoryReminder | MessageKind::RegulatoryEscalation
    )
}

fn is_about_an_incident(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::Page
            | MessageKind::Acknowledged
            | MessageKind::Resolved
            | MessageKind::Escalated
            | MessageKind::StatusUpdateReminder
            | MessageKind::StatusUpdateMissed
            | MessageKind::ManagementEscalation
    )
}

/// The lines under the headline, as plain text (one fact per line).
fn details(kind: MessageKind) -> &'static str {
    if is_about_an_incident(kind) {
        "Service: {{ incident.service }}\nStatus: {{ incident.status }}\
         {% if incident.priority %}\nPriority: {{ incident.priority }}{% endif %}\
         {% if alert %}\nAlert: {{ alert.summary }} ({{ alert.severity }}){% endif %}"
    } else if is_regulatory(kind) {
        "Service: {{ incident.service }}\nObligation: {{ regulatory.regime }} {{ regulatory.obligation }}\
         \nDue: {{ regulatory.due_at }}"
    } else {
        "{% if note %}{{ note }}{% endif %}"
    }
}

const TEXT_LINKS: &str = "{% if links.acknowledge %}\nAcknowledge: {{ links.acknowledge }}{% endif %}\
     {% if links.resolve %}\nResolve: {{ links.resolve }}{% endif %}\
     {% if links.view %}\nOpen: {{ links.view }}{% endif %}";

const HTML_LINKS: &str = "{% if links.acknowledge %}<a href=\"{{ links.acknowledge }}\">Acknowledge</a> {% endif %}\
     {% if links.resolve %}<a href=\"{{ links.resolve }}\">Resolve</a> {% endif %}\
     {% if links.view %}<a href=\"{{ links.view }}\">Open incident</a>{% endif %}";

/// The default templates for `kind` sent by `channel`.
pub fn default_templates(kind: MessageKind, channel: Channel) -> TemplateSet {
    let headline = headline(kind);
    let details = details(kind);
    match channel {
        Channel::Email => TemplateSet {
            subject: Some(format!("[Tocsin] {headline}")),
            text: format!("{headline}\n\n{details}\n{TEXT_LINKS}\n"),
            html: Some(format!(
                "<h2>{headline}</h2>\n<p style=\"white-space: pre-line\">{details}</p>\n<p>{HTML_LINKS}</p>\n"
            )),
        },
        Channel::Slack => TemplateSet::text(format!(
            "{{% filter slack %}}*{headline}*\n{details}{{% endfilter %}}"
        )),
        Channel::Teams => TemplateSet {
            subject: Some(headline),
            text: details.to_owned(),
            html: None,
        },
        Channel::Sms => TemplateSet::text(format!(
            "Tocsin: {headline}{{% if links.acknowledge %}} Ack: {{{{ links.acknowledge }}}}{{% endif %}}\
             {{% if links.view %}} View: {{{{ links.view }}}}{{% endif %}}"
        )),
        Channel::Voice if kind == MessageKind::VerificationCode => TemplateSet::text(
            "This is Tocsin. Your verification code is {{ verification_code | join(', ') }}. \
             Again: {{ verification_code | join(', ') }}."
                .to_owned(),
        ),
        Channel::Voice => {
            let detail = if is_about_an_incident(kind) {
                "{% if alert %} {{ alert.summary }}.{% endif %}"
            } else {
                ""
            };
            TemplateSet::text(format!("This is Tocsin. {headline}.{detail}"))
        }
        Channel::Webhook => TemplateSet::text(headline),
    }
}
