//! Users: people who sign in. The password hash lives in the projection only; it is never part of
//! `User` and never written to an event.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::UserId;
use tocsin_domain::values::{Email, Name, TimeZoneName};
use uuid::Uuid;

use super::{check_version, corrupt, payload, unique_as};
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A user as the catalog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: Name,
    pub role: OrgRole,
    pub time_zone: String,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What creating a user needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: Name,
    pub role: OrgRole,
    pub time_zone: TimeZoneName,
    pub password_hash: Option<String>,
}

/// A change to a user; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub name: Option<Name>,
    pub email: Option<Email>,
    pub role: Option<OrgRole>,
    pub time_zone: Option<TimeZoneName>,
    pub active: Option<bool>,
}

crate::sql_row! {
    struct UserRow {
        id: Uuid,
        email: String,
        name: String,
        role: String,
        time_zone: String,
        active: bool,
        version: i64,
        created_at: i64,
        updated_at: i64,
    }
}

struct UserWithHashRow {
    user: UserRow,
    password_hash: Option<String>,
}

impl crate::sql::FromRow for UserWithHashRow {
    fn from_row(row: &mut crate::sql::RowCursor<'_>) -> Result<Self, StoreError> {
        Ok(Self {
            user: UserRow::from_row(row)?,
            password_hash: row.named("password_hash")?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: UserId(row.id),
            email: Email::parse(&row.email).map_err(|e| corrupt("user email", e))?,
            name: Name::parse(&row.name).map_err(|e| corrupt("user name", e))?,
            role: OrgRole::parse(&row.role).map_err(|e| corrupt("user role", e))?,
            time_zone: row.time_zone,
            active: row.active,
            version: row.version,
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
        })
    }
}

const INSERT: &str = "INSERT INTO users \
    (id, email, name, role, time_zone, password_hash, active, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)";
const SELECT_BY_ID: &str = "SELECT id, email, name, role, time_zone, active, version, created_at, updated_at \
    FROM users WHERE id = $1";
const SELECT_BY_EMAIL: &str = "SELECT id, email, name, role, time_zone, active, version, created_at, updated_at, \
    password_hash FROM users WHERE email = $1";
const LIST: &str = "SELECT id, email, name, role, time_zone, active, version, created_at, updated_at \
    FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2";
const LIST_WITH_SKILL: &str = "SELECT id, email, name, role, time_zone, active, version, created_at, updated_at \
    FROM users WHERE ($1 IS NULL OR id > $1) \
    AND id IN (SELECT user_id FROM user_skills WHERE skill = $3) ORDER BY id LIMIT $2";
const UPDATE: &str = "UPDATE users SET name = $3, email = $4, role = $5, time_zone = $6, active = $7, \
    version = version + 1, updated_at = $8 WHERE id = $1 AND version = $2";
const SET_PASSWORD: &str = "UPDATE users SET password_hash = $2, version = version + 1, updated_at = $3 \
    WHERE id = $1";
const COUNT: &str = "SELECT COUNT(*) FROM users";
const ACTIVE_OWNERS: &str = "SELECT COUNT(*) FROM users WHERE role = $1 AND active = $2";

fn email_taken(email: &Email) -> impl FnOnce() -> String + '_ {
    move || format!("a user with the email {email} already exists")
}

/// Creates a user and appends `user.created` (without the password hash).
pub async fn create_user(
    tx: &mut Tx,
    new: NewUser,
    actor: &str,
    at: Timestamp,
) -> Result<User, StoreError> {
    let user = User {
        id: UserId::new(at),
        email: new.email,
        name: new.name,
        role: new.role,
        time_zone: new.time_zone.into(),
        active: true,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let inserted = tx
        .execute(
            INSERT,
            crate::args![
                user.id.0,
                user.email.as_str(),
                user.name.as_str(),
                user.role.as_str(),
                &user.time_zone,
                new.password_hash.as_deref(),
                user.active,
                to_micros(at)
            ],
        )
        .await;
    unique_as(inserted, email_taken(&user.email))?;
    tx.append(NewEvent::new(
        "user",
        user.id.0,
        "user.created",
        actor,
        at,
        payload(&user)?,
    ))
    .await?;
    Ok(user)
}

/// Reads a user inside a write transaction.
async fn load(tx: &mut Tx, id: UserId) -> Result<User, StoreError> {
    let row: Option<UserRow> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("user"))?.try_into()
}

pub async fn get_user(reader: Reader<'_>, id: UserId) -> Result<User, StoreError> {
    let row: Option<UserRow> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    row.ok_or(StoreError::NotFound("user"))?.try_into()
}

/// The user with this email and their password hash (if they have one), for signing in.
pub async fn find_user_by_email(
    reader: Reader<'_>,
    email: &Email,
) -> Result<Option<(User, Option<String>)>, StoreError> {
    let row: Option<UserWithHashRow> = reader
        .fetch_optional(SELECT_BY_EMAIL, crate::args![email.as_str()])
        .await?;
    row.map(|row| Ok((User::try_from(row.user)?, row.password_hash)))
        .transpose()
}

/// Users in id order after `after`, at most `limit` (the caller asks for one more than a page to
/// know whether another page follows).
pub async fn list_users(
    reader: Reader<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, StoreError> {
    let rows: Vec<UserRow> = reader.fetch_all(LIST, crate::args![after, limit]).await?;
    rows.into_iter().map(User::try_from).collect()
}

/// The same, only users with `skill` (in its stored, lowercase form).
pub async fn list_users_with_skill(
    reader: Reader<'_>,
    skill: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, StoreError> {
    let rows: Vec<UserRow> = reader
        .fetch_all(LIST_WITH_SKILL, crate::args![after, limit, skill])
        .await?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn count_users(reader: Reader<'_>) -> Result<i64, StoreError> {
    reader.scalar(COUNT, crate::args![]).await
}

/// The fields `patch` actually changes, as an event payload (empty when nothing changes).
fn changes(current: &User, patch: &UserPatch) -> Map<String, Value> {
    let mut changed = Map::new();
    if let Some(name) = patch.name.as_ref().filter(|n| **n != current.name) {
        changed.insert("name".into(), json!(name));
    }
    if let Some(email) = patch.email.as_ref().filter(|e| **e != current.email) {
        changed.insert("email".into(), json!(email));
    }
    if let Some(role) = patch.role.filter(|r| *r != current.role) {
        changed.insert("role".into(), json!(role));
    }
    if let Some(zone) = patch
        .time_zone
        .as_ref()
        .filter(|z| z.as_str() != current.time_zone)
    {
        changed.insert("time_zone".into(), json!(zone));
    }
    if let Some(active) = patch.active.filter(|a| *a != current.active) {
        changed.insert("active".into(), json!(active));
    }
    changed
}

/// Applies `patch`. A patch that changes nothing returns the user as is (no event, same version).
pub async fn update_user(
    tx: &mut Tx,
    id: UserId,
    patch: UserPatch,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<User, StoreError> {
    let current = load(tx, id).await?;
    check_version(expected_version, current.version)?;
    let changed = changes(&current, &patch);
    if changed.is_empty() {
        return Ok(current);
    }
    let next = User {
        name: patch.name.unwrap_or(current.name),
        email: patch.email.unwrap_or(current.email),
        role: patch.role.unwrap_or(current.role),
        time_zone: patch.time_zone.map_or(current.time_zone, String::from),
        active: patch.active.unwrap_or(current.active),
        version: current.version + 1,
        updated_at: at,
        ..current
    };
    let updated = tx
        .execute(
            UPDATE,
            crate::args![
                id.0,
                current.version,
                next.name.as_str(),
                next.email.as_str(),
                next.role.as_str(),
                &next.time_zone,
                next.active,
                to_micros(at)
            ],
        )
        .await;
    if unique_as(updated, email_taken(&next.email))? == 0 {
        // Changed by a concurrent writer between the read and the update (PostgreSQL).
        return Err(StoreError::StaleVersion {
            current: load(tx, id).await?.version,
        });
    }
    tx.append(NewEvent::new(
        "user",
        id.0,
        "user.updated",
        actor,
        at,
        Value::Object(changed),
    ))
    .await?;
    Ok(next)
}

/// Replaces the user's password hash. The event records only that the password changed.
pub async fn set_password_hash(
    tx: &mut Tx,
    id: UserId,
    hash: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let done = tx
        .execute(SET_PASSWORD, crate::args![id.0, hash, to_micros(at)])
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound("user"));
    }
    let body = json!({ "password_changed": true });
    tx.append(NewEvent::new(
        "user",
        id.0,
        "user.password_changed",
        actor,
        at,
        body,
    ))
    .await?;
    Ok(())
}

/// Reads a user inside a write transaction, for checks that must see the committed state.
pub async fn get_user_in(tx: &mut Tx, id: UserId) -> Result<User, StoreError> {
    load(tx, id).await
}

/// How many users exist, read inside a write transaction (so two nodes starting at once cannot
/// both create the first owner).
pub async fn count_users_in(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.scalar(COUNT, crate::args![]).await
}

/// How many active owners there are, read inside a write transaction (so a demotion or
/// deactivation can refuse to remove the last one).
pub async fn count_active_owners(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.scalar(ACTIVE_OWNERS, crate::args![OrgRole::Owner.as_str(), true])
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let at = Timestamp::from_second(1_800_000_000).expect("valid");
        User {
            id: UserId::new(at),
            email: Email::parse("ada@example.com").expect("valid"),
            name: Name::parse("Ada").expect("valid"),
            role: OrgRole::Responder,
            time_zone: "UTC".into(),
            active: true,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn only_fields_that_differ_are_reported_as_changed() {
        let current = user();
        let patch = UserPatch {
            name: Some(Name::parse("Ada").expect("valid")),
            role: Some(OrgRole::Manager),
            active: Some(true),
            ..UserPatch::default()
        };
        let changed = changes(&current, &patch);
        assert_eq!(Value::Object(changed), json!({ "role": "manager" }));
        assert!(changes(&current, &UserPatch::default()).is_empty());
    }

    #[test]
    fn the_created_payload_has_no_password_hash() {
        let body = payload(user()).expect("serialisable");
        assert!(body.get("password_hash").is_none());
        assert_eq!(body["email"], "ada@example.com");
    }
}
