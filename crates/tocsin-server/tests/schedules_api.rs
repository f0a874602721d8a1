//! The schedules API over HTTP: create, read, list, replace (If-Match) and delete; validation
//! problems naming the field (unknown time zone, empty rotation, unknown or deactivated user,
//! taken name, overrides in the body); overrides added, listed by range and removed; a user on a
//! schedule cannot be deactivated, a team owning one cannot be deleted; every change is on the
//! schedule's timeline.
mod schedules;

use schedules::{assert_problem, create, id, layer, person, pointers, team, weekly};
use serde_json::json;
use tocsin_testkit::spawn_app;

#[tokio::test]
async fn schedules_are_created_read_listed_replaced_and_deleted() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let team = team(&owner, "Platform").await;
    let mut body = weekly("Platform primary", &[&ada, &bob]);
    body["team_id"] = json!(team);
    body["description"] = json!("Pages for the platform");
    let created = owner
        .post("/api/v1/schedules", &body)
        .await
        .expect_status(201);
    let schedule_id = id(&created);
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/schedules/{schedule_id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    let view = created.json();
    assert_eq!(view["name"], "Platform primary");
    assert_eq!(view["team_id"], team.as_str());
    assert_eq!(view["time_zone"], "UTC");
    assert_eq!(
        view["layers"][0]["rotation"]["participants"],
        json!([ada, bob])
    );
    assert_eq!(
        view["warnings"],
        json!([]),
        "a weekly rotation covers everything"
    );

    let path = format!("/api/v1/schedules/{schedule_id}");
    let read = owner.get(&path).await.expect_status(200);
    assert_eq!(read.json()["description"], "Pages for the platform");
    let listed = owner
        .get(&format!("/api/v1/schedules?team_id={team}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["items"][0]["id"], schedule_id.as_str());

    // What was read can be sent back, changed; a stale version is refused.
    let mut change = read.json();
    change["name"] = json!("Platform on call");
    change["layers"][0]["rotation"]["participants"] = json!([bob, ada]);
    let replaced = owner
        .json(
            reqwest::Method::PUT,
            &path,
            &change,
            &[("if-match", "\"1\"")],
        )
        .await
        .expect_status(200);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    assert_eq!(replaced.json()["name"], "Platform on call");
    assert_eq!(replaced.json()["version"], 2);
    let stale = owner
        .json(
            reqwest::Method::PUT,
            &path,
            &change,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);

    owner.delete(&path).await.expect_status(204);
    owner.get(&path).await.expect_status(404);
    let events = owner
        .get(&format!("{path}/events"))
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["schedule.created", "schedule.updated", "schedule.deleted"]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn bad_schedules_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;

    let mut unknown_zone = weekly("Zone", &[&ada]);
    unknown_zone["time_zone"] = json!("Mars/Olympus_Mons");
    let refused = owner.post("/api/v1/schedules", &unknown_zone).await;
    assert_problem(&refused, 422, "/time_zone");
    assert!(refused.text.contains("IANA"), "{}", refused.text);

    let mut rotation_zone = weekly("Rotation zone", &[&ada]);
    rotation_zone["layers"][0]["rotation"]["time_zone"] = json!("Europe/Pariss");
    let refused = owner.post("/api/v1/schedules", &rotation_zone).await;
    assert_problem(&refused, 422, "/layers/0/rotation/time_zone");

    let empty = weekly("Empty", &[]);
    let refused = owner.post("/api/v1/schedules", &empty).await;
    assert_problem(&refused, 422, "/layers/0/rotation/participants");

    let nobody = "0192f0c4-0000-7000-8000-00000000beef";
    let unknown_user = weekly("Unknown", &[&ada, nobody]);
    let refused = owner.post("/api/v1/schedules", &unknown_user).await;
    assert_problem(&refused, 422, "/layers/0/rotation/participants/1");
    assert!(refused.text.contains(nobody), "{}", refused.text);

    let mut zero_shift = weekly("Zero", &[&ada]);
    zero_shift["layers"][0]["rotation"]["shift"] = json!({"hours": 0});
    let refused = owner.post("/api/v1/schedules", &zero_shift).await;
    assert_problem(&refused, 422, "/layers/0/rotation/shift/hours");

    let mut with_overrides = weekly("Overrides", &[&ada]);
    with_overrides["overrides"] = json!([]);
    let refused = owner.post("/api/v1/schedules", &with_overrides).await;
    assert_problem(&refused, 422, "/overrides");

    let mut unknown_team = weekly("Team", &[&ada]);
    unknown_team["team_id"] = json!(nobody);
    let refused = owner.post("/api/v1/schedules", &unknown_team).await;
    assert_problem(&refused, 422, "/team_id");

    let mut several = weekly("", &[]);
    several["layers"][0]["restrictions"] =
        json!([{"kind": "daily", "start": "09:00", "duration_seconds": 0}]);
    let refused = owner.post("/api/v1/schedules", &several).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        pointers(&refused),
        [
            "/name",
            "/layers/0/rotation/participants",
            "/layers/0/restrictions/0/duration_seconds"
        ]
    );

    create(&owner, &weekly("Primary", &[&ada])).await;
    let taken = owner
        .post("/api/v1/schedules", &weekly("PRIMARY", &[&ada]))
        .await;
    assert_problem(&taken, 409, "/name");
    app.shutdown().await;
}

#[tokio::test]
async fn overrides_are_added_listed_by_range_and_removed() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let dee = person(&owner, "Dee").await;
    let schedule_id = create(&owner, &weekly("Primary", &[&ada])).await;
    let overrides = format!("/api/v1/schedules/{schedule_id}/overrides");

    let backwards = owner
        .post(
            &overrides,
            &json!({"user_id": dee, "start": "2026-11-28T10:00:00Z", "end": "2026-11-28T09:00:00Z"}),
        )
        .await;
    assert_problem(&backwards, 422, "/end");
    let unknown = owner
        .post(
            &overrides,
            &json!({"user_id": "0192f0c4-0000-7000-8000-00000000beef",
                    "start": "2026-11-28T09:00:00Z", "end": "2026-11-28T10:00:00Z"}),
        )
        .await;
    assert_problem(&unknown, 422, "/user_id");
    let malformed = owner
        .post(
            &overrides,
            &json!({"user_id": dee, "start": "tomorrow", "end": "2026-11-28T10:00:00Z"}),
        )
        .await;
    assert_problem(&malformed, 422, "/start");

    let added = owner
        .post(
            &overrides,
            &json!({"user_id": dee, "start": "2026-11-28T09:00:00Z", "end": "2026-11-28T17:00:00Z"}),
        )
        .await
        .expect_status(201);
    let override_id = id(&added);
    assert_eq!(added.json()["user"], json!({"id": dee, "name": "Dee"}));
    let me = owner.get("/api/v1/me").await.json();
    let me = me["id"].as_str().expect("my id");
    assert_eq!(added.json()["created_by"], format!("user:{me}"));
    let later = owner
        .post(
            &overrides,
            &json!({"user_id": dee, "start": "2027-01-10T09:00:00Z", "end": "2027-01-10T17:00:00Z"}),
        )
        .await
        .expect_status(201);

    let listed = |from: &str, to: &str| {
        let path = format!("{overrides}?from={from}&to={to}");
        let owner = owner.clone();
        async move {
            let body = owner.get(&path).await.expect_status(200).json();
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["id"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed("2026-11-28T16:00:00Z", "2026-12-01T00:00:00Z").await,
        std::slice::from_ref(&override_id)
    );
    assert_eq!(
        listed("2026-11-28T17:00:00Z", "2027-02-01T00:00:00Z").await,
        [id(&later)],
        "an override ending at `from` is outside the range"
    );
    let too_long = owner
        .get(&format!(
            "{overrides}?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z"
        ))
        .await;
    assert_problem(&too_long, 400, "/to");

    let one = format!("{overrides}/{override_id}");
    owner.delete(&one).await.expect_status(204);
    owner.delete(&one).await.expect_status(404);
    assert!(
        listed("2026-11-28T00:00:00Z", "2026-12-01T00:00:00Z")
            .await
            .is_empty()
    );
    let events = owner
        .get(&format!("/api/v1/schedules/{schedule_id}/events"))
        .await
        .json();
    let removed = &events["items"][3];
    assert_eq!(removed["kind"], "schedule.override_removed");
    assert_eq!(removed["payload"]["override_id"], override_id.as_str());
    app.shutdown().await;
}

#[tokio::test]
async fn people_and_teams_on_a_schedule_cannot_be_removed_from_under_it() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let team = team(&owner, "Platform").await;
    let mut body = weekly("Platform primary", &[&ada]);
    body["team_id"] = json!(team);
    let schedule_id = create(&owner, &body).await;

    let deactivate = owner
        .patch(
            &format!("/api/v1/users/{ada}"),
            &json!({"active": false}),
            None,
        )
        .await;
    assert_problem(&deactivate, 409, "/active");
    assert!(
        deactivate.text.contains("Platform primary"),
        "{}",
        deactivate.text
    );

    // An upcoming override also keeps its user; one that has ended does not.
    let overrides = format!("/api/v1/schedules/{schedule_id}/overrides");
    owner
        .post(
            &overrides,
            &json!({"user_id": bob, "start": "2026-11-28T09:00:00Z", "end": "2026-11-28T10:00:00Z"}),
        )
        .await
        .expect_status(201);
    let bob_path = format!("/api/v1/users/{bob}");
    let refused = owner
        .patch(&bob_path, &json!({"active": false}), None)
        .await;
    assert_problem(&refused, 409, "/active");
    app.clock
        .set("2026-11-28T10:00:00Z".parse().expect("valid"));
    owner
        .patch(&bob_path, &json!({"active": false}), None)
        .await
        .expect_status(200);
    let with_bob = weekly("Secondary", &[&bob]);
    let refused = owner.post("/api/v1/schedules", &with_bob).await;
    assert_problem(&refused, 422, "/layers/0/rotation/participants/0");
    assert!(refused.text.contains("deactivated"), "{}", refused.text);

    let team_delete = owner.delete(&format!("/api/v1/teams/{team}")).await;
    assert_eq!(team_delete.status, 409, "{}", team_delete.text);
    assert!(
        team_delete.text.contains("schedule"),
        "{}",
        team_delete.text
    );

    // Taken out of the schedule, Ada can go.
    let mut change = owner
        .get(&format!("/api/v1/schedules/{schedule_id}"))
        .await
        .json();
    let carol = person(&owner, "Carol").await;
    change["layers"] = json!([layer(
        "Primary",
        &[&carol],
        json!({"weeks": 1}),
        "2026-11-02T09:00",
        "UTC"
    )]);
    owner
        .put(&format!("/api/v1/schedules/{schedule_id}"), &change)
        .await
        .expect_status(200);
    owner
        .patch(
            &format!("/api/v1/users/{ada}"),
            &json!({"active": false}),
            None,
        )
        .await
        .expect_status(200);
    app.shutdown().await;
}
