//! Message templates users edited, per (kind, channel); without a stored one the built-in default
//! (`tocsin_domain::delivery::templates::default_templates`) applies. Changes are events on the
//! `notification_template` stream of the (kind, channel).
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use tocsin_domain::delivery::{Channel, MessageKind, TemplateSet};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTemplate {
    pub set: TemplateSet,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

type Row = (Option<String>, String, Option<String>, i64, String, i64);

/// The stream a (kind, channel)'s changes go to: a name-based id, stable across nodes.
fn stream(kind: MessageKind, channel: Channel) -> Uuid {
    use sha2::Digest;
    let name = format!(
        "notification_template/{}/{}",
        kind.as_str(),
        channel.as_str()
    );
    let digest = sha2::Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

const SELECT: &str = "SELECT subject, text, html, version, updated_by, updated_at \
    FROM notification_templates WHERE kind = $1 AND channel = $2";

fn from_row((subject, text, html, version, updated_by, updated_at): Row) -> StoredTemplate {
    StoredTemplate {
        set: TemplateSet {
            subject,
            text,
            html,
        },
        version,
        updated_by,
        updated_at: from_micros(updated_at),
    }
}

/// The edited template of (kind, channel), if any.
pub async fn get_template(
    reader: Reader<'_>,
    kind: MessageKind,
    channel: Channel,
) -> Result<Option<StoredTemplate>, StoreError> {
    let row: Option<Row> = reader
        .fetch_optional(SELECT, crate::args![kind.as_str(), channel.as_str()])
        .await?;
    Ok(row.map(from_row))
}

/// Stores an edited (already validated) template, replacing any earlier edit; answers it.
pub async fn put_template(
    tx: &mut Tx,
    kind: MessageKind,
    channel: Channel,
    set: TemplateSet,
    actor: &str,
    at: Timestamp,
) -> Result<StoredTemplate, StoreError> {
    let args = crate::args![
        kind.as_str(),
        channel.as_str(),
        &set.subject,
        &set.text,
        &set.html,
        actor,
        to_micros(at)
    ];
    tx.execute(
        "INSERT INTO notification_templates (kind, channel, subject, text, html, version, \
         updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) \
         ON CONFLICT (kind, channel) DO UPDATE SET subject = excluded.subject, \
         text = excluded.text, html = excluded.html, \
         version = notification_templates.version + 1, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        args,
    )
    .await?;
    let row: Row = tx
        .fetch_one(SELECT, crate::args![kind.as_str(), channel.as_str()])
        .await?;
    let stored = from_row(row);
    let payload = json!({
        "kind": kind, "channel": channel, "version": stored.version, "template": stored.set,
    });
    tx.append(NewEvent::new(
        "notification_template",
        stream(kind, channel),
        "notification_template.updated",
        actor,
        at,
        payload,
    ))
    .await?;
    Ok(stored)
}

/// Drops the edited template (the default applies again); answers whether there was one.
pub async fn delete_template(
    tx: &mut Tx,
    kind: MessageKind,
    channel: Channel,
    actor: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let deleted = tx
        .execute(
            "DELETE FROM notification_templates WHERE kind = $1 AND channel = $2",
            crate::args![kind.as_str(), channel.as_str()],
        )
        .await?;
    if deleted > 0 {
        tx.append(NewEvent::new(
            "notification_template",
            stream(kind, channel),
            "notification_template.reset",
            actor,
            at,
            json!({ "kind": kind, "channel": channel }),
        ))
        .await?;
    }
    Ok(deleted > 0)
}
