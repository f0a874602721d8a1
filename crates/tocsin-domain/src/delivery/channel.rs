//! The channels a notification can travel by, and what a rendered message holds for each.
use serde::{Deserialize, Serialize};

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Webhook,
    Slack,
    Teams,
    Email,
    Sms,
    Voice,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Webhook,
        Channel::Slack,
        Channel::Teams,
        Channel::Email,
        Channel::Sms,
        Channel::Voice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Slack => "slack",
            Channel::Teams => "teams",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
        }
    }

    /// The channel named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<Channel> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == text)
    }

    /// Whether the channel shows a subject line (email's subject, a Teams card's title).
    pub fn has_subject(self) -> bool {
        matches!(self, Channel::Email | Channel::Teams)
    }

    /// Whether the channel carries an HTML body (email's alternative part).
    pub fn has_html(self) -> bool {
        matches!(self, Channel::Email)
    }
}

/// A message rendered for one channel: what the sender puts on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RenderedMessage {
    /// Email subject, Teams card title; `None` for channels without one.
    pub subject: Option<String>,
    /// The message text: email's plain part, the SMS, what the voice call says, the chat text.
    pub text: String,
    /// Email's HTML part.
    pub html: Option<String>,
}
