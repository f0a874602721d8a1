//! Users, a team and its members: creation, uniqueness, If-Match, lookup, pagination, roles.
use tocsin_domain::catalog::{OrgRole, TeamRole};
use tocsin_domain::id::UserId;
use tocsin_domain::values::Description;
use tocsin_store::catalog::*;
use tocsin_store::{Store, StoreError};

use crate::*;

/// Users: creation, unique email, If-Match updates, password changes, lookup and pagination.
pub async fn users_story(store: &Store) -> (User, User, User) {
    let ada = write_op!(store, |tx| create_user(
        tx,
        new_user("ada", OrgRole::Owner, Some(HASH)),
        ACTOR,
        at(1)
    )
    .await)
    .expect("create ada");
    let bob = write_op!(store, |tx| create_user(
        tx,
        new_user("bob", OrgRole::Responder, None),
        ACTOR,
        at(2)
    )
    .await)
    .expect("create bob");
    let carol = write_op!(store, |tx| create_user(
        tx,
        new_user("carol", OrgRole::Observer, None),
        ACTOR,
        at(3)
    )
    .await)
    .expect("create carol");
    let duplicate = write_op!(store, |tx| create_user(
        tx,
        new_user("ada", OrgRole::Admin, None),
        ACTOR,
        at(4)
    )
    .await);
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(ref m)) if m.contains("ada@example.com")),
        "{duplicate:?}"
    );
    assert_eq!(count_users(store.reader()).await.expect("count"), 3);

    let (found, hash) = find_user_by_email(store.reader(), &email("ADA@example.com"))
        .await
        .expect("lookup")
        .expect("ada exists");
    assert_eq!((found, hash.as_deref()), (ada.clone(), Some(HASH)));
    assert!(
        find_user_by_email(store.reader(), &email("nobody@example.com"))
            .await
            .expect("lookup")
            .is_none()
    );

    let promote = UserPatch {
        role: Some(OrgRole::Manager),
        ..UserPatch::default()
    };
    let bob_id = bob.id;
    let bob = write_op!(store, |tx| update_user(
        tx,
        bob_id,
        promote,
        Some(1),
        ACTOR,
        at(5)
    )
    .await)
    .expect("promote");
    assert_eq!(
        (bob.role, bob.version, bob.updated_at),
        (OrgRole::Manager, 2, at(5))
    );
    let stale = UserPatch {
        name: Some(name("Robert")),
        ..UserPatch::default()
    };
    let refused = write_op!(store, |tx| update_user(
        tx,
        bob_id,
        stale,
        Some(1),
        ACTOR,
        at(6)
    )
    .await);
    assert!(
        matches!(refused, Err(StoreError::StaleVersion { current: 2 })),
        "{refused:?}"
    );
    write_op!(store, |tx| set_password_hash(
        tx,
        bob_id,
        HASH,
        ACTOR,
        at(7)
    )
    .await)
    .expect("set password");
    let bob = get_user(store.reader(), bob_id).await.expect("get bob");
    assert_eq!((bob.name.as_str(), bob.version), ("bob", 3));
    let missing = get_user(store.reader(), UserId::new(at(0))).await;
    assert!(matches!(missing, Err(StoreError::NotFound("user"))));

    let first = list_users(store.reader(), None, 2).await.expect("page 1");
    let last = first.last().map(|u| u.id.0);
    let second = list_users(store.reader(), last, 2).await.expect("page 2");
    let mut listed: Vec<UserId> = first.iter().chain(&second).map(|u| u.id).collect();
    let mut expected = vec![ada.id, bob.id, carol.id];
    expected.sort();
    assert_eq!((first.len(), second.len()), (2, 1));
    listed.dedup();
    assert_eq!(listed, expected);

    assert_eq!(
        kinds(store, bob.id.0).await,
        ["user.created", "user.updated", "user.password_changed"]
    );
    (ada, bob, carol)
}

/// A team, its members and role changes.
pub async fn team_story(store: &Store, ada: &User, bob: &User, carol: &User) -> Team {
    let payments = NewTeam {
        name: name("Payments"),
        description: Description::default(),
    };
    let team =
        write_op!(store, |tx| create_team(tx, payments, ACTOR, at(10)).await).expect("create team");
    let clash = NewTeam {
        name: name("PAYMENTS"),
        description: Description::default(),
    };
    let clash = write_op!(store, |tx| create_team(tx, clash, ACTOR, at(11)).await);
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");

    let (t, a, b, c) = (team.id, ada.id, bob.id, carol.id);
    write_op!(store, |tx| put_member(
        tx,
        t,
        a,
        TeamRole::Manager,
        ACTOR,
        at(12)
    )
    .await)
    .expect("add ada");
    write_op!(store, |tx| put_member(
        tx,
        t,
        b,
        TeamRole::Responder,
        ACTOR,
        at(13)
    )
    .await)
    .expect("add bob");
    write_op!(store, |tx| put_member(
        tx,
        t,
        b,
        TeamRole::Observer,
        ACTOR,
        at(14)
    )
    .await)
    .expect("bob's role");
    write_op!(store, |tx| put_member(
        tx,
        t,
        b,
        TeamRole::Observer,
        ACTOR,
        at(15)
    )
    .await)
    .expect("same role: no-op");
    write_op!(store, |tx| put_member(
        tx,
        t,
        c,
        TeamRole::Responder,
        ACTOR,
        at(16)
    )
    .await)
    .expect("add carol");
    write_op!(store, |tx| remove_member(tx, t, c, ACTOR, at(17)).await).expect("remove carol");
    let again = write_op!(store, |tx| remove_member(tx, t, c, ACTOR, at(18)).await);
    assert!(
        matches!(again, Err(StoreError::NotFound("team member"))),
        "{again:?}"
    );
    let ghost = UserId::new(at(0));
    let unknown = write_op!(store, |tx| put_member(
        tx,
        t,
        ghost,
        TeamRole::Observer,
        ACTOR,
        at(18)
    )
    .await);
    assert!(
        matches!(unknown, Err(StoreError::NotFound("user"))),
        "{unknown:?}"
    );

    let members = list_members(store.reader(), t).await.expect("members");
    let summary: Vec<(&str, &str, TeamRole)> = members
        .iter()
        .map(|m| (m.name.as_str(), m.email.as_str(), m.role))
        .collect();
    assert_eq!(
        summary,
        [
            ("ada", "ada@example.com", TeamRole::Manager),
            ("bob", "bob@example.com", TeamRole::Observer)
        ]
    );
    assert_eq!(
        teams_of_user(store.reader(), b).await.expect("teams"),
        [(t, TeamRole::Observer)]
    );
    assert!(
        teams_of_user(store.reader(), c)
            .await
            .expect("teams")
            .is_empty()
    );

    let rename = TeamPatch {
        description: Some(Description::parse("Money in, money out").expect("valid")),
        ..TeamPatch::default()
    };
    let team = write_op!(store, |tx| update_team(
        tx,
        t,
        rename,
        Some(1),
        ACTOR,
        at(19)
    )
    .await)
    .expect("update team");
    assert_eq!(team.version, 2);
    let stale = TeamPatch {
        name: Some(name("Billing")),
        ..TeamPatch::default()
    };
    let stale = write_op!(store, |tx| update_team(
        tx,
        t,
        stale,
        Some(1),
        ACTOR,
        at(20)
    )
    .await);
    assert!(
        matches!(stale, Err(StoreError::StaleVersion { current: 2 })),
        "{stale:?}"
    );
    assert_eq!(get_team(store.reader(), t).await.expect("get team"), team);
    team
}
