//! `tocsin serve --demo`: seeding a fresh SQLite database makes the teams, users in three time
//! zones, services with their dependency graph and escalation policies, follow-the-sun schedules
//! with someone on call now, and ~300 past incidents over 90 days with timelines whose
//! acknowledgement and resolution times are realistic; a second run adds nothing; and the alert
//! trickle, run a few times against a spawned app, gets alerts accepted by the real intake.
#[allow(dead_code)]
#[path = "../src/commands/demo/mod.rs"]
mod demo;

use std::collections::BTreeSet;
use std::time::Duration;

use indicatif::ProgressBar;
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{self, AlertFilter};
use tocsin_store::catalog::{self, Service};
use tocsin_store::incident::{self, Incident, IncidentFilter};
use tocsin_store::{Store, events, schedule};
use tocsin_testkit::{TestDatabase, spawn_app};

use demo::Outcome;

/// Every incident, newest first, a page of 100 at a time.
async fn all_incidents(store: &Store) -> Vec<Incident> {
    let mut found: Vec<Incident> = Vec::new();
    loop {
        let before = found.last().map(|i| i.id.0);
        let page = incident::list(store.reader(), &IncidentFilter::default(), before, 100)
            .await
            .expect("a page of incidents");
        let done = page.len() < 100;
        found.extend(page);
        if done {
            return found;
        }
    }
}

async fn services(store: &Store) -> Vec<Service> {
    catalog::list_services(store.reader(), None, None, 100)
        .await
        .expect("services")
}

fn named<'a>(services: &'a [Service], name: &str) -> &'a Service {
    services
        .iter()
        .find(|s| s.name.to_string() == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

async fn seeded_store() -> (TestDatabase, Store, Timestamp) {
    let database = TestDatabase::sqlite();
    let store = database.open().await;
    let now = Timestamp::now();
    let started = std::time::Instant::now();
    let outcome = demo::seed(&store, now, &ProgressBar::hidden())
        .await
        .expect("the demo seeds");
    assert!(matches!(outcome, Outcome::Seeded(_)), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "seeding took {:?}",
        started.elapsed()
    );
    (database, store, now)
}

#[tokio::test]
async fn a_fresh_database_gets_people_teams_services_and_schedules() {
    let (_database, store, now) = seeded_store().await;

    let teams = catalog::list_teams(store.reader(), None, 100)
        .await
        .expect("teams");
    let names: BTreeSet<String> = teams.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(
        names,
        ["Data", "Payments", "Platform", "Storefront"]
            .map(str::to_owned)
            .into()
    );
    let users = catalog::list_users(store.reader(), None, 100)
        .await
        .expect("users");
    assert_eq!(users.len(), 12);
    let zones: BTreeSet<&str> = users.iter().map(|u| u.time_zone.as_str()).collect();
    assert_eq!(
        zones,
        ["America/New_York", "Asia/Tokyo", "Europe/Berlin"].into()
    );

    let services = services(&store).await;
    assert_eq!(services.len(), demo::services::SERVICES.len());
    let kubernetes = named(&services, "kubernetes").id;
    let payments = named(&services, "payments-api");
    assert!(
        payments
            .depends_on
            .contains(&named(&services, "postgres-primary").id)
    );
    assert!(payments.depends_on.contains(&kubernetes));
    assert!(
        named(&services, "checkout-web")
            .depends_on
            .contains(&payments.id)
    );
    for service in &services {
        assert!(service.team_id.is_some(), "{} has an owner", service.name);
        assert!(
            service.escalation_policy_id.is_some(),
            "{} has a policy",
            service.name
        );
    }

    let schedules = schedule::list_all_schedules(store.reader())
        .await
        .expect("schedules");
    assert_eq!(schedules.len(), 4);
    let week = now + SignedDuration::from_hours(7 * 24);
    let mut overrides = Vec::new();
    for stored in &schedules {
        let (definition, found) = schedule::with_overrides(store.reader(), stored, now, week)
            .await
            .expect("the schedule with its overrides");
        let on_call = tocsin_domain::oncall::on_call_at(&definition, now).users();
        assert!(!on_call.is_empty(), "nobody on call now in {}", stored.name);
        overrides.extend(
            found
                .into_iter()
                .map(|o| (stored.name.to_string(), definition.clone(), o)),
        );
    }
    assert_eq!(overrides.len(), 1, "one override");
    let (name, definition, cover) = &overrides[0];
    assert_eq!(name, "Payments on call");
    let during = cover.start + SignedDuration::from_hours(1);
    assert_eq!(
        tocsin_domain::oncall::on_call_at(definition, during).users(),
        [cover.user_id],
        "the override covers the layers"
    );
}

#[tokio::test]
async fn past_incidents_span_ninety_days_with_timelines_and_realistic_durations() {
    let (_database, store, now) = seeded_store().await;
    let incidents = all_incidents(&store).await;
    assert_eq!(incidents.len(), demo::history::PAST_INCIDENTS);
    let oldest = incidents.iter().map(|i| i.created_at).min().expect("some");
    let newest = incidents.iter().map(|i| i.created_at).max().expect("some");
    let day = SignedDuration::from_hours(24);
    assert!(
        now - oldest > day * 89 && now - oldest <= day * 90,
        "{oldest}"
    );
    assert!(now - newest < day && newest < now, "{newest}");

    let count = |status: IncidentStatus| incidents.iter().filter(|i| i.status == status).count();
    assert!(
        count(IncidentStatus::Closed) > 200,
        "{}",
        count(IncidentStatus::Closed)
    );
    assert!(count(IncidentStatus::Resolved) > 5);
    assert_eq!(count(IncidentStatus::Triggered), 1);
    assert!(count(IncidentStatus::Declined) > 0);
    assert!(incidents.iter().filter(|i| i.status.is_open()).count() >= 4);

    for incident in incidents.iter().filter(|i| i.resolved_at.is_some()) {
        let acknowledged = incident.acknowledged_at.expect("acknowledged first");
        let to_ack = acknowledged - incident.created_at;
        let to_resolve = incident.resolved_at.expect("resolved") - incident.created_at;
        assert!(
            to_ack >= SignedDuration::from_mins(1) && to_ack <= SignedDuration::from_mins(30),
            "#{} acknowledged after {to_ack}",
            incident.number
        );
        assert!(
            to_resolve > to_ack && to_resolve <= SignedDuration::from_hours(5),
            "#{} resolved after {to_resolve}",
            incident.number
        );
    }

    let closed = incidents
        .iter()
        .find(|i| i.status == IncidentStatus::Closed)
        .expect("a closed incident");
    let timeline = events::read_stream(store.reader(), closed.id.0, 0, 100)
        .await
        .expect("its timeline");
    let kinds: Vec<&str> = timeline.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "incident.declared",
        "incident.acknowledged",
        "incident.note",
        "incident.status_update",
        "incident.resolved",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(
        timeline
            .windows(2)
            .all(|w| w[0].occurred_at <= w[1].occurred_at),
        "written at their past instants, in order"
    );
    assert_eq!(timeline[0].occurred_at, closed.created_at);
    assert!(timeline[0].actor.starts_with("user:"));
}

#[tokio::test]
async fn seeding_a_database_that_has_services_adds_nothing() {
    let (_database, store, _) = seeded_store().await;
    let again = demo::seed(&store, Timestamp::now(), &ProgressBar::hidden())
        .await
        .expect("the second run answers");
    assert!(matches!(again, Outcome::AlreadyFilled), "{again:?}");
    assert_eq!(services(&store).await.len(), demo::services::SERVICES.len());
    assert_eq!(
        all_incidents(&store).await.len(),
        demo::history::PAST_INCIDENTS
    );
    let users = catalog::count_users(store.reader()).await.expect("count");
    assert_eq!(users, 12);
}

#[tokio::test]
async fn the_trickle_sends_alerts_through_the_real_intake() {
    let app = spawn_app().await;
    let outcome = demo::seed(&app.store, Timestamp::now(), &ProgressBar::hidden())
        .await
        .expect("the demo seeds next to the test owner");
    assert!(matches!(outcome, Outcome::Seeded(_)), "{outcome:?}");
    let keys = demo::services::stored_keys(&app.store)
        .await
        .expect("the demo keys");
    assert_eq!(keys.len(), demo::services::SERVICES.len());
    let before = all_incidents(&app.store).await.len();

    let accepted = demo::trickle::run(
        app.base_url.clone(),
        keys,
        Duration::from_millis(20),
        Some(6),
    )
    .await;
    assert_eq!(accepted, 6, "every request of the bounded run is accepted");

    let alerts = alert::list(app.store.reader(), &AlertFilter::default(), None, 50)
        .await
        .expect("alerts");
    let problem: Vec<_> = alerts
        .iter()
        .filter(|a| a.dedup_key == "demo-errors-0")
        .collect();
    assert_eq!(problem.len(), 1, "repeats are deduplicated: {alerts:?}");
    assert!(problem[0].occurrences >= 2, "{}", problem[0].occurrences);
    assert!(alerts.iter().any(|a| a.source_kind == "alertmanager"));
    let incidents = all_incidents(&app.store).await;
    assert!(incidents.len() > before, "the new alert opened an incident");
    app.shutdown().await;
}
