//! Services: a dependency DAG, refused cycles and references, delete rules, concurrent writers.
use tocsin_domain::id::{ServiceId, TeamId};
use tocsin_domain::values::{Description, Tag, Tier};
use tocsin_store::catalog::*;
use tocsin_store::{Store, StoreError};

use crate::*;

/// Services with dependencies forming a DAG; cycles, unknown references and stale writes refused.
pub async fn services_story(store: &Store, team: &Team) -> (Service, Service, Service) {
    let t = team.id;
    let db = write_op!(store, |tx| create_service(
        tx,
        new_service("db", Some(t), vec![]),
        ACTOR,
        at(30)
    )
    .await)
    .expect("create db");
    let d = db.id;
    let payments = write_op!(store, |tx| create_service(
        tx,
        new_service("payments", Some(t), vec![d]),
        ACTOR,
        at(31)
    )
    .await)
    .expect("create payments");
    let p = payments.id;
    let checkout = write_op!(store, |tx| create_service(
        tx,
        new_service("checkout", None, vec![p, d, p]),
        ACTOR,
        at(32)
    )
    .await)
    .expect("create checkout");
    let c = checkout.id;
    assert_eq!(checkout.depends_on, [d, p], "deduplicated, in id order");
    assert_eq!(
        checkout.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
        ["env:prod", "lang:rust"]
    );
    assert_eq!(
        get_service(store.reader(), c).await.expect("get checkout"),
        checkout
    );

    let cycle = ServicePatch {
        depends_on: Some(vec![d, c]),
        ..ServicePatch::default()
    };
    let refused = write_op!(store, |tx| update_service(
        tx,
        p,
        cycle,
        None,
        ACTOR,
        at(33)
    )
    .await)
    .expect_err("cycle");
    assert_eq!(
        pointers(refused),
        [(
            "/depends_on".to_owned(),
            "would create a dependency cycle: payments -> checkout -> payments".to_owned()
        )]
    );
    let itself = ServicePatch {
        depends_on: Some(vec![d]),
        ..ServicePatch::default()
    };
    let refused = write_op!(store, |tx| update_service(
        tx,
        d,
        itself,
        None,
        ACTOR,
        at(33)
    )
    .await)
    .expect_err("self cycle");
    assert_eq!(
        pointers(refused)[0].1,
        "would create a dependency cycle: db -> db"
    );

    let (ghost_team, ghost_service) = (TeamId::new(at(0)), ServiceId::new(at(0)));
    let dangling = new_service("dangling", Some(ghost_team), vec![d, ghost_service]);
    let refused = write_op!(store, |tx| create_service(tx, dangling, ACTOR, at(34))
        .await)
    .expect_err("unknown refs");
    let fields: Vec<String> = pointers(refused).into_iter().map(|(p, _)| p).collect();
    assert_eq!(fields, ["/team_id", "/depends_on/1"]);
    let taken = write_op!(store, |tx| create_service(
        tx,
        new_service("DB", None, vec![]),
        ACTOR,
        at(34)
    )
    .await);
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let retag = ServicePatch {
        tags: Some(vec![Tag::parse("pci").expect("valid")]),
        tier: Some(Tier::parse(1).expect("valid")),
        runbook_url: Some(None),
        ..ServicePatch::default()
    };
    let payments = write_op!(store, |tx| update_service(
        tx,
        p,
        retag,
        Some(1),
        ACTOR,
        at(35)
    )
    .await)
    .expect("retag");
    assert_eq!(
        (
            payments.version,
            payments.tier.get(),
            payments.runbook_url.as_ref()
        ),
        (2, 1, None)
    );
    assert_eq!(
        get_service(store.reader(), p).await.expect("get payments"),
        payments
    );
    let stale = ServicePatch {
        description: Some(Description::default()),
        ..ServicePatch::default()
    };
    let stale = write_op!(store, |tx| update_service(
        tx,
        p,
        stale,
        Some(1),
        ACTOR,
        at(36)
    )
    .await);
    assert!(
        matches!(stale, Err(StoreError::StaleVersion { current: 2 })),
        "{stale:?}"
    );

    let owned = list_services(store.reader(), Some(t), None, 10)
        .await
        .expect("team's services");
    assert_eq!(owned, [db.clone(), payments.clone()]);
    let page1 = list_services(store.reader(), None, None, 2)
        .await
        .expect("page 1");
    let page2 = list_services(store.reader(), None, page1.last().map(|s| s.id.0), 2)
        .await
        .expect("page 2");
    assert_eq!(
        [page1, page2].concat(),
        [db.clone(), payments.clone(), checkout.clone()]
    );
    (db, payments, checkout)
}

/// A team that owns services and a service others depend on cannot be deleted.
pub async fn delete_story(
    store: &Store,
    team: &Team,
    db: &Service,
    payments: &Service,
    checkout: &Service,
) {
    let (t, d, p, c) = (team.id, db.id, payments.id, checkout.id);
    let refused = write_op!(store, |tx| delete_team(tx, t, None, ACTOR, at(40)).await);
    assert!(
        matches!(refused, Err(StoreError::Conflict(ref m)) if m.contains("2 service")),
        "{refused:?}"
    );
    let refused = write_op!(store, |tx| delete_service(tx, d, None, ACTOR, at(41)).await);
    assert!(
        matches!(refused, Err(StoreError::Conflict(ref m)) if m.contains("checkout, payments")),
        "{refused:?}"
    );
    write_op!(store, |tx| delete_service(tx, c, None, ACTOR, at(42)).await)
        .expect("delete checkout");
    assert!(matches!(
        get_service(store.reader(), c).await,
        Err(StoreError::NotFound("service"))
    ));
    for (id, n) in [(p, 43), (d, 44)] {
        let orphan = ServicePatch {
            team_id: Some(None),
            ..ServicePatch::default()
        };
        write_op!(store, |tx| update_service(
            tx,
            id,
            orphan,
            None,
            ACTOR,
            at(n)
        )
        .await)
        .expect("unown");
    }
    let stale = write_op!(store, |tx| delete_team(tx, t, Some(1), ACTOR, at(45)).await);
    assert!(
        matches!(stale, Err(StoreError::StaleVersion { current: 2 })),
        "{stale:?}"
    );
    write_op!(store, |tx| delete_team(tx, t, Some(2), ACTOR, at(46)).await).expect("delete team");
    assert!(matches!(
        get_team(store.reader(), t).await,
        Err(StoreError::NotFound("team"))
    ));
    assert!(matches!(
        list_members(store.reader(), t).await,
        Err(StoreError::NotFound("team"))
    ));
}

/// 50 writers create services at once; 10 race for one name and exactly one wins.
pub async fn concurrency_story(store: &Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50_i64 {
        let store = store.clone();
        tasks.spawn(async move {
            write_op!(store, |tx| create_service(
                tx,
                new_service(&format!("svc-{n:02}"), None, vec![]),
                ACTOR,
                at(100 + n)
            )
            .await)
        });
    }
    for n in 0..10_i64 {
        let store = store.clone();
        tasks.spawn(async move {
            write_op!(store, |tx| create_service(
                tx,
                new_service("contended", None, vec![]),
                ACTOR,
                at(200 + n)
            )
            .await)
        });
    }
    let results = tasks.join_all().await;
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!(
        (results.iter().filter(|r| r.is_ok()).count(), conflicts),
        (51, 9)
    );
    let all = list_services(store.reader(), None, None, 1_000)
        .await
        .expect("list");
    let mut names: Vec<&str> = all
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| n.starts_with("svc-"))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 50);
}
