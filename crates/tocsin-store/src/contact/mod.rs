//! How to reach people, persisted: contact methods (with the webhook signing secret, which is
//! never part of [`StoredContactMethod`]: read it with [`webhook_secret`] when sending), pending
//! verification codes (hashes only), notification rules and quiet hours; and [`profiles`], the
//! engine's read of everything `plan_notifications` needs for a set of users in a constant number
//! of queries. Every change appends an event to the user's stream in the same transaction.
mod methods;
mod profiles;
mod quiet;
mod rules;
mod verification;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::contact::ContactMethod;
use tocsin_domain::delivery::{Channel, Urgency};

use crate::catalog::corrupt;
use crate::error::StoreError;

pub use methods::{
    ContactMethodChange, NewContactMethod, create_contact_method, delete_contact_method,
    get_contact_method, list_contact_methods, load_contact_method, update_contact_method,
    webhook_secret, webhook_secret_read,
};
pub use profiles::{WebhookSecrets, profiles, profiles_read, webhook_secrets};
pub use quiet::{delete_quiet_hours, get_quiet_hours, put_quiet_hours};
pub use rules::{add_rule, list_rules, remove_rule};
pub use verification::{
    VerificationAttempt, VerificationRequest, check_verification, record_sending,
    request_verification,
};

/// A contact method as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredContactMethod {
    #[serde(flatten)]
    pub method: ContactMethod,
    pub verified_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn channel_from(text: &str) -> Result<Channel, StoreError> {
    Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == text)
        .ok_or_else(|| corrupt("contact channel", text))
}

pub(crate) fn urgency_str(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::High => "high",
        Urgency::Low => "low",
    }
}

pub(crate) fn urgency_from(text: &str) -> Result<Urgency, StoreError> {
    match text {
        "high" => Ok(Urgency::High),
        "low" => Ok(Urgency::Low),
        other => Err(corrupt("rule urgency", other)),
    }
}
