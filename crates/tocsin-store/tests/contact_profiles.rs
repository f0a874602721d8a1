//! The notification profiles the escalation engine reads, on every backend (SQLite always,
//! PostgreSQL when `TOCSIN_TEST_DATABASE_URL` is set): several users at once in one read, each with
//! their own methods, rules and quiet hours only; unknown users left out; a verified code gives
//! the first rule.
use jiff::civil::time;
use tocsin_domain::Timestamp;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::contact::{PendingCode, QuietHours, VerificationCode, Weekdays};
use tocsin_domain::delivery::{Channel, Urgency};
use tocsin_domain::id::{ContactMethodId, UserId};
use tocsin_domain::values::{Email, Name, TimeZoneName};
use tocsin_store::Store;
use tocsin_store::catalog::users::{NewUser, create_user};
use tocsin_store::contact::{self, NewContactMethod, VerificationAttempt};
use tocsin_testkit::db::TestDatabase;

const ACTOR: &str = "user:test";

fn at(n: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + n).expect("valid instant")
}

async fn user(store: &Store, email: &str, zone: &str) -> UserId {
    let new = NewUser {
        email: Email::parse(email).expect("email"),
        name: Name::parse("Someone").expect("name"),
        role: OrgRole::Responder,
        time_zone: TimeZoneName::parse(zone).expect("zone"),
        password_hash: None,
    };
    store
        .write(move |tx| Box::pin(async move { create_user(tx, new, ACTOR, at(0)).await }))
        .await
        .expect("user created")
        .id
}

async fn method(store: &Store, user: UserId, channel: Channel, address: &str) -> ContactMethodId {
    let new = NewContactMethod {
        channel,
        address: address.into(),
        label: String::new(),
        secret: None,
    };
    store
        .write(move |tx| {
            Box::pin(
                async move { contact::create_contact_method(tx, user, new, ACTOR, at(1)).await },
            )
        })
        .await
        .expect("method created")
        .method
        .id
}

async fn verify(store: &Store, user: UserId, id: ContactMethodId) {
    let code = VerificationCode::from_random(123_456);
    let pending = PendingCode::new(id, &code, at(2));
    let attempt = store
        .write(move |tx| {
            Box::pin(async move {
                contact::request_verification(tx, user, id, &pending, ACTOR, at(2)).await?;
                contact::check_verification(tx, user, id, "123456", ACTOR, at(3)).await
            })
        })
        .await
        .expect("checked");
    assert!(
        matches!(attempt, VerificationAttempt::Verified(_)),
        "{attempt:?}"
    );
}

#[tokio::test]
async fn profiles_of_several_users_come_in_one_read_each_with_their_own_settings() {
    for database in TestDatabase::all().await {
        let store = database.open().await;
        let ada = user(&store, "ada@example.com", "Europe/Paris").await;
        let bob = user(&store, "bob@example.com", "America/New_York").await;
        let ada_mail = method(&store, ada, Channel::Email, "ada@example.com").await;
        let ada_sms = method(&store, ada, Channel::Sms, "+14155550100").await;
        let bob_mail = method(&store, bob, Channel::Email, "bob@example.com").await;
        verify(&store, ada, ada_mail).await;
        let quiet =
            QuietHours::new(time(22, 0, 0, 0), time(7, 0, 0, 0), Weekdays::ALL).expect("valid");
        let unknown = UserId::new(at(9));
        let profiles = store
            .write(move |tx| {
                Box::pin(async move {
                    contact::put_quiet_hours(tx, bob, quiet, ACTOR, at(4)).await?;
                    contact::profiles(tx, &[ada, bob, unknown]).await
                })
            })
            .await
            .expect("profiles read");
        assert_eq!(profiles.len(), 2);
        let a = &profiles[&ada];
        assert_eq!(a.time_zone.iana_name(), Some("Europe/Paris"));
        // Ids made in the same millisecond order randomly: compare as sets.
        let mut ids: Vec<ContactMethodId> = a.methods.iter().map(|m| m.id).collect();
        let mut expected = vec![ada_mail, ada_sms];
        ids.sort();
        expected.sort();
        assert_eq!(ids, expected);
        assert_eq!(a.methods.iter().filter(|m| m.verified).count(), 1);
        // Verifying the first method gave Ada her first rule.
        assert_eq!(a.rules.len(), 1);
        assert_eq!(a.rules[0].contact_method_id, ada_mail);
        assert_eq!(a.rules[0].urgency, Urgency::High);
        assert_eq!(a.quiet_hours, None);
        let b = &profiles[&bob];
        assert_eq!(
            b.methods.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![bob_mail]
        );
        assert!(b.rules.is_empty());
        assert_eq!(b.quiet_hours, Some(quiet));

        // The reader variant answers the same.
        let read = contact::profiles_read(store.reader(), &[ada, bob])
            .await
            .expect("read");
        assert_eq!(read[&ada].methods, a.methods);
        assert_eq!(read[&bob].quiet_hours, b.quiet_hours);
        store.close().await;
    }
}
