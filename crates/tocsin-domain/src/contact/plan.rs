//! Planning how one person is notified of a page: which verified contact methods, when, and why.
//! The person's rules for the page's urgency decide; without any, their rules for the other
//! urgency; without any rule at all, every verified method at once. Low-urgency contacts that
//! would fall inside quiet hours wait for the window's end.
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::{ContactMethod, NotificationRule, NotifyProfile};
use crate::delivery::{Channel, Urgency};
use crate::id::ContactMethodId;

/// One contact to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedContact {
    pub contact_method_id: ContactMethodId,
    pub channel: Channel,
    pub address: String,
    pub send_at: Timestamp,
    /// Why, in words (`high-urgency rule: sms after 5 min`).
    pub reason: String,
}

/// Who is contacted when, sorted by `send_at`; `fallback` says why defaults were used (or that
/// the person cannot be reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationPlan {
    pub contacts: Vec<PlannedContact>,
    pub fallback: Option<String>,
}

fn urgency_name(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::High => "high",
        Urgency::Low => "low",
    }
}

fn other(urgency: Urgency) -> Urgency {
    match urgency {
        Urgency::High => Urgency::Low,
        Urgency::Low => Urgency::High,
    }
}

/// The rules for `urgency` whose method is verified, with their method.
fn usable(profile: &NotifyProfile, urgency: Urgency) -> Vec<(&NotificationRule, &ContactMethod)> {
    profile
        .rules
        .iter()
        .filter(|rule| rule.urgency == urgency)
        .filter_map(|rule| {
            profile
                .methods
                .iter()
                .find(|m| m.id == rule.contact_method_id && m.verified)
                .map(|method| (rule, method))
        })
        .collect()
}

/// Each rule as (delay, method, reason).
fn describe<'p>(
    rules: Vec<(&'p NotificationRule, &'p ContactMethod)>,
) -> Vec<(u16, &'p ContactMethod, String)> {
    rules
        .into_iter()
        .map(|(rule, method)| {
            let reason = format!(
                "{}-urgency rule: {} after {} min",
                urgency_name(rule.urgency),
                method.channel.as_str(),
                rule.delay_minutes
            );
            (rule.delay_minutes, method, reason)
        })
        .collect()
}

/// Plans the contacts for a page of `urgency` made at `paged_at`.
pub fn plan_notifications(
    profile: &NotifyProfile,
    urgency: Urgency,
    paged_at: Timestamp,
) -> NotificationPlan {
    let verified: Vec<&ContactMethod> = profile.methods.iter().filter(|m| m.verified).collect();
    if verified.is_empty() {
        return NotificationPlan {
            contacts: Vec::new(),
            fallback: Some(format!(
                "{} cannot be reached: no verified contact method",
                profile.name
            )),
        };
    }
    let (steps, fallback): (Vec<(u16, &ContactMethod, String)>, Option<String>) = {
        let own = usable(profile, urgency);
        let theirs = usable(profile, other(urgency));
        if !own.is_empty() {
            (describe(own), None)
        } else if !theirs.is_empty() {
            let why = format!(
                "no {}-urgency rules; used the {}-urgency rules",
                urgency_name(urgency),
                urgency_name(other(urgency))
            );
            (describe(theirs), Some(why))
        } else {
            let all = verified
                .iter()
                .map(|m| (0, *m, format!("no rules: {} at once", m.channel.as_str())))
                .collect();
            let why = "no notification rules; every verified contact method at once".to_owned();
            (all, Some(why))
        }
    };
    let mut contacts: Vec<PlannedContact> = steps
        .into_iter()
        .map(|(delay, method, reason)| {
            let due = paged_at
                .checked_add(SignedDuration::from_mins(i64::from(delay)))
                .unwrap_or(paged_at);
            let (send_at, reason) = match (&profile.quiet_hours, urgency) {
                (Some(quiet), Urgency::Low) => {
                    let after = quiet.next_outside(due, &profile.time_zone);
                    if after > due {
                        (
                            after,
                            format!("{reason}; deferred to the end of quiet hours"),
                        )
                    } else {
                        (due, reason)
                    }
                }
                _ => (due, reason),
            };
            PlannedContact {
                contact_method_id: method.id,
                channel: method.channel,
                address: method.address.clone(),
                send_at,
                reason,
            }
        })
        .collect();
    contacts.sort_by_key(|c| (c.send_at, c.contact_method_id));
    NotificationPlan { contacts, fallback }
}
