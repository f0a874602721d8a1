//! The engine's read: every user's `NotifyProfile` (name, time zone, contact methods, rules,
//! quiet hours) for a set of users, in four queries whatever the number of users. The user ids
//! travel as one JSON array argument, expanded by each backend's JSON table function (the only
//! backend-specific text here).
use std::collections::HashMap;

use tocsin_domain::contact::{ContactMethod, NotifyProfile};
use tocsin_domain::id::{ContactMethodId, UserId};
use uuid::Uuid;

use super::StoredContactMethod;
use super::methods::MethodRow;
use super::quiet::{QuietRow, quiet_from};
use super::rules::rule_from;
use crate::Reader;
use crate::catalog::corrupt;
use crate::error::StoreError;
use crate::store::Backend;
use crate::tx::Tx;

/// `IN` lists over the JSON array in `$1` (hex ids: SQLite stores ids as blobs).
macro_rules! users_in {
    (sqlite) => {
        "(SELECT unhex(value) FROM json_each($1))"
    };
    (postgres) => {
        "(SELECT value::uuid FROM json_array_elements_text($1::json))"
    };
}

macro_rules! queries {
    ($backend:tt) => {
        Queries {
            users: concat!(
                "SELECT id, name, time_zone FROM users WHERE id IN ",
                users_in!($backend)
            ),
            methods: concat!(
                "SELECT id, user_id, channel, address, label, verified_at, created_at, updated_at \
                 FROM contact_methods WHERE user_id IN ",
                users_in!($backend),
                " ORDER BY id"
            ),
            rules: concat!(
                "SELECT user_id, id, contact_method_id, urgency, delay_minutes \
                 FROM notification_rules WHERE user_id IN ",
                users_in!($backend),
                " ORDER BY id"
            ),
            quiet: concat!(
                "SELECT user_id, start_minute, end_minute, days_mask FROM user_quiet_hours \
                 WHERE user_id IN ",
                users_in!($backend)
            ),
            secrets: concat!(
                "SELECT id, secret FROM contact_methods WHERE secret IS NOT NULL AND user_id IN ",
                users_in!($backend)
            ),
        }
    };
}

struct Queries {
    users: &'static str,
    methods: &'static str,
    rules: &'static str,
    quiet: &'static str,
    secrets: &'static str,
}

/// The webhook signing secrets of a set of users' contact methods, by method. Its `Debug` shows
/// only which methods have one, never a secret.
#[derive(Default)]
pub struct WebhookSecrets(HashMap<ContactMethodId, String>);

impl WebhookSecrets {
    /// The signing secret of `method`, if it is a webhook method with one.
    pub fn get(&self, method: ContactMethodId) -> Option<&str> {
        self.0.get(&method).map(String::as_str)
    }
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

const SQLITE: Queries = queries!(sqlite);
const POSTGRES: Queries = queries!(postgres);

fn queries_for(backend: Backend) -> &'static Queries {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

fn ids_json(users: &[UserId]) -> String {
    let hex: Vec<String> = users.iter().map(|u| u.0.simple().to_string()).collect();
    serde_json::Value::from(hex).to_string()
}

type UserRow = (Uuid, String, String);
type UserRuleRow = (Uuid, Uuid, Uuid, String, i64);

/// The four result sets, assembled.
fn assemble(
    users: Vec<UserRow>,
    methods: Vec<MethodRow>,
    rules: Vec<UserRuleRow>,
    quiet: Vec<QuietRow>,
) -> Result<HashMap<UserId, NotifyProfile>, StoreError> {
    let mut profiles = HashMap::with_capacity(users.len());
    for (id, name, zone) in users {
        let time_zone = jiff::tz::TimeZone::get(&zone).map_err(|e| corrupt("user time zone", e))?;
        profiles.insert(
            UserId(id),
            NotifyProfile {
                user_id: UserId(id),
                name,
                time_zone,
                methods: Vec::new(),
                rules: Vec::new(),
                quiet_hours: None,
            },
        );
    }
    for row in methods {
        let method: ContactMethod = StoredContactMethod::try_from(row)?.method;
        if let Some(profile) = profiles.get_mut(&method.user_id) {
            profile.methods.push(method);
        }
    }
    for (user, id, method, urgency, delay) in rules {
        if let Some(profile) = profiles.get_mut(&UserId(user)) {
            profile.rules.push(rule_from((id, method, urgency, delay))?);
        }
    }
    for row in quiet {
        let (user, hours) = quiet_from(row)?;
        if let Some(profile) = profiles.get_mut(&user) {
            profile.quiet_hours = Some(hours);
        }
    }
    Ok(profiles)
}

/// The profiles of `users` (those that exist), read inside a write transaction: what the
/// escalation engine plans notifications with.
pub async fn profiles(
    tx: &mut Tx,
    users: &[UserId],
) -> Result<HashMap<UserId, NotifyProfile>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let q = queries_for(tx.backend());
    let ids = ids_json(users);
    let user_rows = tx.fetch_all(q.users, crate::args![ids.as_str()]).await?;
    let methods = tx.fetch_all(q.methods, crate::args![ids.as_str()]).await?;
    let rules = tx.fetch_all(q.rules, crate::args![ids.as_str()]).await?;
    let quiet = tx.fetch_all(q.quiet, crate::args![ids.as_str()]).await?;
    assemble(user_rows, methods, rules, quiet)
}

/// The webhook signing secrets of `users`' contact methods, in one query (the escalation engine
/// reads them only when a page goes to a webhook).
pub async fn webhook_secrets(tx: &mut Tx, users: &[UserId]) -> Result<WebhookSecrets, StoreError> {
    if users.is_empty() {
        return Ok(WebhookSecrets::default());
    }
    let q = queries_for(tx.backend());
    let ids = ids_json(users);
    let rows: Vec<(Uuid, String)> = tx.fetch_all(q.secrets, crate::args![ids.as_str()]).await?;
    Ok(WebhookSecrets(
        rows.into_iter()
            .map(|(id, secret)| (ContactMethodId(id), secret))
            .collect(),
    ))
}

/// The same, from the read pool (the notification-plan preview).
pub async fn profiles_read(
    reader: Reader<'_>,
    users: &[UserId],
) -> Result<HashMap<UserId, NotifyProfile>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = match reader {
        Reader::Sqlite(_) => Backend::Sqlite,
        Reader::Postgres(_) => Backend::Postgres,
    };
    let q = queries_for(backend);
    let ids = ids_json(users);
    let user_rows = reader
        .fetch_all(q.users, crate::args![ids.as_str()])
        .await?;
    let methods = reader
        .fetch_all(q.methods, crate::args![ids.as_str()])
        .await?;
    let rules = reader
        .fetch_all(q.rules, crate::args![ids.as_str()])
        .await?;
    let quiet = reader
        .fetch_all(q.quiet, crate::args![ids.as_str()])
        .await?;
    assemble(user_rows, methods, rules, quiet)
}
