//! The heartbeat check against a real database, on both backends: it takes down every overdue
//! heartbeat, more than one store batch of them, once, and leaves the others waiting.
use tocsin_domain::Timestamp;
use tocsin_domain::alerting::heartbeat::HeartbeatState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::values::{Description, Name, Tier};
use tocsin_engine::heartbeat::check;
use tocsin_store::catalog::{NewService, create_service};
use tocsin_store::heartbeat::{self, EXPIRE_BATCH, NewHeartbeat};
use tocsin_testkit::TestDatabase;

fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

#[tokio::test]
async fn every_overdue_heartbeat_goes_down_once_even_beyond_one_batch() {
    let overdue = usize::try_from(EXPIRE_BATCH).expect("small") + 3;
    for database in TestDatabase::all().await {
        let store = database.open().await;
        let service = store
            .write(move |tx| {
                Box::pin(async move {
                    let new = NewService {
                        name: Name::parse("cron").expect("valid"),
                        description: Description::parse("").expect("valid"),
                        team_id: None,
                        tier: Tier::parse(2).expect("valid"),
                        runbook_url: None,
                        tags: vec![],
                        depends_on: vec![],
                    };
                    let service = create_service(tx, new, "system", at(0)).await?;
                    // `overdue` heartbeats due at 70 s, one due at 1 h.
                    for n in 0..=overdue {
                        let interval_secs = if n == overdue { 3600 } else { 60 };
                        let new = NewHeartbeat {
                            name: format!("job {n}"),
                            secret: format!("hb_engine_{n}"),
                            interval_secs,
                            grace_secs: 10,
                            severity: Severity::Error,
                        };
                        heartbeat::create(tx, service.id, new, "system", at(0)).await?;
                    }
                    Ok(service.id)
                })
            })
            .await
            .expect("seed");

        assert!(check(&store, at(69)).await.expect("check").is_empty());
        let expired = check(&store, at(70)).await.expect("check");
        assert_eq!(expired.len(), overdue);
        assert!(expired.iter().all(|e| e.alert_id.is_some()));
        assert!(check(&store, at(71)).await.expect("check").is_empty());

        let all = heartbeat::list(store.reader(), service)
            .await
            .expect("list");
        let down = all
            .iter()
            .filter(|h| h.state == HeartbeatState::Down)
            .count();
        assert_eq!(down, overdue);
        assert_eq!(
            heartbeat::next_due(store.reader()).await.expect("next"),
            Some(at(3610))
        );
        store.close().await;
    }
}
