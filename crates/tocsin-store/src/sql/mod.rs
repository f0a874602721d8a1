//! Backend-neutral statements: one SQL text (`$1`-style parameters), its arguments as [`Arg`]
//! values and its rows decoded through [`FromRow`], run by `Tx` (inside a write) or `Reader` (the
//! read pool) on whichever database is live. Store code never names a driver type, so a backend's
//! driver can change without touching a query.
mod arg;
mod exec;
mod row;

pub use arg::Arg;
pub use row::{Column, FromRow, RowCursor};

/// Builds the argument list of a statement: `args![id, name, at]`.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::sql::Arg::from($value)),*]
    };
}

/// Declares a row struct decoded by column name:
/// `sql_row! { struct TeamRow { id: Uuid, name: String } }`.
#[macro_export]
macro_rules! sql_row {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        $vis struct $name { $($field: $ty),* }

        impl $crate::sql::FromRow for $name {
            fn from_row(row: &mut $crate::sql::RowCursor<'_>) -> Result<Self, $crate::StoreError> {
                Ok(Self { $($field: row.named(stringify!($field))?),* })
            }
        }
    };
}
