//! Running a neutral statement: inside a write transaction (`Tx`) or on the read pool (`Reader`).
use futures::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Executor, Postgres, Sqlite};

use super::{Arg, Column, FromRow, RowCursor};
use crate::conn::{Conn, Reader};
use crate::error::StoreError;
use crate::tx::Tx;

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Real(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
                Arg::Blob(value) => query.bind(value),
                Arg::Uuid(value) => query.bind(value),
                Arg::Bool(value) => query.bind(value),
            };
        }
        query
    }};
}

fn postgres(sql: &'static str, args: Vec<Arg>) -> Query<'static, Postgres, PgArguments> {
    bind_all!(sqlx::query(sql), args)
}

fn sqlite(sql: &'static str, args: Vec<Arg>) -> Query<'static, Sqlite, SqliteArguments> {
    bind_all!(sqlx::query(sql), args)
}

async fn all_postgres<'e, R: FromRow>(
    executor: impl Executor<'e, Database = Postgres>,
    sql: &'static str,
    args: Vec<Arg>,
) -> Result<Vec<R>, StoreError> {
    let mut rows = postgres(sql, args).fetch(executor);
    let mut decoded = Vec::new();
    while let Some(row) = rows.try_next().await? {
        decoded.push(R::from_row(&mut RowCursor::postgres(&row))?);
    }
    Ok(decoded)
}

async fn all_sqlite<'e, R: FromRow>(
    executor: impl Executor<'e, Database = Sqlite>,
    sql: &'static str,
    args: Vec<Arg>,
) -> Result<Vec<R>, StoreError> {
    let mut rows = sqlite(sql, args).fetch(executor);
    let mut decoded = Vec::new();
    while let Some(row) = rows.try_next().await? {
        decoded.push(R::from_row(&mut RowCursor::sqlite(&row))?);
    }
    Ok(decoded)
}

async fn optional_postgres<'e, R: FromRow>(
    executor: impl Executor<'e, Database = Postgres>,
    sql: &'static str,
    args: Vec<Arg>,
) -> Result<Option<R>, StoreError> {
    match postgres(sql, args).fetch_optional(executor).await? {
        Some(row) => R::from_row(&mut RowCursor::postgres(&row)).map(Some),
        None => Ok(None),
    }
}

async fn optional_sqlite<'e, R: FromRow>(
    executor: impl Executor<'e, Database = Sqlite>,
    sql: &'static str,
    args: Vec<Arg>,
) -> Result<Option<R>, StoreError> {
    match sqlite(sql, args).fetch_optional(executor).await? {
        Some(row) => R::from_row(&mut RowCursor::sqlite(&row)).map(Some),
        None => Ok(None),
    }
}

/// Binds `args` to a statement of the SQLite writer: parameter `$N` (or `?N`) takes `args[N-1]`,
/// wherever it appears in the text, as sqlx does.
fn bind_writer(statement: &mut rusqlite::Statement<'_>, args: &[Arg]) -> Result<(), StoreError> {
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.trim_start_matches(['$', '?']).parse::<usize>().ok())
            .unwrap_or(index);
        let arg = number
            .checked_sub(1)
            .and_then(|position| args.get(position))
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "parameter {number} of {:?} has no argument",
                    statement.expanded_sql()
                ))
            })?;
        match arg {
            Arg::Int(value) => statement.raw_bind_parameter(index, value)?,
            Arg::Real(value) => statement.raw_bind_parameter(index, value)?,
            Arg::Text(value) => statement.raw_bind_parameter(index, value)?,
            Arg::Blob(value) => statement.raw_bind_parameter(index, value)?,
            Arg::Uuid(value) => {
                statement.raw_bind_parameter(index, value.as_ref().map(|id| &id.as_bytes()[..]))?
            }
            Arg::Bool(value) => statement.raw_bind_parameter(index, value)?,
        }
    }
    Ok(())
}

fn execute_writer(
    connection: &rusqlite::Connection,
    sql: &'static str,
    args: &[Arg],
) -> Result<u64, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    bind_writer(&mut statement, args)?;
    let changed = statement.raw_execute()?;
    Ok(u64::try_from(changed).unwrap_or(u64::MAX))
}

fn rows_writer<R: FromRow>(
    connection: &rusqlite::Connection,
    sql: &'static str,
    args: &[Arg],
    limit: usize,
) -> Result<Vec<R>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    bind_writer(&mut statement, args)?;
    let mut rows = statement.raw_query();
    let mut decoded = Vec::new();
    while decoded.len() < limit
        && let Some(row) = rows.next()?
    {
        decoded.push(R::from_row(&mut RowCursor::writer(row))?);
    }
    Ok(decoded)
}

/// The first column of a row.
struct Single<T>(T);

impl<T: Column> FromRow for Single<T> {
    fn from_row(row: &mut RowCursor<'_>) -> Result<Self, StoreError> {
        row.column().map(Single)
    }
}

/// The reads every statement runner offers on top of `fetch_all` and `fetch_optional`.
macro_rules! derived_reads {
    () => {
        /// The first row of a query, which must exist.
        pub async fn fetch_one<R: FromRow>(
            self,
            sql: &'static str,
            args: Vec<Arg>,
        ) -> Result<R, StoreError> {
            self.fetch_optional(sql, args)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("no row from {sql}")))
        }

        /// The first column of the first row (e.g. a `COUNT(*)`), which must exist.
        pub async fn scalar<T: Column>(
            self,
            sql: &'static str,
            args: Vec<Arg>,
        ) -> Result<T, StoreError> {
            self.fetch_one::<Single<T>>(sql, args).await.map(|s| s.0)
        }

        /// The first column of the first row, if there is a row.
        pub async fn scalar_optional<T: Column>(
            self,
            sql: &'static str,
            args: Vec<Arg>,
        ) -> Result<Option<T>, StoreError> {
            Ok(self
                .fetch_optional::<Single<T>>(sql, args)
                .await?
                .map(|s| s.0))
        }

        /// The first column of every row.
        pub async fn scalars<T: Column>(
            self,
            sql: &'static str,
            args: Vec<Arg>,
        ) -> Result<Vec<T>, StoreError> {
            Ok(self
                .fetch_all::<Single<T>>(sql, args)
                .await?
                .into_iter()
                .map(|s| s.0)
                .collect())
        }
    };
}

/// Statements inside a write transaction (each consumes the borrow, so a `Tx` method can hand
/// itself over for one statement).
struct InTx<'t>(&'t mut Tx);

/// The statement methods of `Tx`, each running one statement in the transaction.
macro_rules! delegate {
    ($($name:ident<$($generic:ident: $bound:path)?> -> $out:ty;)*) => {
        impl Tx {$(
            #[doc = concat!("Runs `", stringify!($name), "` in this transaction.")]
            pub async fn $name$(<$generic: $bound>)?(
                &mut self,
                sql: &'static str,
                args: Vec<Arg>,
            ) -> Result<$out, StoreError> {
                InTx(self).$name(sql, args).await
            }
        )*}
    };
}

delegate! {
    execute<> -> u64;
    fetch_all<R: FromRow> -> Vec<R>;
    fetch_optional<R: FromRow> -> Option<R>;
    fetch_one<R: FromRow> -> R;
    scalar<T: Column> -> T;
    scalar_optional<T: Column> -> Option<T>;
    scalars<T: Column> -> Vec<T>;
}

impl InTx<'_> {
    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(self, sql: &'static str, args: Vec<Arg>) -> Result<u64, StoreError> {
        let done = match self.0.conn().await? {
            Conn::Sqlite(c) => execute_writer(c, sql, &args)?,
            Conn::Postgres(c) => postgres(sql, args).execute(&mut *c).await?.rows_affected(),
        };
        Ok(done)
    }

    /// Every row of a query.
    pub async fn fetch_all<R: FromRow>(
        self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Vec<R>, StoreError> {
        match self.0.conn().await? {
            Conn::Sqlite(c) => rows_writer(c, sql, &args, usize::MAX),
            Conn::Postgres(c) => all_postgres(&mut *c, sql, args).await,
        }
    }

    /// The first row of a query, if there is one.
    pub async fn fetch_optional<R: FromRow>(
        self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Option<R>, StoreError> {
        match self.0.conn().await? {
            Conn::Sqlite(c) => Ok(rows_writer(c, sql, &args, 1)?.pop()),
            Conn::Postgres(c) => optional_postgres(&mut *c, sql, args).await,
        }
    }

    derived_reads!();
}

impl Reader<'_> {
    /// Every row of a query.
    pub async fn fetch_all<R: FromRow>(
        self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Vec<R>, StoreError> {
        match self {
            Reader::Sqlite(pool) => all_sqlite(pool, sql, args).await,
            Reader::Postgres(pool) => all_postgres(pool, sql, args).await,
        }
    }

    /// The first row of a query, if there is one.
    pub async fn fetch_optional<R: FromRow>(
        self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Option<R>, StoreError> {
        match self {
            Reader::Sqlite(pool) => optional_sqlite(pool, sql, args).await,
            Reader::Postgres(pool) => optional_postgres(pool, sql, args).await,
        }
    }

    derived_reads!();
}
