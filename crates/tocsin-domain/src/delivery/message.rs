//! The notification message model: what happened (kind, urgency), about which incident and alert,
//! and the signed action links the recipient may follow. Channels render it through templates.
use serde::{Deserialize, Serialize};
use url::Url;

/// What a notification tells its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// An incident needs the recipient now.
    Page,
    /// Someone acknowledged an incident the recipient was paged for.
    Acknowledged,
    /// An incident the recipient was paged for resolved.
    Resolved,
    /// An incident escalated to a further level.
    Escalated,
    /// The recipient's on-call shift in a schedule starts.
    HandoffStart,
    /// The recipient's on-call shift in a schedule ends.
    HandoffEnd,
    /// A regulatory obligation's deadline is coming up (a reminder to its owner).
    RegulatoryReminder,
    /// A regulatory obligation's deadline is close or passed (its owner and the escalation
    /// recipients).
    RegulatoryEscalation,
    /// An incident's next status update is due soon (to its communications lead).
    StatusUpdateReminder,
    /// An incident's status update was not posted in time (to its commander).
    StatusUpdateMissed,
    /// An incident stayed unresolved past its escalation window (to a management level).
    ManagementEscalation,
    /// A code proving the recipient owns a contact method.
    VerificationCode,
    /// A test message sent on request.
    Test,
}

impl MessageKind {
    /// Every kind, in a stable order.
    pub const ALL: [MessageKind; 13] = [
        MessageKind::Page,
        MessageKind::Acknowledged,
        MessageKind::Resolved,
        MessageKind::Escalated,
        MessageKind::HandoffStart,
        MessageKind::HandoffEnd,
        MessageKind::RegulatoryReminder,
        MessageKind::RegulatoryEscalation,
        MessageKind::StatusUpdateReminder,
        MessageKind::StatusUpdateMissed,
        MessageKind::ManagementEscalation,
        MessageKind::VerificationCode,
        MessageKind::Test,
    ];

    /// The snake_case name used in templates, webhook event types and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Page => "page",
            MessageKind::Acknowledged => "acknowledged",
            MessageKind::Resolved => "resolved",
            MessageKind::Escalated => "escalated",
            MessageKind::HandoffStart => "handoff_start",
            MessageKind::HandoffEnd => "handoff_end",
            MessageKind::RegulatoryReminder => "regulatory_reminder",
            MessageKind::RegulatoryEscalation => "regulatory_escalation",
            MessageKind::StatusUpdateReminder => "status_update_reminder",
            MessageKind::StatusUpdateMissed => "status_update_missed",
            MessageKind::ManagementEscalation => "management_escalation",
            MessageKind::VerificationCode => "verification_code",
            MessageKind::Test => "test",
        }
    }

    /// The kind named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<MessageKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// How urgently the recipient should react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    High,
    Low,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::High => "high",
            Urgency::Low => "low",
        }
    }

    /// The urgency named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<Urgency> {
        [Urgency::High, Urgency::Low]
            .into_iter()
            .find(|urgency| urgency.as_str() == text)
    }
}

/// The incident a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    /// The incident's id (UUID text).
    pub id: String,
    /// The human-facing number (`#12`).
    pub number: i64,
    pub title: String,
    /// The service the incident belongs to.
    pub service: String,
    /// `triggered`, `acknowledged` or `resolved`.
    pub status: String,
    /// Priority name, when one is set (`P1`).
    pub priority: Option<String>,
    /// The escalation level reached (1 for the first).
    pub escalation_level: Option<u32>,
}

/// The alert that caused or last joined the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSummary {
    pub summary: String,
    /// `critical`, `error`, `warning` or `info`.
    pub severity: String,
    pub source: Option<String>,
}

/// The on-call handoff a notice is about (handoff start and end messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffSummary {
    /// The schedule's id (UUID text).
    pub schedule_id: String,
    /// The schedule's name.
    pub schedule: String,
    /// The instant of the handoff.
    pub at: jiff::Timestamp,
    /// When the recipient's shift ends (handoff start; null when beyond the look-ahead).
    pub until: Option<jiff::Timestamp>,
    /// Who was on call before (handoff start; empty after a gap).
    pub previous: Vec<String>,
    /// Who is on call next (handoff end; empty when no one is).
    pub next: Vec<String>,
}

/// The regulatory obligation a reminder or escalation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatorySummary {
    /// The obligation's id (UUID text).
    pub obligation_id: String,
    /// `GDPR_ART33`, `SEC_8K_ITEM105` ...
    pub regime: String,
    /// How people refer to the regime (`GDPR Art. 33`).
    pub regime_title: String,
    /// The obligation's key within the regime (`notification`, `early_warning` ...).
    pub obligation: String,
    /// What is filed.
    pub title: String,
    pub due_at: jiff::Timestamp,
    /// The stage that sent this message (`reminder_50`, `escalation`, `overdue` ...).
    pub stage: String,
}

/// Links the recipient may follow; the caller signs them (they are passed in as URLs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLinks {
    /// Opens the incident.
    pub view: Option<Url>,
    /// Acknowledges the incident without signing in.
    pub acknowledge: Option<Url>,
    /// Resolves the incident without signing in.
    pub resolve: Option<Url>,
}

impl ActionLinks {
    /// The links present, with a button label each, in display order.
    pub fn labelled(&self) -> Vec<(&'static str, &Url)> {
        [
            ("Acknowledge", self.acknowledge.as_ref()),
            ("Resolve", self.resolve.as_ref()),
            ("Open incident", self.view.as_ref()),
        ]
        .into_iter()
        .filter_map(|(label, url)| url.map(|url| (label, url)))
        .collect()
    }
}

/// One notification, before rendering: the template context of every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: MessageKind,
    pub urgency: Urgency,
    /// The person notified, as they are addressed.
    pub recipient_name: Option<String>,
    pub incident: Option<IncidentSummary>,
    pub alert: Option<AlertSummary>,
    pub links: ActionLinks,
    /// Who acknowledged, resolved or took over (acknowledged, resolved, handoff).
    pub actor: Option<String>,
    /// The code of a verification message.
    pub verification_code: Option<String>,
    /// Free text for handoff and test messages.
    pub note: Option<String>,
    /// The handoff of a handoff start or end message.
    pub handoff: Option<HandoffSummary>,
    /// The obligation of a regulatory reminder or escalation.
    pub regulatory: Option<RegulatorySummary>,
}

impl Notification {
    /// A notification of `kind` with nothing else filled in.
    pub fn new(kind: MessageKind) -> Self {
        Self {
            kind,
            urgency: Urgency::default(),
            recipient_name: None,
            incident: None,
            alert: None,
            links: ActionLinks::default(),
            actor: None,
            verification_code: None,
            note: None,
            handoff: None,
            regulatory: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_under_their_template_names() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).expect("serializes");
            assert_eq!(json, serde_json::Value::String(kind.as_str().to_owned()));
        }
    }

    #[test]
    fn labelled_links_keep_only_present_links_acknowledge_first() {
        let url = |s: &str| Url::parse(s).expect("url");
        let links = ActionLinks {
            view: Some(url("https://t.example/i/1")),
            acknowledge: Some(url("https://t.example/a/1")),
            resolve: None,
        };
        let labels: Vec<_> = links.labelled().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Acknowledge", "Open incident"]);
    }
}
