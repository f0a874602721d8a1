//! Notification rules: which of a user's contact methods is used for which urgency, after how
//! many minutes. A rule's method must belong to the user.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::contact::NotificationRule;
use tocsin_domain::delivery::Urgency;
use tocsin_domain::error::FieldError;
use tocsin_domain::id::{ContactMethodId, NotificationRuleId, UserId};
use uuid::Uuid;

use super::{urgency_from, urgency_str};
use crate::Reader;
use crate::catalog::unique_as;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

pub(crate) type RuleRow = (Uuid, Uuid, String, i64);

pub(crate) fn rule_from(row: RuleRow) -> Result<NotificationRule, StoreError> {
    let (id, method, urgency, delay) = row;
    Ok(NotificationRule {
        id: NotificationRuleId(id),
        contact_method_id: ContactMethodId(method),
        urgency: urgency_from(&urgency)?,
        delay_minutes: u16::try_from(delay)
            .map_err(|e| crate::catalog::corrupt("rule delay", e))?,
    })
}

const LIST: &str = "SELECT id, contact_method_id, urgency, delay_minutes FROM notification_rules \
    WHERE user_id = $1 ORDER BY urgency, delay_minutes, id";
const INSERT: &str = "INSERT INTO notification_rules \
    (id, user_id, contact_method_id, urgency, delay_minutes, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6)";
const METHOD_OF_USER: &str = "SELECT COUNT(*) FROM contact_methods WHERE id = $1 AND user_id = $2";
const SELECT_ONE: &str = "SELECT id, contact_method_id, urgency, delay_minutes \
    FROM notification_rules WHERE id = $1 AND user_id = $2";
const DELETE: &str = "DELETE FROM notification_rules WHERE id = $1";

/// A user's rules, by urgency then delay.
pub async fn list_rules(
    reader: Reader<'_>,
    user: UserId,
) -> Result<Vec<NotificationRule>, StoreError> {
    let rows: Vec<RuleRow> = reader.fetch_all(LIST, crate::args![user.0]).await?;
    rows.into_iter().map(rule_from).collect()
}

pub(crate) async fn insert_rule(
    tx: &mut Tx,
    user: UserId,
    method: ContactMethodId,
    urgency: Urgency,
    delay_minutes: u16,
    actor: &str,
    at: Timestamp,
) -> Result<NotificationRule, StoreError> {
    let rule = NotificationRule {
        id: NotificationRuleId::new(at),
        contact_method_id: method,
        urgency,
        delay_minutes,
    };
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                rule.id.0,
                user.0,
                method.0,
                urgency_str(urgency),
                delay_minutes,
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, || {
        "this method already has a rule for this urgency and delay".to_owned()
    })?;
    tx.append(NewEvent::new(
        "user",
        user.0,
        "user.notification_rule_added",
        actor,
        at,
        json!(rule),
    ))
    .await?;
    Ok(rule)
}

/// Adds a rule (the method must be the user's: `/contact_method_id`) and appends
/// `user.notification_rule_added`.
pub async fn add_rule(
    tx: &mut Tx,
    user: UserId,
    method: ContactMethodId,
    urgency: Urgency,
    delay_minutes: u16,
    actor: &str,
    at: Timestamp,
) -> Result<NotificationRule, StoreError> {
    let owned: i64 = tx
        .scalar(METHOD_OF_USER, crate::args![method.0, user.0])
        .await?;
    if owned == 0 {
        return Err(StoreError::Invalid(tocsin_domain::ValidationError(vec![
            FieldError::new(
                "/contact_method_id",
                "is not one of this user's contact methods",
            ),
        ])));
    }
    insert_rule(tx, user, method, urgency, delay_minutes, actor, at).await
}

/// Removes a rule of the user and appends `user.notification_rule_removed`.
pub async fn remove_rule(
    tx: &mut Tx,
    user: UserId,
    id: NotificationRuleId,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<RuleRow> = tx
        .fetch_optional(SELECT_ONE, crate::args![id.0, user.0])
        .await?;
    let rule = rule_from(row.ok_or(StoreError::NotFound("notification rule"))?)?;
    tx.execute(DELETE, crate::args![id.0]).await?;
    tx.append(NewEvent::new(
        "user",
        user.0,
        "user.notification_rule_removed",
        actor,
        at,
        json!(rule),
    ))
    .await?;
    Ok(())
}
