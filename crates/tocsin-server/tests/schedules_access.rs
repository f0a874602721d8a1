//! Who may do what to schedules beyond the access matrix (whose team manager manages the case's
//! team): a responder of the owning team adds and removes overrides but cannot change the
//! schedule; a team observer, a responder of another team and anyone on an unowned schedule
//! (short of the manager role) cannot override; stakeholders do not see who is on call.
mod schedules;

use schedules::{create, id, team, weekly};
use serde_json::json;
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::spawn_app;

#[tokio::test]
async fn team_responders_override_their_team_schedules_and_nothing_more() {
    let app = spawn_app().await;
    let owner = app.owner();
    let member = app.user(OrgRole::Responder).await;
    let follower = app.user(OrgRole::Responder).await;
    let outsider = app.user(OrgRole::Responder).await;
    let manager = app.user(OrgRole::Manager).await;
    let stakeholder = app.user(OrgRole::Stakeholder).await;
    let team = team(&owner, "Platform").await;
    for (user, role) in [(&member, "responder"), (&follower, "observer")] {
        owner
            .put(
                &format!("/api/v1/teams/{team}/members/{}", user.user.id),
                &json!({"role": role}),
            )
            .await
            .expect_status(200);
    }
    let people = [member.user.id.to_string()];
    let mut owned = weekly("Platform primary", &[&people[0]]);
    owned["team_id"] = json!(team);
    let owned = create(&owner, &owned).await;
    let unowned = create(&owner, &weekly("Unowned", &[&people[0]])).await;
    let cover = json!({"user_id": member.user.id, "start": "2026-11-28T09:00:00Z", "end": "2026-11-28T17:00:00Z"});

    let as_member = app.with_token(&member.token);
    let path = format!("/api/v1/schedules/{owned}/overrides");
    let added = id(&as_member.post(&path, &cover).await.expect_status(201));
    as_member
        .delete(&format!("{path}/{added}"))
        .await
        .expect_status(204);
    let read = as_member
        .get(&format!("/api/v1/schedules/{owned}"))
        .await
        .json();
    let change = as_member
        .put(&format!("/api/v1/schedules/{owned}"), &read)
        .await;
    assert_eq!(change.status, 403, "{}", change.text);

    for (who, token) in [
        ("a team observer", &follower.token),
        ("another team's responder", &outsider.token),
    ] {
        let refused = app.with_token(token).post(&path, &cover).await;
        assert_eq!(refused.status, 403, "{who}: {}", refused.text);
    }
    let unowned_path = format!("/api/v1/schedules/{unowned}/overrides");
    let refused = as_member.post(&unowned_path, &cover).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    app.with_token(&manager.token)
        .post(&unowned_path, &cover)
        .await
        .expect_status(201);

    let hidden = app
        .with_token(&stakeholder.token)
        .get("/api/v1/oncall")
        .await;
    assert_eq!(hidden.status, 403, "{}", hidden.text);
    app.shutdown().await;
}
