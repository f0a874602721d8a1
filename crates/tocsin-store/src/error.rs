//! The store's error type: what a caller needs to decide the response (conflict, missing, stale,
//! unavailable) without seeing database internals.
use tocsin_domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is overloaded; retry later (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness or reference rule refused the change (409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The change is not possible in the object's current state (409); the detail says why in
    /// words a user can act on, and the pointer names the field at fault (empty: the whole request).
    #[error("refused: {detail}")]
    Refused { pointer: String, detail: String },
    /// The object does not exist (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller's version of the object is stale (412).
    #[error("the object was changed since it was read (current version {current})")]
    StaleVersion { current: i64 },
    /// The change breaks a domain rule only checkable against stored state (422).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The database schema is newer than this binary, or not migrated.
    #[error("{0}")]
    Schema(String),
    /// Anything else the database reported; logged, never shown to users.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored value this binary cannot read (a bug or a hand-edited row); logged, never shown.
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    /// A write operation panicked; its changes were rolled back.
    #[error("write operation panicked; its changes were rolled back")]
    Panicked,
}

/// How a `Conflict` from a uniqueness rule starts (followed by `:constraint` when the database
/// names it), so callers can tell it from a reference rule.
pub(crate) const UNIQUE_VIOLATION: &str = "unique";

impl StoreError {
    /// The change is refused in the object's current state, for `detail`.
    pub fn refused(pointer: &str, detail: impl std::fmt::Display) -> Self {
        Self::Refused {
            pointer: pointer.to_owned(),
            detail: detail.to_string(),
        }
    }

    /// Whether this is a uniqueness rule refusing the change.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Conflict(constraint) if constraint.starts_with(UNIQUE_VIOLATION))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(error.to_string())
            }
            sqlx::Error::WorkerCrashed => Self::Unavailable(error.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(db.constraint().map_or_else(
                    || UNIQUE_VIOLATION.to_owned(),
                    |name| format!("{UNIQUE_VIOLATION}:{name}"),
                ))
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Self::Conflict(
                db.constraint()
                    .map_or_else(|| "reference".to_owned(), str::to_owned),
            ),
            sqlx::Error::Database(db) if is_busy(db.code().as_deref()) => {
                Self::Unavailable(error.to_string())
            }
            _ => Self::Database(Box::new(error)),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        let rusqlite::Error::SqliteFailure(failure, message) = &error else {
            return Self::Database(Box::new(error));
        };
        let message = message.as_deref().unwrap_or("");
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                Self::Conflict(format!("{UNIQUE_VIOLATION}:{message}"))
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Self::Conflict("reference".to_owned()),
            _ if matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
            {
                Self::Unavailable(error.to_string())
            }
            _ => Self::Database(Box::new(error)),
        }
    }
}

/// SQLite busy/locked, PostgreSQL connection and shutdown classes.
fn is_busy(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("5" | "6" | "517" | "57P01" | "57P02" | "57P03" | "53300")
    ) || code.is_some_and(|c| c.starts_with("08"))
}
