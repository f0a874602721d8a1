//! The console's admin pages: only the owner and admins get them (pages and forms); users are
//! invited, given roles and deactivated (typed email) with the API reporting each change; teams
//! are created, staffed and deleted (typed name); the roles table is read from the policy;
//! hostile names are escaped.
mod web_people;

use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Browser, TestApp, spawn_app};
use web_people::{HOSTILE, assert_escaped};

/// A user as the API reports it.
async fn api_user(app: &TestApp, id: impl std::fmt::Display) -> serde_json::Value {
    app.owner()
        .get(&format!("/api/v1/users/{id}"))
        .await
        .expect_status(200)
        .json()
}

async fn team_members(app: &TestApp, team: &str) -> serde_json::Value {
    app.owner()
        .get(&format!("/api/v1/teams/{team}/members"))
        .await
        .expect_status(200)
        .json()["items"]
        .clone()
}

#[tokio::test]
async fn responders_get_403_on_the_admin_pages_and_their_forms_change_nothing() {
    let app = spawn_app().await;
    let responder = app.browser(OrgRole::Responder).await;
    assert!(
        !responder.page("/").await.contains("href=\"/admin\""),
        "no nav link"
    );
    for path in ["/admin", "/admin/teams", "/admin/roles"] {
        let answer = responder.client.get(path).await;
        assert_eq!(answer.status, 403, "{path}");
        assert!(answer.text.contains("Admins only"), "{path}");
    }
    let me = responder.user.user.id;
    let promote = responder
        .submit(&format!("/admin/users/{me}/role"), &[("role", "admin")])
        .await;
    assert_eq!(promote.status, 403);
    assert_eq!(api_user(&app, me).await["role"], "responder");
    let invite = responder
        .submit(
            "/admin/users",
            &[("email", "x@example.com"), ("name", "X"), ("role", "admin")],
        )
        .await;
    assert_eq!(invite.status, 403);
    let team = responder.submit("/admin/teams", &[("name", "Rogue")]).await;
    assert_eq!(team.status, 403);
    let teams = app.owner().get("/api/v1/teams").await.json();
    assert_eq!(teams["items"], json!([]));
    app.shutdown().await;
}

#[tokio::test]
async fn an_admin_invites_a_user_and_changes_their_role_and_the_api_reports_it() {
    let app = spawn_app().await;
    let admin = app.browser(OrgRole::Admin).await;
    let invited = admin
        .submit(
            "/admin/users",
            &[
                ("email", "grace@example.com"),
                ("name", HOSTILE),
                ("role", "observer"),
                ("time_zone", "Asia/Tokyo"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    let page = admin.page("/admin").await;
    assert!(page.contains("grace@example.com"));
    assert!(page.contains("Asia/Tokyo"));
    assert!(
        !page.contains("<option value=\"owner\""),
        "only owners appoint owners"
    );
    assert_escaped(&page);

    let users = app.owner().get("/api/v1/users").await.json();
    let grace = users["items"]
        .as_array()
        .and_then(|all| all.iter().find(|u| u["email"] == "grace@example.com"))
        .expect("the invited user is listed");
    assert_eq!(grace["role"], "observer");
    let id = grace["id"].as_str().expect("an id").to_owned();

    let changed = admin
        .submit(&format!("/admin/users/{id}/role"), &[("role", "manager")])
        .await;
    assert_eq!(changed.status, 303);
    assert_eq!(changed.header("location"), Some("/admin"));
    assert_eq!(api_user(&app, &id).await["role"], "manager");

    let to_owner = admin
        .submit(&format!("/admin/users/{id}/role"), &[("role", "owner")])
        .await;
    assert_eq!(to_owner.status, 403, "the policy keeps owners to owners");
    assert_eq!(api_user(&app, &id).await["role"], "manager");

    let nonsense = admin
        .submit(&format!("/admin/users/{id}/role"), &[("role", "root")])
        .await;
    assert_eq!(nonsense.status, 422);
    assert!(nonsense.text.contains("<strong>role</strong>"));
    app.shutdown().await;
}

#[tokio::test]
async fn deactivating_needs_the_email_typed_exactly() {
    let app = spawn_app().await;
    let admin = app.browser(OrgRole::Admin).await;
    let target = app.user(OrgRole::Responder).await;
    let id = target.user.id;
    let email = target.user.email.as_str().to_owned();
    let page = admin.page("/admin").await;
    assert!(page.contains(&format!("data-confirm-typed=\"{email}\"")));
    assert!(page.contains(&format!("Deactivate {email}")));

    let typo = admin
        .submit(
            &format!("/admin/users/{id}/deactivate"),
            &[("confirm", "someone@else.example")],
        )
        .await;
    assert_eq!(typo.status, 422);
    assert!(typo.text.contains("<strong>confirm</strong>"));
    let missing = admin
        .submit(&format!("/admin/users/{id}/deactivate"), &[])
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(api_user(&app, id).await["active"], true);

    let done = admin
        .submit(
            &format!("/admin/users/{id}/deactivate"),
            &[("confirm", &email)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(api_user(&app, id).await["active"], false);
    app.with_token(&target.token)
        .get("/api/v1/me")
        .await
        .expect_status(401);

    let back = admin
        .submit(&format!("/admin/users/{id}/reactivate"), &[])
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(api_user(&app, id).await["active"], true);
    app.shutdown().await;
}

/// Creates a team through the form; answers its id (from the redirect to its page).
async fn create_team(admin: &Browser, name: &str) -> String {
    let created = admin.submit("/admin/teams", &[("name", name)]).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.header("location").expect("the team's page");
    location
        .strip_prefix("/admin/teams/")
        .expect("a team page")
        .to_owned()
}

#[tokio::test]
async fn a_team_is_created_staffed_and_deleted_only_with_its_name_typed() {
    let app = spawn_app().await;
    let admin = app.browser(OrgRole::Admin).await;
    assert!(admin.page("/admin/teams").await.contains("No teams yet"));
    let team = create_team(&admin, HOSTILE).await;
    assert_escaped(&admin.page("/admin/teams").await);
    let page = admin.page(&format!("/admin/teams/{team}")).await;
    assert!(page.contains("has no members"));
    assert!(page.contains("Delete team &#60;script&#62;"));
    assert_escaped(&page);

    let ada = app.user(OrgRole::Responder).await;
    let unknown = admin
        .submit(
            &format!("/admin/teams/{team}/members"),
            &[("email", "nobody@example.com"), ("role", "responder")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.text.contains("<strong>email</strong>"));
    let added = admin
        .submit(
            &format!("/admin/teams/{team}/members"),
            &[("email", ada.user.email.as_str()), ("role", "responder")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text);
    assert_eq!(team_members(&app, &team).await[0]["role"], "responder");
    let ada_id = ada.user.id;
    let promoted = admin
        .submit(
            &format!("/admin/teams/{team}/members/{ada_id}"),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(promoted.status, 303);
    assert_eq!(team_members(&app, &team).await[0]["role"], "manager");
    assert!(
        admin
            .page(&format!("/admin/teams/{team}"))
            .await
            .contains(ada.user.email.as_str())
    );
    let removed = admin
        .submit(&format!("/admin/teams/{team}/members/{ada_id}/remove"), &[])
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(team_members(&app, &team).await, json!([]));

    let typo = admin
        .submit(
            &format!("/admin/teams/{team}/delete"),
            &[("confirm", "script")],
        )
        .await;
    assert_eq!(typo.status, 422);
    app.owner()
        .get(&format!("/api/v1/teams/{team}"))
        .await
        .expect_status(200);
    let deleted = admin
        .submit(
            &format!("/admin/teams/{team}/delete"),
            &[("confirm", HOSTILE)],
        )
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    app.owner()
        .get(&format!("/api/v1/teams/{team}"))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn the_roles_table_follows_the_policy() {
    let app = spawn_app().await;
    let owner_browser = app.browser(OrgRole::Owner).await;
    let page = owner_browser.page("/admin/roles").await;
    assert!(page.contains("Appoint or demote owners"));
    assert!(
        page.contains("as team manager or responder"),
        "override scope"
    );
    assert!(page.contains("anyone&#39;s") || page.contains("anyone's"));
    assert!(page.contains("No incident roles yet"));
    assert!(
        owner_browser
            .page("/admin")
            .await
            .contains("<option value=\"owner\"")
    );
    app.shutdown().await;
}
