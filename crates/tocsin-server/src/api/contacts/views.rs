//! What the contact API shows: methods (Slack and Teams URLs masked; a webhook's signing secret
//! only in the answer that created it), rules and quiet hours.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::contact::{NotificationRule, QuietHours, masked_address};
use tocsin_domain::delivery::{Channel, Urgency};
use tocsin_store::contact::StoredContactMethod;

/// A contact method.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactMethodView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    /// webhook, slack, teams, email, sms or voice.
    #[schema(value_type = String, example = "email")]
    pub channel: Channel,
    /// Slack and Teams webhook URLs are credentials: shown as host and last four characters.
    pub address: String,
    pub label: String,
    pub verified: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verified_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// A webhook's Standard Webhooks signing secret (`whsec_...`): in the creation answer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

impl From<StoredContactMethod> for ContactMethodView {
    fn from(stored: StoredContactMethod) -> Self {
        let m = stored.method;
        Self {
            id: m.id.0,
            user_id: m.user_id.0,
            channel: m.channel,
            address: masked_address(m.channel, &m.address),
            label: m.label,
            verified: m.verified,
            verified_at: stored.verified_at,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            signing_secret: None,
        }
    }
}

/// A notification rule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub contact_method_id: uuid::Uuid,
    /// high or low.
    #[schema(value_type = String, example = "high")]
    pub urgency: Urgency,
    pub delay_minutes: u16,
}

impl From<NotificationRule> for RuleView {
    fn from(rule: NotificationRule) -> Self {
        Self {
            id: rule.id.0,
            contact_method_id: rule.contact_method_id.0,
            urgency: rule.urgency,
            delay_minutes: rule.delay_minutes,
        }
    }
}

/// Quiet hours, in the user's time zone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuietHoursView {
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM` (before `start`: the window ends the next day).
    pub end: String,
    /// The weekdays a window starts on (`mon` ... `sun`).
    pub days: Vec<&'static str>,
}

impl From<QuietHours> for QuietHoursView {
    fn from(quiet: QuietHours) -> Self {
        Self {
            start: quiet.start().strftime("%H:%M").to_string(),
            end: quiet.end().strftime("%H:%M").to_string(),
            days: quiet.days().names(),
        }
    }
}

/// A user's contact methods, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactMethodList {
    pub items: Vec<ContactMethodView>,
}

/// A user's notification rules, by urgency then delay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleView>,
}
