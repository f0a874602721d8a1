//! Session retention against a real database: only sessions that ended more than the retention
//! period ago are purged, on both backends.
use jiff::SignedDuration;
use tocsin_domain::Timestamp;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::values::{Email, Name};
use tocsin_engine::sweeper::sweep;
use tocsin_store::access::sessions::{self, NewSession};
use tocsin_store::catalog::users::{self, NewUser};
use tocsin_testkit::TestDatabase;

#[tokio::test]
async fn only_sessions_ended_past_retention_are_purged() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        let start: Timestamp = "2026-11-27T12:00:00Z".parse().expect("valid");
        let ids = store
            .write(move |tx| {
                Box::pin(async move {
                    let new = NewUser {
                        email: Email::parse("sweep@example.com").expect("valid"),
                        name: Name::parse("Sweep").expect("valid"),
                        role: OrgRole::Observer,
                        time_zone: tocsin_domain::values::TimeZoneName::utc(),
                        password_hash: None,
                    };
                    let user = users::create_user(tx, new, "system", start).await?;
                    let mut hashes = Vec::new();
                    for (n, lifetime) in [(1_u8, 1), (2, 24 * 30)] {
                        let session = NewSession {
                            token_hash: vec![n; 32],
                            user_id: user.id,
                            csrf_token: format!("csrf{n}"),
                            expires_at: start + SignedDuration::from_hours(lifetime),
                        };
                        sessions::create(tx, session, start).await?;
                        hashes.push(vec![n; 32]);
                    }
                    Ok(hashes)
                })
            })
            .await
            .expect("seed");
        assert_eq!(
            sessions::next_end(store.reader()).await.expect("read"),
            Some(start + SignedDuration::from_hours(1))
        );
        assert_eq!(
            sweep(&store, start + SignedDuration::from_hours(24))
                .await
                .expect("sweep"),
            0,
            "within retention"
        );
        let purged = sweep(
            &store,
            start
                + SignedDuration::from_hours(1)
                + sessions::RETENTION
                + SignedDuration::from_secs(1),
        )
        .await
        .expect("sweep");
        assert_eq!(purged, 1, "only the short session is past retention");
        assert_eq!(
            sessions::next_end(store.reader()).await.expect("read"),
            Some(start + SignedDuration::from_hours(24 * 30)),
            "{ids:?}"
        );
        store.close().await;
    }
}
