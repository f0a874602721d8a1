//! The event log on both backends: concurrent appends chain correctly, failed operations leave no
//! trace, the log refuses UPDATE and DELETE, and verification names a tampered row.
use tocsin_store::events::{read_stream, verify_all};
use tocsin_store::{Store, StoreError};
use tocsin_testkit::db::TestDatabase;
use tocsin_testkit::events::numbered_event as event;
use uuid::Uuid;

async fn append(store: &Store, stream_id: Uuid, n: i64) -> Result<i64, StoreError> {
    store
        .write(move |tx| Box::pin(async move { Ok(tx.append(event(stream_id, n)).await?.seq) }))
        .await
}

async fn each_backend(test: impl AsyncFn(Store)) {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        test(store.clone()).await;
        store.close().await;
    }
}

#[tokio::test]
async fn concurrent_appends_to_shared_streams_chain_without_gaps() {
    each_backend(async |store| {
        let streams: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let mut tasks = tokio::task::JoinSet::new();
        for writer in 0..64_i64 {
            let store = store.clone();
            let stream = streams[(writer % 4) as usize];
            tasks.spawn(async move {
                for n in 0..10 {
                    append(&store, stream, writer * 100 + n)
                        .await
                        .expect("append commits");
                }
            });
        }
        tasks.join_all().await;
        for stream in &streams {
            let events = read_stream(store.reader(), *stream, 0, 1_000)
                .await
                .expect("read");
            let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (1..=160).collect::<Vec<_>>());
        }
        let report = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
        assert_eq!((report.streams, report.events), (4, 640));
    })
    .await;
}

#[tokio::test]
async fn a_failing_or_panicking_operation_leaves_nothing_and_others_in_the_batch_commit() {
    each_backend(async |store| {
        let stream = Uuid::now_v7();
        let failing = store.write(move |tx| {
            Box::pin(async move {
                tx.append(event(stream, 1)).await?;
                Err::<(), _>(StoreError::Conflict("refused on purpose".into()))
            })
        });
        let panicking = store.write(move |tx| {
            Box::pin(async move {
                tx.append(event(stream, 2)).await?;
                panic!("boom");
                #[allow(unreachable_code)]
                Ok(())
            })
        });
        let fine = append(&store, stream, 3);
        let (failing, panicking, fine) = tokio::join!(failing, panicking, fine);
        assert!(matches!(failing, Err(StoreError::Conflict(_))));
        assert!(matches!(panicking, Err(StoreError::Panicked)));
        assert_eq!(fine.expect("the good write commits"), 1);
        let events = read_stream(store.reader(), stream, 0, 10)
            .await
            .expect("read");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].payload["n"], 3);
    })
    .await;
}

#[tokio::test]
async fn the_log_refuses_update_and_delete() {
    each_backend(async |store| {
        let stream = Uuid::now_v7();
        append(&store, stream, 1).await.expect("append");
        for sql in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let refused = store
                .write(move |tx| {
                    Box::pin(async move {
                        tx.execute(sql, Vec::new()).await?;
                        Ok(())
                    })
                })
                .await;
            let message = refused.expect_err("trigger refuses").to_string();
            assert!(message.contains("append-only"), "{sql}: {message}");
        }
        assert_eq!(
            read_stream(store.reader(), stream, 0, 10)
                .await
                .expect("read")
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn verification_names_the_first_tampered_event() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        let stream = Uuid::now_v7();
        for n in 1..=5 {
            append(&store, stream, n).await.expect("append");
        }
        store.close().await;
        database
            .tamper("UPDATE events SET payload = '{\"n\":99}' WHERE seq = 3")
            .await;
        let store = database.open().await;
        let broken = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect_err("tampering found");
        assert_eq!((broken.stream_id, broken.seq), (stream, 3));
        store.close().await;
    }
}

#[tokio::test]
async fn a_rolled_back_append_leaves_no_gap_and_no_fork_in_later_appends() {
    each_backend(async |store| {
        let stream = Uuid::now_v7();
        assert_eq!(append(&store, stream, 1).await.expect("append"), 1);
        for round in 0..3_i64 {
            let before = append(&store, stream, 10 * round + 2);
            let failing = store.write(move |tx| {
                Box::pin(async move {
                    tx.append(event(stream, 10 * round + 3)).await?;
                    tx.append(event(stream, 10 * round + 4)).await?;
                    Err::<(), _>(StoreError::Conflict("refused on purpose".into()))
                })
            });
            let after = append(&store, stream, 10 * round + 5);
            let (before, failing, after) = tokio::join!(before, failing, after);
            assert!(failing.is_err());
            // On PostgreSQL the two good writes may commit in either order.
            let (before, after) = (before.expect("commits"), after.expect("commits"));
            assert_eq!(
                (before.min(after), before.max(after)),
                (2 * round + 2, 2 * round + 3)
            );
        }
        assert_eq!(append(&store, stream, 99).await.expect("append"), 8);
        let events = read_stream(store.reader(), stream, 0, 100)
            .await
            .expect("read");
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
        assert!(events.iter().all(|e| {
            e.payload["n"]
                .as_i64()
                .is_some_and(|n| n % 10 != 3 && n % 10 != 4)
        }));
        verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_between_appends_to_one_stream_keep_the_chain_gapless() {
    each_backend(async |store| {
        let stream = Uuid::now_v7();
        for round in 0..20_i64 {
            let good = append(&store, stream, round * 10);
            // Fails after appending, without touching the connection otherwise.
            let plain_failure = store.write(move |tx| {
                Box::pin(async move {
                    tx.append(event(stream, round * 10 + 1)).await?;
                    Err::<(), _>(StoreError::Conflict("no".into()))
                })
            });
            // Fails after appending and after a statement of its own (its savepoint is rolled back).
            let statement_failure = store.write(move |tx| {
                Box::pin(async move {
                    tx.append(event(stream, round * 10 + 2)).await?;
                    tx.execute("SELECT missing FROM no_such_table", Vec::new())
                        .await?;
                    Ok(())
                })
            });
            let also_good = append(&store, stream, round * 10 + 3);
            let (good, plain, statement, also_good) =
                tokio::join!(good, plain_failure, statement_failure, also_good);
            good.expect("commits");
            also_good.expect("commits");
            assert!(plain.is_err() && statement.is_err());
        }
        let events = read_stream(store.reader(), stream, 0, 1_000)
            .await
            .expect("read");
        assert_eq!(
            events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=40).collect::<Vec<_>>()
        );
        assert!(events.iter().all(|e| {
            e.payload["n"]
                .as_i64()
                .is_some_and(|n| n % 10 == 0 || n % 10 == 3)
        }));
        let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "positions increase: {positions:?}"
        );
        verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
    })
    .await;
}
