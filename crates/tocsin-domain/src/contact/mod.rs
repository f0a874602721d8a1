//! How to reach a person: their contact methods (validated per channel, verified by a code),
//! notification rules (which method, for which urgency, after how many minutes), quiet hours for
//! low-urgency pages, and `plan_notifications`, which turns all of it into who is contacted when.
pub mod address;
pub mod plan;
pub mod quiet;
pub mod verification;

use serde::{Deserialize, Serialize};

use crate::delivery::{Channel, Urgency};
use crate::id::{ContactMethodId, NotificationRuleId, UserId};

pub use address::{AddressError, masked_address, parse_address};
pub use plan::{NotificationPlan, PlannedContact, plan_notifications};
pub use quiet::{QuietHours, QuietHoursError, Weekdays};
pub use verification::{
    CODE_TTL_MINUTES, CheckOutcome, MAX_ATTEMPTS, MAX_SENDS_PER_HOUR, PendingCode, SendWindow,
    VerificationCode, hash_code,
};

/// The longest delay a notification rule may have, in minutes (a day).
pub const MAX_DELAY_MINUTES: u16 = 1440;
/// The longest label of a contact method, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// One way to reach a person. `address` is already validated for `channel` (see
/// [`parse_address`]); Slack and Teams addresses are credentials and are shown masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMethod {
    pub id: ContactMethodId,
    pub user_id: UserId,
    pub channel: Channel,
    pub address: String,
    pub label: String,
    pub verified: bool,
}

/// "Notify me through this method, for pages of this urgency, this many minutes after the page."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRule {
    pub id: NotificationRuleId,
    pub contact_method_id: ContactMethodId,
    pub urgency: Urgency,
    pub delay_minutes: u16,
}

/// Refuses a delay beyond a day.
pub fn check_delay(delay_minutes: u16) -> Result<u16, String> {
    if delay_minutes > MAX_DELAY_MINUTES {
        return Err(format!("must be between 0 and {MAX_DELAY_MINUTES} minutes"));
    }
    Ok(delay_minutes)
}

/// A label: at most 100 characters after trimming, no control characters (may be empty).
pub fn parse_label(raw: &str) -> Result<String, String> {
    let label = raw.trim();
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(format!("must be at most {MAX_LABEL_CHARS} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(label.to_owned())
}

/// Everything needed to plan how one person is notified.
#[derive(Debug, Clone)]
pub struct NotifyProfile {
    pub user_id: UserId,
    pub name: String,
    /// The person's time zone: quiet hours are in it.
    pub time_zone: jiff::tz::TimeZone,
    pub methods: Vec<ContactMethod>,
    pub rules: Vec<NotificationRule>,
    pub quiet_hours: Option<QuietHours>,
}

#[cfg(test)]
mod tests;
