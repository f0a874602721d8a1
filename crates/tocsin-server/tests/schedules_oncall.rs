//! Who is on call, and why, over HTTP: a New York schedule of a weekly layer and a nightly layer
//! on top, with an override, asked at instants on both sides of the March 2026 daylight saving
//! change (the 09:00 handoff and the 22:00 window stay local); the timeline route's final and
//! per-layer shifts; gap detection and the schedule's gap warnings; bounded ranges.
mod schedules;

use schedules::{assert_problem, create, id, layer, person, schedule};
use serde_json::{Value, json};
use tocsin_testkit::{Client, spawn_app};

/// The entries for `schedule_id` in the on-call answer at `at`.
async fn on_call(client: &Client, schedule_id: &str, at: &str) -> Vec<Value> {
    let answer = client
        .get(&format!("/api/v1/oncall?at={at}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(answer["at"], at);
    answer["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .find(|s| s["id"] == schedule_id)
        .map(|s| s["on_call"].as_array().cloned().unwrap_or_default())
        .expect("the schedule is in the answer")
}

/// The single person on call at `at`: (name, reason).
async fn the_one(client: &Client, schedule_id: &str, at: &str) -> (String, Value) {
    let entries = on_call(client, schedule_id, at).await;
    assert_eq!(entries.len(), 1, "at {at}: {entries:?}");
    let entry = &entries[0];
    (
        entry["user"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        entry["reason"].clone(),
    )
}

#[tokio::test]
async fn the_on_call_answer_names_the_layer_turn_or_override_across_daylight_saving() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let cy = person(&owner, "Cy").await;
    let dee = person(&owner, "Dee").await;
    let zone = "America/New_York";
    let mut nights = layer(
        "Nights",
        &[&cy],
        json!({"days": 1}),
        "2026-03-01T22:00",
        zone,
    );
    nights["restrictions"] =
        json!([{"kind": "daily", "start": "22:00", "duration_seconds": 8 * 3600}]);
    let body = schedule(
        "Payments",
        zone,
        vec![
            layer(
                "Weekly",
                &[&ada, &bob],
                json!({"weeks": 1}),
                "2026-03-02T09:00",
                zone,
            ),
            nights,
        ],
    );
    let schedule_id = create(&owner, &body).await;
    // Dee covers Cy's first hours of the Monday night after the change.
    let cover = id(&owner
        .post(
            &format!("/api/v1/schedules/{schedule_id}/overrides"),
            &json!({"user_id": dee, "start": "2026-03-10T02:00:00Z", "end": "2026-03-10T04:00:00Z"}),
        )
        .await
        .expect_status(201));

    // Thursday 10:00 EST: Ada's week (turn 0), which ends at 09:00 EDT = 13:00Z, 167 hours.
    let (name, reason) = the_one(&owner, &schedule_id, "2026-03-05T15:00:00Z").await;
    assert_eq!(name, "Ada");
    assert_eq!(
        reason,
        json!({"kind": "layer", "layer_index": 0, "layer_name": "Weekly",
               "turn": {"number": 0, "participant_index": 0,
                        "start": "2026-03-02T14:00:00Z", "end": "2026-03-09T13:00:00Z"}})
    );
    // 21:30 EST is before the nightly window (22:00 EST = 03:00Z) ...
    assert_eq!(
        the_one(&owner, &schedule_id, "2026-03-06T02:30:00Z")
            .await
            .0,
        "Ada"
    );
    // ... 22:30 EST is inside it: the top layer covers the weekly one.
    let (name, reason) = the_one(&owner, &schedule_id, "2026-03-06T03:30:00Z").await;
    assert_eq!(name, "Cy");
    assert_eq!(reason["layer_index"], 1);
    assert_eq!(reason["layer_name"], "Nights");
    // The Monday handoff after the change is at 09:00 EDT, an hour earlier in UTC.
    assert_eq!(
        the_one(&owner, &schedule_id, "2026-03-09T12:59:59Z")
            .await
            .0,
        "Ada"
    );
    let (name, reason) = the_one(&owner, &schedule_id, "2026-03-09T13:00:00Z").await;
    assert_eq!(name, "Bob");
    assert_eq!(reason["turn"]["number"], 1);
    assert_eq!(reason["turn"]["participant_index"], 1);
    assert_eq!(reason["turn"]["start"], "2026-03-09T13:00:00Z");
    // 21:30 EDT (01:30Z): Bob; the window now opens at 22:00 EDT = 02:00Z, where Dee's
    // override takes over from Cy until 04:00Z; then Cy again.
    assert_eq!(
        the_one(&owner, &schedule_id, "2026-03-10T01:30:00Z")
            .await
            .0,
        "Bob"
    );
    let entries = on_call(&owner, &schedule_id, "2026-03-10T03:00:00Z").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["user"], json!({"id": dee, "name": "Dee"}));
    assert_eq!(entries[0]["reason"]["kind"], "override");
    assert_eq!(entries[0]["reason"]["override_id"], cover.as_str());
    let explanation = entries[0]["explanation"].as_str().unwrap_or_default();
    assert!(
        explanation.starts_with("override from 2026-03-10T02:00:00Z"),
        "{explanation}"
    );
    assert_eq!(
        the_one(&owner, &schedule_id, "2026-03-10T04:00:00Z")
            .await
            .0,
        "Cy"
    );

    // Without `at`, the answer is for the injected clock's now.
    app.clock
        .set("2026-03-05T15:00:00Z".parse().expect("valid"));
    let now = owner.get("/api/v1/oncall").await.expect_status(200).json();
    assert_eq!(now["at"], "2026-03-05T15:00:00Z");
    assert_eq!(now["schedules"][0]["on_call"][0]["user"]["name"], "Ada");
    let bad = owner.get("/api/v1/oncall?at=next%20tuesday").await;
    assert_problem(&bad, 400, "/at");
    app.shutdown().await;
}

#[tokio::test]
async fn the_timeline_gives_final_and_layer_shifts_with_names_and_reasons() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    let dee = person(&owner, "Dee").await;
    let body = schedule(
        "Daily",
        "UTC",
        vec![layer(
            "Days",
            &[&ada, &bob],
            json!({"days": 1}),
            "2026-11-02T09:00",
            "UTC",
        )],
    );
    let schedule_id = create(&owner, &body).await;
    owner
        .post(
            &format!("/api/v1/schedules/{schedule_id}/overrides"),
            &json!({"user_id": dee, "start": "2026-11-28T12:00:00Z", "end": "2026-11-28T13:00:00Z"}),
        )
        .await
        .expect_status(201);
    let timeline = owner
        .get(&format!(
            "/api/v1/schedules/{schedule_id}/shifts?from=2026-11-28T00:00:00Z&to=2026-11-29T00:00:00Z"
        ))
        .await
        .expect_status(200)
        .json();
    let finals: Vec<(String, String, String, String)> = timeline["final_shifts"]
        .as_array()
        .expect("final shifts")
        .iter()
        .map(|s| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&s["user"]["name"]),
                text(&s["start"]),
                text(&s["end"]),
                text(&s["reason"]["kind"]),
            )
        })
        .collect();
    // 2026-11-02 is turn 0 (Ada); the 27th, turn 25, is Bob's; the 28th, turn 26, Ada's.
    let row = |name: &str, start: &str, end: &str, kind: &str| {
        (
            name.to_owned(),
            start.to_owned(),
            end.to_owned(),
            kind.to_owned(),
        )
    };
    assert_eq!(
        finals,
        [
            row(
                "Bob",
                "2026-11-28T00:00:00Z",
                "2026-11-28T09:00:00Z",
                "layer"
            ),
            row(
                "Ada",
                "2026-11-28T09:00:00Z",
                "2026-11-28T12:00:00Z",
                "layer"
            ),
            row(
                "Dee",
                "2026-11-28T12:00:00Z",
                "2026-11-28T13:00:00Z",
                "override"
            ),
            row(
                "Ada",
                "2026-11-28T13:00:00Z",
                "2026-11-29T00:00:00Z",
                "layer"
            ),
        ]
    );
    let layer_shifts = &timeline["layers"][0];
    assert_eq!(layer_shifts["name"], "Days");
    assert_eq!(
        layer_shifts["shifts"].as_array().map(Vec::len),
        Some(2),
        "overrides are not in a layer's drawing"
    );
    assert_eq!(layer_shifts["shifts"][1]["user"]["name"], "Ada");
    assert_eq!(layer_shifts["shifts"][1]["turn"]["number"], 26);

    let path = format!("/api/v1/schedules/{schedule_id}/shifts");
    let too_long = owner
        .get(&format!(
            "{path}?from=2026-11-28T00:00:00Z&to=2027-02-26T00:00:01Z"
        ))
        .await;
    assert_problem(&too_long, 400, "/to");
    assert!(too_long.text.contains("90 days"), "{}", too_long.text);
    let backwards = owner
        .get(&format!(
            "{path}?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z"
        ))
        .await;
    assert_problem(&backwards, 400, "/to");
    app.shutdown().await;
}

#[tokio::test]
async fn gaps_are_named_by_the_gaps_route_and_as_warnings_until_covered() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let dee = person(&owner, "Dee").await;
    // Office hours only: 09:00 to 17:00 UTC every day. The clock starts 2026-11-27T12:00Z.
    let mut office = layer(
        "Office",
        &[&ada],
        json!({"weeks": 1}),
        "2026-11-02T09:00",
        "UTC",
    );
    office["restrictions"] =
        json!([{"kind": "daily", "start": "09:00", "duration_seconds": 8 * 3600}]);
    let schedule_id = create(&owner, &schedule("Office hours", "UTC", vec![office])).await;
    let path = format!("/api/v1/schedules/{schedule_id}");

    let gaps = owner
        .get(&format!("{path}/gaps?days=2"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(gaps["from"], "2026-11-27T12:00:00Z");
    assert_eq!(gaps["to"], "2026-11-29T12:00:00Z");
    assert_eq!(
        gaps["gaps"],
        json!([
            {"start": "2026-11-27T17:00:00Z", "end": "2026-11-28T09:00:00Z", "duration_seconds": 57600},
            {"start": "2026-11-28T17:00:00Z", "end": "2026-11-29T09:00:00Z", "duration_seconds": 57600},
        ])
    );
    let default = owner
        .get(&format!("{path}/gaps"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(default["to"], "2026-12-11T12:00:00Z", "14 days by default");
    assert_eq!(default["gaps"].as_array().map(Vec::len), Some(14));
    for bad in ["0", "91", "soon"] {
        let refused = owner.get(&format!("{path}/gaps?days={bad}")).await;
        assert_problem(&refused, 400, "/days");
    }

    let warnings = owner.get(&path).await.expect_status(200).json()["warnings"].clone();
    assert_eq!(warnings.as_array().map(Vec::len), Some(14));
    assert_eq!(warnings[0]["kind"], "uncovered");
    assert_eq!(
        warnings[0]["message"],
        "uncovered from 2026-11-27T17:00:00Z to 2026-11-28T09:00:00Z"
    );
    // An override covering tonight removes that gap from the warnings.
    owner
        .post(
            &format!("{path}/overrides"),
            &json!({"user_id": dee, "start": "2026-11-27T17:00:00Z", "end": "2026-11-28T09:00:00Z"}),
        )
        .await
        .expect_status(201);
    let warnings = owner.get(&path).await.json()["warnings"].clone();
    assert_eq!(warnings.as_array().map(Vec::len), Some(13));
    assert_eq!(warnings[0]["start"], "2026-11-28T17:00:00Z");
    app.shutdown().await;
}

#[tokio::test]
async fn work_is_bounded_for_schedules_of_very_short_shifts() {
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let minute = json!({"custom": {"seconds": 60}});
    let layers = (0..20)
        .map(|i| {
            layer(
                &format!("L{i}"),
                &[&ada],
                minute.clone(),
                "2026-11-02T09:00",
                "UTC",
            )
        })
        .collect();
    let schedule_id = create(&owner, &schedule("Minutes", "UTC", layers)).await;
    let path = format!("/api/v1/schedules/{schedule_id}");

    let too_much = owner
        .get(&format!(
            "{path}/shifts?from=2026-11-27T12:00:00Z&to=2026-12-27T12:00:00Z"
        ))
        .await;
    assert_problem(&too_much, 400, "/to");
    assert_problem(
        &owner.get(&format!("{path}/gaps?days=30")).await,
        400,
        "/days",
    );
    owner
        .get(&format!(
            "{path}/shifts?from=2026-11-27T12:00:00Z&to=2026-11-27T18:00:00Z"
        ))
        .await
        .expect_status(200);
    // 14 days of 20 minute-long rotations is over the bound: the warning says what was not
    // checked instead of computing it.
    let warnings = owner.get(&path).await.expect_status(200).json()["warnings"].clone();
    let last = warnings
        .as_array()
        .and_then(|w| w.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["kind"], "not_checked", "{warnings}");
    assert_eq!(last["end"], "2026-12-11T12:00:00Z");
    app.shutdown().await;
}
