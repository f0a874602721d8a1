//! Building one attempt's message: where it goes (the row's channel and address as a
//! `Destination`), what it says (the incident as it is now, a link that opens it, and signed
//! action links for pages) and how it reads (the channel's edited template, else the default).
use jiff::Timestamp;
use tocsin_domain::delivery::templates::default_templates;
use tocsin_domain::delivery::{
    ActionLinks, AlertSummary, Channel, IncidentSummary, MessageKind, Notification, TemplateSet,
    WebhookSecret,
};
use tocsin_store::outbox::{self, Claimed, templates};
use tocsin_store::{Store, StoreError};
use url::Url;

use super::{OutboxWorker, links};
use crate::delivery::Destination;

/// The row's destination, or why it cannot be one (a permanent failure).
pub(super) fn destination(claimed: &Claimed) -> Result<Destination, String> {
    destination_of(claimed.channel, &claimed.address, claimed.secret.as_deref())
}

/// The destination of a queued message sent by `channel` to `address` (a webhook signed with
/// `secret`), or why it cannot be one (a permanent failure).
pub(crate) fn destination_of(
    channel: Channel,
    address: &str,
    secret: Option<&str>,
) -> Result<Destination, String> {
    let url = || {
        Url::parse(address)
            .map_err(|e| format!("the {} address is not a URL: {e}", channel.as_str()))
    };
    Ok(match channel {
        Channel::Webhook => {
            let secret = secret.ok_or("the webhook has no signing secret")?;
            Destination::Webhook {
                url: url()?,
                secret: WebhookSecret::parse(secret).map_err(|e| e.to_string())?,
            }
        }
        Channel::Slack => Destination::Slack {
            webhook_url: url()?,
        },
        Channel::Teams => Destination::Teams {
            webhook_url: url()?,
        },
        Channel::Email => Destination::Email {
            address: address.to_owned(),
        },
        Channel::Sms => Destination::Sms {
            number: address.to_owned(),
        },
        Channel::Voice => Destination::Voice {
            number: address.to_owned(),
        },
    })
}

/// The notification: the incident as it is now, its latest alert, a link that opens it, for
/// pages (first or escalated) signed acknowledge and resolve links, and for regulatory reminders
/// and escalations the obligation and its deadline.
pub(super) async fn notification(
    worker: &OutboxWorker,
    claimed: &Claimed,
    now: Timestamp,
) -> Result<Notification, StoreError> {
    let context = outbox::notice_context(worker.store.reader(), claimed.incident_id).await?;
    let links = match claimed.kind {
        MessageKind::Page | MessageKind::Escalated => {
            let key = worker
                .signing_key
                .get_or_try_init(|| links::signing_key(&worker.store, now))
                .await?;
            links::action_links(key, &worker.config, claimed, now)
        }
        _ => ActionLinks {
            view: links::view_url(&worker.config.public_url, claimed.incident_id),
            ..ActionLinks::default()
        },
    };
    let regulatory = match claimed.kind {
        MessageKind::RegulatoryReminder | MessageKind::RegulatoryEscalation => {
            tocsin_store::regulatory::notice_summary(worker.store.reader(), claimed.id).await?
        }
        _ => None,
    };
    Ok(Notification {
        urgency: claimed.urgency,
        regulatory,
        recipient_name: claimed.recipient_name.clone(),
        incident: Some(IncidentSummary {
            id: claimed.incident_id.0.to_string(),
            number: context.number,
            title: context.title,
            service: context.service,
            status: context.status,
            priority: None,
            escalation_level: None,
        }),
        alert: context.alert.map(|alert| AlertSummary {
            summary: alert.summary,
            severity: alert.severity,
            source: alert.source,
        }),
        links,
        ..Notification::new(claimed.kind)
    })
}

/// The templates the row's (kind, channel) renders with: the edited ones, else the defaults.
pub(super) async fn template(store: &Store, claimed: &Claimed) -> Result<TemplateSet, StoreError> {
    template_for(store, claimed.kind, claimed.channel).await
}

/// The templates `kind` sent by `channel` renders with: the edited ones, else the defaults.
pub(crate) async fn template_for(
    store: &Store,
    kind: MessageKind,
    channel: Channel,
) -> Result<TemplateSet, StoreError> {
    let stored = templates::get_template(store.reader(), kind, channel).await?;
    Ok(stored.map_or_else(|| default_templates(kind, channel), |stored| stored.set))
}
