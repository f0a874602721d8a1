//! The catalog conformance story, run on SQLite always and on PostgreSQL when
//! `TOCSIN_TEST_DATABASE_URL` is set: users, a team with members, services whose dependencies form
//! a DAG, the rules that refuse changes (cycles, stale versions, deletes with dependents), the
//! events each change leaves, the verified hash chain, and concurrent writers.
use tocsin_domain::Timestamp;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{ServiceId, TeamId};
use tocsin_domain::values::{Description, Email, HttpUrl, Name, Tag, Tier};
use tocsin_store::catalog::*;
use tocsin_store::events::{read_stream, verify_all};
use tocsin_store::{Store, StoreError};
use tocsin_testkit::db::TestDatabase;
use uuid::Uuid;

use people::{team_story, users_story};
use services::{concurrency_story, delete_story, services_story};

pub const ACTOR: &str = "user:test";

/// Runs `$body` as one write operation with `$tx` bound to the transaction.
macro_rules! write_op {
    ($store:expr, |$tx:ident| $body:expr) => {
        $store
            .write(move |$tx| Box::pin(async move { $body }))
            .await
    };
}

mod people;
mod services;

pub fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

pub fn name(raw: &str) -> Name {
    Name::parse(raw).expect("valid name")
}

pub fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

pub fn new_user(user: &str, role: OrgRole, hash: Option<&str>) -> NewUser {
    NewUser {
        email: email(&format!("{user}@example.com")),
        name: name(user),
        role,
        time_zone: tocsin_domain::values::TimeZoneName::parse("Europe/Paris").expect("valid"),
        password_hash: hash.map(str::to_owned),
    }
}

pub fn new_service(service: &str, team: Option<TeamId>, depends_on: Vec<ServiceId>) -> NewService {
    NewService {
        name: name(service),
        description: Description::parse("a service").expect("valid"),
        team_id: team,
        tier: Tier::parse(2).expect("valid"),
        runbook_url: Some(HttpUrl::parse("https://wiki.example.com/runbooks").expect("valid")),
        tags: vec![
            Tag::parse("env:prod").expect("valid"),
            Tag::parse("Lang:Rust").expect("valid"),
        ],
        depends_on,
    }
}

pub async fn kinds(store: &Store, stream: Uuid) -> Vec<String> {
    read_stream(store.reader(), stream, 0, 1_000)
        .await
        .expect("read stream")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

pub fn pointers(error: StoreError) -> Vec<(String, String)> {
    match error {
        StoreError::Invalid(invalid) => invalid
            .0
            .into_iter()
            .map(|f| (f.pointer, f.detail))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

pub const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0c2FsdA$secret-hash-text";

#[tokio::test]
async fn the_catalog_story_holds_on_every_backend() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        let (ada, bob, carol) = users_story(&store).await;
        let team = team_story(&store, &ada, &bob, &carol).await;
        let (db, payments, checkout) = services_story(&store, &team).await;
        delete_story(&store, &team, &db, &payments, &checkout).await;

        assert_eq!(
            kinds(&store, team.id.0).await,
            [
                "team.created",
                "team.member_added",
                "team.member_added",
                "team.member_role_changed",
                "team.member_added",
                "team.member_removed",
                "team.updated",
                "team.deleted",
            ]
        );
        assert_eq!(
            kinds(&store, payments.id.0).await,
            ["service.created", "service.updated", "service.updated"]
        );
        assert_eq!(
            kinds(&store, checkout.id.0).await,
            ["service.created", "service.deleted"]
        );
        let role_change = read_stream(store.reader(), team.id.0, 3, 1)
            .await
            .expect("read");
        assert_eq!(role_change[0].payload["previous_role"], "responder");
        assert_eq!(role_change[0].payload["role"], "observer");
        for user in [&ada, &bob] {
            for event in read_stream(store.reader(), user.id.0, 0, 100)
                .await
                .expect("read")
            {
                assert!(
                    !event.payload.to_string().contains("argon2"),
                    "a hash leaked into {}",
                    event.kind
                );
            }
        }

        concurrency_story(&store).await;
        let report = verify_all(store.reader(), |_| {})
            .await
            .expect("read")
            .expect("chain intact");
        // 3 users, 1 team, 3 services, 51 concurrently created services.
        assert_eq!(report.streams, 3 + 1 + 3 + 51, "{report:?}");
        store.close().await;
    }
}
