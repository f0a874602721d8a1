//! Durable event appends: group commit through `Store::write` from 1, 16 and 256 concurrent
//! writers (each appending to its own stream) on SQLite with `synchronous=FULL`, against a
//! baseline of one transaction per event on a plain SQLite connection with the same pragmas; and
//! the same concurrent cases on PostgreSQL when `TOCSIN_TEST_DATABASE_URL` is set.
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor, SqliteConnection};
use tocsin_domain::Timestamp;
use tocsin_domain::chain::{self, Envelope};
use tocsin_domain::id::EventId;
use tocsin_store::{NewEvent, Store, StoreConfig};
use tocsin_testkit::db::TestDatabase;
use uuid::Uuid;

/// The `tocsin` binary's allocator, so the writer is measured as it runs in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Events each writer appends per iteration, one write operation (one request) per event.
const PER_WRITER: u64 = 16;
const WRITERS: [u64; 3] = [1, 16, 256];

fn event(stream_id: Uuid, n: u64) -> NewEvent {
    NewEvent {
        stream_id,
        stream_type: "bench",
        kind: "bench.appended",
        actor: "system".into(),
        occurred_at: Timestamp::from_second(1_800_000_000).expect("valid"),
        payload: serde_json::json!({ "n": n, "note": "a typical small payload" }),
    }
}

/// Runs `iters` rounds of `writers` concurrent writers appending `per_writer` events each.
async fn concurrent_appends(
    store: &Store,
    streams: &[Uuid],
    per_writer: u64,
    iters: u64,
) -> Duration {
    let started = Instant::now();
    for _ in 0..iters {
        let mut tasks = tokio::task::JoinSet::new();
        for &stream in streams {
            let store = store.clone();
            tasks.spawn(async move {
                for n in 0..per_writer {
                    store
                        .write(move |tx| {
                            Box::pin(async move { tx.append(event(stream, n)).await.map(|_| ()) })
                        })
                        .await
                        .expect("append commits");
                }
            });
        }
        tasks.join_all().await;
    }
    started.elapsed()
}

fn group_commit(
    c: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    label: &str,
    database: &TestDatabase,
) {
    let store = runtime.block_on(database.open());
    let mut group = c.benchmark_group(format!("append/{label}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for writers in WRITERS {
        // PostgreSQL commits each write on its own: fewer events per round keep the run bounded.
        let per_writer = if label == "postgres" && writers > 16 {
            2
        } else {
            PER_WRITER
        };
        let streams: Vec<Uuid> = (0..writers).map(|_| Uuid::now_v7()).collect();
        group.throughput(Throughput::Elements(writers * per_writer));
        group.bench_function(BenchmarkId::new("group_commit_writers", writers), |b| {
            b.to_async(runtime)
                .iter_custom(|iters| concurrent_appends(&store, &streams, per_writer, iters));
        });
        if writers == 256 {
            // The same writers feeding 8 hot streams (many alerts into a few incidents): each commit
            // touches far fewer index pages.
            let hot: Vec<Uuid> = (0..8).map(|_| Uuid::now_v7()).collect();
            let shared: Vec<Uuid> = (0..writers as usize).map(|i| hot[i % hot.len()]).collect();
            group.bench_function(
                BenchmarkId::new("group_commit_writers_8_streams", writers),
                |b| {
                    b.to_async(runtime).iter_custom(|iters| {
                        concurrent_appends(&store, &shared, per_writer, iters)
                    });
                },
            );
        }
    }
    group.finish();
    runtime.block_on(store.close());
}

const BASELINE_TABLE: &str = "CREATE TABLE events (
    position INTEGER PRIMARY KEY, stream_id BLOB NOT NULL, seq INTEGER NOT NULL,
    event_id BLOB NOT NULL UNIQUE, stream_type TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
    occurred_at INTEGER NOT NULL, payload TEXT NOT NULL, payload_digest BLOB NOT NULL,
    prev_hash BLOB NOT NULL, hash BLOB NOT NULL, UNIQUE (stream_id, seq))";
const BASELINE_INSERT: &str = "INSERT INTO events \
    (stream_id, seq, event_id, stream_type, kind, actor, occurred_at, payload, payload_digest, prev_hash, hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// One serial writer, one transaction (BEGIN, INSERT, COMMIT) per event, chaining like the store.
struct Baseline {
    connection: SqliteConnection,
    stream: Uuid,
    seq: i64,
    head: chain::Hash,
}

impl Baseline {
    async fn append(&mut self, n: u64) {
        let event = event(self.stream, n);
        let payload = serde_json::to_string(&event.payload).expect("serialisable");
        let digest = chain::payload_digest(payload.as_bytes());
        self.seq += 1;
        let occurred_at_us = tocsin_store::to_micros(event.occurred_at);
        let envelope = Envelope {
            stream_id: self.stream,
            seq: self.seq,
            kind: event.kind,
            actor: &event.actor,
            occurred_at_us,
        };
        let hash = chain::link_hash(&self.head, &envelope, &digest);
        let connection = &mut self.connection;
        connection.execute("BEGIN IMMEDIATE").await.expect("begin");
        sqlx::query(BASELINE_INSERT)
            .bind(self.stream)
            .bind(self.seq)
            .bind(EventId::new(event.occurred_at).as_uuid())
            .bind(event.stream_type)
            .bind(event.kind)
            .bind(&event.actor)
            .bind(occurred_at_us)
            .bind(&payload)
            .bind(digest.as_slice())
            .bind(self.head.as_slice())
            .bind(hash.as_slice())
            .execute(&mut *connection)
            .await
            .expect("insert");
        connection.execute("COMMIT").await.expect("commit");
        self.head = hash;
    }
}

fn one_transaction_per_event(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let database = TestDatabase::sqlite();
    let StoreConfig::Sqlite { path, .. } = &database.config else {
        unreachable!("TestDatabase::sqlite is SQLite")
    };
    let mut baseline = runtime.block_on(async {
        let mut connection = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .connect()
            .await
            .expect("open the baseline database");
        connection
            .execute(BASELINE_TABLE)
            .await
            .expect("create table");
        Baseline {
            connection,
            stream: Uuid::now_v7(),
            seq: 0,
            head: chain::GENESIS,
        }
    });
    let mut group = c.benchmark_group("append/sqlite");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(PER_WRITER));
    group.bench_function("one_tx_per_event_serial", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let started = Instant::now();
                for n in 0..iters * PER_WRITER {
                    baseline.append(n).await;
                }
                started.elapsed()
            })
        });
    });
    group.finish();
    runtime.block_on(async { baseline.connection.close().await.expect("close") });
}

fn appends(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    one_transaction_per_event(c, &runtime);
    group_commit(c, &runtime, "sqlite", &TestDatabase::sqlite());
    if let Some(postgres) = runtime.block_on(TestDatabase::postgres()) {
        group_commit(c, &runtime, "postgres", &postgres);
    }
}

criterion_group!(benches, appends);
criterion_main!(benches);
