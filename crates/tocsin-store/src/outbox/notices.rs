//! Notices to named people about an incident (regulatory stages, status-update cadence,
//! management escalation): one notification per contact method of each recipient that their
//! notification rules of the notice's urgency name (else every verified method), under a unique
//! step key, so a notice decided twice is queued once.
use jiff::Timestamp;
use tocsin_domain::contact::{NotifyProfile, plan_notifications};
use tocsin_domain::delivery::{Channel, MessageKind, Urgency};
use tocsin_domain::id::{ContactMethodId, IncidentId, UserId};
use uuid::Uuid;

use super::{NewNotification, enqueue};
use crate::contact;
use crate::error::StoreError;
use crate::tx::Tx;

const ADMINS: &str = "SELECT id FROM users WHERE active = $1 AND role IN ('owner', 'admin') \
    ORDER BY id";

/// What a notice is and where it belongs.
#[derive(Debug, Clone)]
pub struct Notice {
    pub incident_id: IncidentId,
    /// Unique per notice of the incident (`regulatory:<obligation>:<stage>` ...).
    pub step_key: String,
    pub kind: MessageKind,
    pub urgency: Urgency,
}

/// The organisation's active owners and admins, by id.
pub async fn owners_and_admins(tx: &mut Tx) -> Result<Vec<UserId>, StoreError> {
    let admins: Vec<Uuid> = tx.scalars(ADMINS, crate::args![true]).await?;
    Ok(admins.into_iter().map(UserId).collect())
}

/// The contact methods a notice goes to: those the person's notification rules of `urgency`
/// name (else every verified method), each once.
fn methods(
    profile: &NotifyProfile,
    urgency: Urgency,
    at: Timestamp,
) -> Vec<(ContactMethodId, Channel, String)> {
    let mut chosen: Vec<(ContactMethodId, Channel, String)> = Vec::new();
    for contact in plan_notifications(profile, urgency, at).contacts {
        if !chosen
            .iter()
            .any(|(id, ..)| *id == contact.contact_method_id)
        {
            chosen.push((contact.contact_method_id, contact.channel, contact.address));
        }
    }
    chosen
}

/// Queues `notice` to `users`; answers how many notifications were newly queued.
pub async fn notify_users(
    tx: &mut Tx,
    notice: &Notice,
    users: &[UserId],
    now: Timestamp,
) -> Result<usize, StoreError> {
    let profiles = contact::profiles(tx, users).await?;
    let mut queued = 0;
    for user in users {
        let Some(profile) = profiles.get(user) else {
            continue;
        };
        for (method, channel, address) in methods(profile, notice.urgency, now) {
            let secret = match channel {
                Channel::Webhook => contact::webhook_secret(tx, method).await?,
                _ => None,
            };
            let notification = NewNotification {
                incident_id: notice.incident_id,
                user_id: Some(*user),
                contact_method_id: method.0,
                step_key: notice.step_key.clone(),
                kind: notice.kind,
                urgency: notice.urgency,
                channel,
                address,
                secret,
                recipient_name: Some(profile.name.clone()),
                not_before: now,
            };
            queued += usize::from(enqueue(tx, notification, now).await?);
        }
    }
    Ok(queued)
}
