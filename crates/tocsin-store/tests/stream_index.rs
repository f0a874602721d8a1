//! Reads and verification see every event exactly once whether it is already in SQLite's deferred
//! stream index or still in the unindexed tail, across in-batch flushes and restarts; after a
//! restart, appends continue each stream's chain from the index.
use tocsin_store::Store;
use tocsin_store::events::{read_stream, verify_all};
use tocsin_testkit::db::TestDatabase;
use tocsin_testkit::events::numbered_event as event;
use uuid::Uuid;

/// More than the writer's flush threshold (16,384), so at least one batch indexes the tail.
const PER_STREAM: i64 = 6_000;
const PER_WRITE: i64 = 200;

/// Appends `PER_WRITE` events to `stream` in one write; returns the last sequence number.
async fn append_many(store: &Store, stream: Uuid, first: i64) -> i64 {
    store
        .write(move |tx| {
            Box::pin(async move {
                let mut last = 0;
                for n in first..first + PER_WRITE {
                    last = tx.append(event(stream, n)).await?.seq;
                }
                Ok(last)
            })
        })
        .await
        .expect("appends commit")
}

async fn seqs(store: &Store, stream: Uuid, after: i64, limit: i64) -> Vec<i64> {
    read_stream(store.reader(), stream, after, limit)
        .await
        .expect("read")
        .iter()
        .map(|e| e.seq)
        .collect()
}

async fn indexed_through(store: &Store) -> i64 {
    store
        .reader()
        .scalar(
            "SELECT indexed_through FROM event_index_progress WHERE id = 1",
            Vec::new(),
        )
        .await
        .expect("progress row")
}

async fn last_position(store: &Store) -> i64 {
    store
        .reader()
        .scalar("SELECT MAX(position) FROM events", Vec::new())
        .await
        .expect("max position")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_read_once_across_index_flushes_and_restarts() {
    for database in TestDatabase::all().await {
        let sqlite = !database.is_postgres();
        let store = database.open().await;
        let streams: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let mut writers = tokio::task::JoinSet::new();
        for &stream in &streams {
            let store = store.clone();
            writers.spawn(async move {
                for first in (0..PER_STREAM).step_by(PER_WRITE as usize) {
                    append_many(&store, stream, first).await;
                }
            });
        }
        writers.join_all().await;
        let total = PER_STREAM * streams.len() as i64;
        if sqlite {
            assert!(
                indexed_through(&store).await >= 16_384,
                "a batch past the threshold indexed the tail"
            );
        }
        for &stream in &streams {
            assert_eq!(
                seqs(&store, stream, 0, 10_000).await,
                (1..=PER_STREAM).collect::<Vec<_>>()
            );
            assert_eq!(
                seqs(&store, stream, 5_990, 5).await,
                vec![5_991, 5_992, 5_993, 5_994, 5_995]
            );
        }
        let report = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chains intact");
        assert_eq!(report.events as i64, total);
        store.close().await;

        let store = database.open().await;
        if sqlite {
            assert_eq!(
                indexed_through(&store).await,
                last_position(&store).await,
                "stopping indexed the whole tail"
            );
        }
        // The heads are gone with the old writer: the next appends find them in the index.
        for &stream in &streams {
            assert_eq!(
                append_many(&store, stream, PER_STREAM).await,
                PER_STREAM + PER_WRITE
            );
        }
        for &stream in &streams {
            let read = seqs(&store, stream, PER_STREAM - 2, 10).await;
            assert_eq!(read, (PER_STREAM - 1..PER_STREAM + 9).collect::<Vec<_>>());
        }
        let report = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chains intact after the restart");
        assert_eq!(
            report.events as i64,
            total + PER_WRITE * streams.len() as i64
        );
        assert_eq!(report.streams, streams.len() as u64);
        store.close().await;
    }
}

#[tokio::test]
async fn an_idle_writer_indexes_its_tail() {
    let database = TestDatabase::sqlite();
    let store = database.open().await;
    let stream = Uuid::now_v7();
    append_many(&store, stream, 0).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while indexed_through(&store).await < last_position(&store).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the tail was never indexed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        seqs(&store, stream, 0, 1_000).await.len(),
        PER_WRITE as usize
    );
    store.close().await;
}
