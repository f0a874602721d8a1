//! Contact methods: create (a webhook gets its signing secret), change (a new address un-verifies
//! the method), delete, read.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::contact::ContactMethod;
use tocsin_domain::delivery::Channel;
use tocsin_domain::id::{ContactMethodId, UserId};
use uuid::Uuid;

use super::{StoredContactMethod, channel_from};
use crate::Reader;
use crate::catalog::unique_as;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A contact method to create; `address` and `label` are validated by the caller
/// (`tocsin_domain::contact::parse_address`, `parse_label`).
#[derive(Debug, Clone)]
pub struct NewContactMethod {
    pub channel: Channel,
    pub address: String,
    pub label: String,
    /// The webhook signing secret (`whsec_...`), for webhooks only.
    pub secret: Option<String>,
}

/// A change: any field left `None` stays.
#[derive(Debug, Clone, Default)]
pub struct ContactMethodChange {
    pub address: Option<String>,
    pub label: Option<String>,
}

crate::sql_row! {
    pub(crate) struct MethodRow {
        id: Uuid,
        user_id: Uuid,
        channel: String,
        address: String,
        label: String,
        verified_at: Option<i64>,
        created_at: i64,
        updated_at: i64,
    }
}

impl TryFrom<MethodRow> for StoredContactMethod {
    type Error = StoreError;
    fn try_from(row: MethodRow) -> Result<Self, StoreError> {
        Ok(Self {
            method: ContactMethod {
                id: ContactMethodId(row.id),
                user_id: UserId(row.user_id),
                channel: channel_from(&row.channel)?,
                address: row.address,
                label: row.label,
                verified: row.verified_at.is_some(),
            },
            verified_at: row.verified_at.map(from_micros),
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
        })
    }
}

const SELECT_ONE: &str = "SELECT id, user_id, channel, address, label, verified_at, created_at, updated_at \
    FROM contact_methods WHERE id = $1 AND user_id = $2";
const LIST: &str = "SELECT id, user_id, channel, address, label, verified_at, created_at, updated_at \
    FROM contact_methods WHERE user_id = $1 ORDER BY id";
const INSERT: &str = "INSERT INTO contact_methods \
    (id, user_id, channel, address, label, secret, verified_at, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7)";
const UPDATE: &str = "UPDATE contact_methods SET address = $2, label = $3, verified_at = $4, \
    updated_at = $5 WHERE id = $1";
const DELETE: &str = "DELETE FROM contact_methods WHERE id = $1";
const SECRET: &str = "SELECT secret FROM contact_methods WHERE id = $1";
const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE id = $1";

fn taken() -> String {
    "this user already has this address for this channel".to_owned()
}

/// Reads one of `user`'s methods inside a write transaction.
pub async fn load_contact_method(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
) -> Result<StoredContactMethod, StoreError> {
    let row: Option<MethodRow> = tx
        .fetch_optional(SELECT_ONE, crate::args![id.0, user.0])
        .await?;
    row.ok_or(StoreError::NotFound("contact method"))?
        .try_into()
}

pub async fn get_contact_method(
    reader: Reader<'_>,
    user: UserId,
    id: ContactMethodId,
) -> Result<StoredContactMethod, StoreError> {
    let row: Option<MethodRow> = reader
        .fetch_optional(SELECT_ONE, crate::args![id.0, user.0])
        .await?;
    row.ok_or(StoreError::NotFound("contact method"))?
        .try_into()
}

/// A user's methods, oldest first.
pub async fn list_contact_methods(
    reader: Reader<'_>,
    user: UserId,
) -> Result<Vec<StoredContactMethod>, StoreError> {
    let rows: Vec<MethodRow> = reader.fetch_all(LIST, crate::args![user.0]).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The webhook signing secret of a method (`None` for other channels). Kept out of
/// `StoredContactMethod` so it is never serialised or logged by accident.
pub async fn webhook_secret(
    tx: &mut Tx,
    id: ContactMethodId,
) -> Result<Option<String>, StoreError> {
    let secret: Option<Option<String>> = tx.scalar_optional(SECRET, crate::args![id.0]).await?;
    Ok(secret.flatten())
}

/// The same, from the read pool (a test message sent on request).
pub async fn webhook_secret_read(
    reader: Reader<'_>,
    id: ContactMethodId,
) -> Result<Option<String>, StoreError> {
    let secret: Option<Option<String>> = reader.scalar_optional(SECRET, crate::args![id.0]).await?;
    Ok(secret.flatten())
}

/// Creates an unverified method and appends `user.contact_method_added` (address included, the
/// secret never).
pub async fn create_contact_method(
    tx: &mut Tx,
    user: UserId,
    new: NewContactMethod,
    actor: &str,
    at: Timestamp,
) -> Result<StoredContactMethod, StoreError> {
    let exists: i64 = tx.scalar(USER_EXISTS, crate::args![user.0]).await?;
    if exists == 0 {
        return Err(StoreError::NotFound("user"));
    }
    let now = from_micros(to_micros(at));
    let stored = StoredContactMethod {
        method: ContactMethod {
            id: ContactMethodId::new(at),
            user_id: user,
            channel: new.channel,
            address: new.address,
            label: new.label,
            verified: false,
        },
        verified_at: None,
        created_at: now,
        updated_at: now,
    };
    let m = &stored.method;
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                m.id.0,
                user.0,
                m.channel.as_str(),
                m.address.as_str(),
                m.label.as_str(),
                new.secret,
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, taken)?;
    append(tx, "user.contact_method_added", &stored, actor, at).await?;
    Ok(stored)
}

async fn append(
    tx: &mut Tx,
    kind: &'static str,
    stored: &StoredContactMethod,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let m = &stored.method;
    let body = json!({
        "contact_method_id": m.id, "channel": m.channel,
        "address": tocsin_domain::contact::masked_address(m.channel, &m.address),
        "label": m.label, "verified": m.verified,
    });
    tx.append(NewEvent::new("user", m.user_id.0, kind, actor, at, body))
        .await?;
    Ok(())
}

/// Changes a method's address or label and appends `user.contact_method_updated`. A new address
/// un-verifies the method.
pub async fn update_contact_method(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
    change: ContactMethodChange,
    actor: &str,
    at: Timestamp,
) -> Result<StoredContactMethod, StoreError> {
    let current = load_contact_method(tx, user, id).await?;
    let mut next = current.clone();
    if let Some(address) = change.address
        && address != current.method.address
    {
        next.method.address = address;
        next.method.verified = false;
        next.verified_at = None;
    }
    if let Some(label) = change.label {
        next.method.label = label;
    }
    if next == current {
        return Ok(current);
    }
    next.updated_at = from_micros(to_micros(at));
    let updated = tx
        .execute(
            UPDATE,
            crate::args![
                id.0,
                next.method.address.as_str(),
                next.method.label.as_str(),
                next.verified_at.map(to_micros),
                to_micros(at)
            ],
        )
        .await;
    unique_as(updated, taken)?;
    append(tx, "user.contact_method_updated", &next, actor, at).await?;
    Ok(next)
}

/// Deletes a method (its rules and pending code go with it) and appends
/// `user.contact_method_removed`.
pub async fn delete_contact_method(
    tx: &mut Tx,
    user: UserId,
    id: ContactMethodId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let current = load_contact_method(tx, user, id).await?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    append(tx, "user.contact_method_removed", &current, actor, at).await
}
