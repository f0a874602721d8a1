//! Decoding result rows: a [`Column`] is one value read from a row of either backend, a
//! [`FromRow`] a whole row (tuples by position, `sql_row!` structs by column name).
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::error::StoreError;

/// Where a column is: its position or its name.
#[derive(Debug, Clone, Copy)]
pub enum ColumnRef<'n> {
    Index(usize),
    Name(&'n str),
}

/// A value readable from a result column of either backend.
pub trait Column: Sized {
    fn from_postgres(row: &PgRow, column: ColumnRef<'_>) -> Result<Self, sqlx::Error>;
    fn from_sqlite(row: &SqliteRow, column: ColumnRef<'_>) -> Result<Self, sqlx::Error>;
    fn from_writer(row: &rusqlite::Row<'_>, column: ColumnRef<'_>) -> rusqlite::Result<Self>;
}

macro_rules! column {
    ($($ty:ty),* $(,)?) => {$(
        impl Column for $ty {
            fn from_postgres(row: &PgRow, column: ColumnRef<'_>) -> Result<Self, sqlx::Error> {
                match column {
                    ColumnRef::Index(index) => row.try_get(index),
                    ColumnRef::Name(name) => row.try_get(name),
                }
            }
            fn from_sqlite(row: &SqliteRow, column: ColumnRef<'_>) -> Result<Self, sqlx::Error> {
                match column {
                    ColumnRef::Index(index) => row.try_get(index),
                    ColumnRef::Name(name) => row.try_get(name),
                }
            }
            fn from_writer(row: &rusqlite::Row<'_>, column: ColumnRef<'_>) -> rusqlite::Result<Self> {
                match column {
                    ColumnRef::Index(index) => row.get(index),
                    ColumnRef::Name(name) => row.get(name),
                }
            }
        }
    )*};
}

column!(
    i64,
    f64,
    bool,
    String,
    Uuid,
    Vec<u8>,
    Option<i64>,
    Option<f64>,
    Option<bool>,
    Option<String>,
    Option<Uuid>,
    Option<Vec<u8>>,
);

/// A row being read, column after column: from PostgreSQL, from SQLite's read pool, or on the
/// SQLite writer's own connection.
pub enum RowCursor<'r> {
    Postgres {
        row: &'r PgRow,
        next: usize,
    },
    Sqlite {
        row: &'r SqliteRow,
        next: usize,
    },
    Writer {
        row: &'r rusqlite::Row<'r>,
        next: usize,
    },
}

impl<'r> RowCursor<'r> {
    pub(crate) fn postgres(row: &'r PgRow) -> Self {
        Self::Postgres { row, next: 0 }
    }

    pub(crate) fn sqlite(row: &'r SqliteRow) -> Self {
        Self::Sqlite { row, next: 0 }
    }

    pub(crate) fn writer(row: &'r rusqlite::Row<'r>) -> Self {
        Self::Writer { row, next: 0 }
    }

    /// The next column by position.
    pub fn column<T: Column>(&mut self) -> Result<T, StoreError> {
        match self {
            Self::Postgres { row, next } => {
                *next += 1;
                Ok(T::from_postgres(row, ColumnRef::Index(*next - 1))?)
            }
            Self::Sqlite { row, next } => {
                *next += 1;
                Ok(T::from_sqlite(row, ColumnRef::Index(*next - 1))?)
            }
            Self::Writer { row, next } => {
                *next += 1;
                Ok(T::from_writer(row, ColumnRef::Index(*next - 1))?)
            }
        }
    }

    /// The column called `name`.
    pub fn named<T: Column>(&mut self, name: &str) -> Result<T, StoreError> {
        match self {
            Self::Postgres { row, .. } => Ok(T::from_postgres(row, ColumnRef::Name(name))?),
            Self::Sqlite { row, .. } => Ok(T::from_sqlite(row, ColumnRef::Name(name))?),
            Self::Writer { row, .. } => Ok(T::from_writer(row, ColumnRef::Name(name))?),
        }
    }
}

/// A whole result row.
pub trait FromRow: Sized {
    fn from_row(row: &mut RowCursor<'_>) -> Result<Self, StoreError>;
}

macro_rules! tuple_row {
    ($($name:ident),+) => {
        impl<$($name: Column),+> FromRow for ($($name,)+) {
            fn from_row(row: &mut RowCursor<'_>) -> Result<Self, StoreError> {
                Ok(($(row.column::<$name>()?,)+))
            }
        }
    };
}

tuple_row!(A);
tuple_row!(A, B);
tuple_row!(A, B, C);
tuple_row!(A, B, C, D);
tuple_row!(A, B, C, D, E);
tuple_row!(A, B, C, D, E, F);
tuple_row!(A, B, C, D, E, F, G);
tuple_row!(A, B, C, D, E, F, G, H);
tuple_row!(A, B, C, D, E, F, G, H, I);
tuple_row!(A, B, C, D, E, F, G, H, I, J);
tuple_row!(A, B, C, D, E, F, G, H, I, J, K);
tuple_row!(A, B, C, D, E, F, G, H, I, J, K, L);
