//! Calendar subscriptions over HTTP: a secret URL per owner and target, shown once; creating it
//! again revokes the previous URL (others' URLs stay); unknown, rotated, deleted-schedule and
//! deactivated-owner URLs all answer the same 404. The feed is checked by an independent parser
//! (Python's `icalendar`): event count, UTC start and end, summaries, against the timeline route.
mod schedules;

use std::io::Write;
use std::process::{Command, Stdio};

use schedules::{create, layer, person, schedule, weekly};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, TestResponse, spawn_app};

/// The path (on the test server) of a subscription's URL.
fn feed_path(subscription: &TestResponse) -> String {
    let url = subscription.json()["url"]
        .as_str()
        .expect("a url")
        .to_owned();
    let path = url
        .split_once("/api/v1/calendars/")
        .map(|(_, file)| format!("/api/v1/calendars/{file}"))
        .expect("a calendar path");
    assert!(path.ends_with(".ics"), "{path}");
    path
}

async fn subscribe(client: &Client, target: &str) -> TestResponse {
    client
        .post(&format!("{target}/calendar-subscription"), &json!({}))
        .await
        .expect_status(201)
}

/// A 404 problem, without the members that vary per request.
fn not_found(response: &TestResponse) -> Value {
    assert_eq!(response.status, 404, "{}", response.text);
    let mut body = response.json();
    if let Some(object) = body.as_object_mut() {
        object.remove("instance");
        object.remove("request_id");
    }
    body
}

#[tokio::test]
async fn subscriptions_rotate_and_dead_urls_reveal_nothing() {
    let app = spawn_app().await;
    let owner = app.owner();
    let anonymous = app.anonymous();
    let ada = person(&owner, "Ada").await;
    let schedule_id = create(&owner, &weekly("Primary", &[&ada])).await;
    let target = format!("/api/v1/schedules/{schedule_id}");

    let first = subscribe(&owner, &target).await;
    let view = first.json();
    assert_eq!(view["kind"], "schedule");
    assert_eq!(view["target_id"], schedule_id.as_str());
    let url = view["url"].as_str().unwrap_or_default();
    assert!(
        url.starts_with("http://127.0.0.1:8080/api/v1/calendars/tocsin_cal_"),
        "{url}"
    );
    assert_eq!(view["webcal_url"], url.replacen("http://", "webcal://", 1));
    let first = feed_path(&first);
    let served = anonymous.get(&first).await.expect_status(200);
    assert_eq!(
        served.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(
        served.text.starts_with("BEGIN:VCALENDAR\r\n"),
        "{}",
        served.text
    );
    assert!(served.text.contains("SUMMARY:On call: Ada (Primary)"));

    let observer = app.user(OrgRole::Observer).await;
    let observers = feed_path(&subscribe(&app.with_token(&observer.token), &target).await);
    let second = feed_path(&subscribe(&owner, &target).await);
    assert_ne!(first, second);
    let unknown = not_found(&anonymous.get("/api/v1/calendars/tocsin_cal_nope.ics").await);
    assert_eq!(not_found(&anonymous.get(&first).await), unknown, "rotated");
    anonymous.get(&second).await.expect_status(200);
    anonymous.get(&observers).await.expect_status(200);
    let without_suffix = second.trim_end_matches(".ics");
    assert_eq!(not_found(&anonymous.get(without_suffix).await), unknown);
    assert!(!unknown.to_string().contains("tocsin_cal_"), "{unknown}");

    // A deactivated owner's URL stops working.
    let observer_path = format!("/api/v1/users/{}", observer.user.id);
    owner
        .patch(&observer_path, &json!({"active": false}), None)
        .await
        .expect_status(200);
    assert_eq!(not_found(&anonymous.get(&observers).await), unknown);
    // So does every URL of a deleted schedule.
    owner.delete(&target).await.expect_status(204);
    assert_eq!(not_found(&anonymous.get(&second).await), unknown);
    owner
        .post(&format!("{target}/calendar-subscription"), &json!({}))
        .await
        .expect_status(404);
    app.shutdown().await;
}

#[tokio::test]
async fn users_subscribe_to_their_own_calendar_and_admins_to_anyones() {
    let app = spawn_app().await;
    let responder = app.user(OrgRole::Responder).await;
    let other = app.user(OrgRole::Responder).await;
    let admin = app.user(OrgRole::Admin).await;
    let own = format!("/api/v1/users/{}", responder.user.id);
    let theirs = format!("/api/v1/users/{}", other.user.id);
    let client = app.with_token(&responder.token);
    let mine = subscribe(&client, &own).await;
    assert_eq!(mine.json()["kind"], "user");
    let refused = client
        .post(&format!("{theirs}/calendar-subscription"), &json!({}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    subscribe(&app.with_token(&admin.token), &theirs).await;
    let feed = app
        .anonymous()
        .get(&feed_path(&mine))
        .await
        .expect_status(200);
    assert!(
        !feed.text.contains("BEGIN:VEVENT"),
        "on no schedule: {}",
        feed.text
    );
    app.shutdown().await;
}

/// The script run by `python3 -c`: the calendar on stdin, its events as JSON on stdout.
const PARSE_WITH_ICALENDAR: &str = r#"
import datetime, json, sys
from icalendar import Calendar
calendar = Calendar.from_ical(sys.stdin.buffer.read())
def utc(value):
    return value.utcoffset() == datetime.timedelta(0)
events = [
    {
        "summary": str(event.get("summary")),
        "start": event.decoded("dtstart").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": event.decoded("dtend").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "utc": utc(event.decoded("dtstart")) and utc(event.decoded("dtend")),
        "uid": str(event.get("uid")),
    }
    for event in calendar.walk("VEVENT")
]
print(json.dumps({"name": str(calendar.get("x-wr-calname")), "events": events}))
"#;

/// Whether Python's `icalendar` can be imported; without it the test fails under CI (which
/// installs it) and is skipped elsewhere.
fn icalendar_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Python's icalendar package (pip install icalendar, or apt install python3-icalendar)"
        );
        eprintln!(
            "SKIPPED: python3 with the icalendar package is not available; \
             install it (pip install icalendar) to check the feed with an independent parser"
        );
    }
    found
}

/// The calendar's name and events as the independent parser reads them.
fn parse_with_python(ics: &str) -> Value {
    let mut child = Command::new("python3")
        .args(["-c", PARSE_WITH_ICALENDAR])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("send the calendar");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// (summary, start, end) of the timeline route's final shifts over the feed's range, optionally
/// only `user`'s, for the named schedule.
async fn expected(
    client: &Client,
    schedule_id: &str,
    schedule_name: &str,
    user: Option<&str>,
) -> Vec<Value> {
    let timeline = client
        .get(&format!(
            "/api/v1/schedules/{schedule_id}/shifts?from=2026-11-20T12:00:00Z&to=2027-01-26T12:00:00Z"
        ))
        .await
        .expect_status(200)
        .json();
    timeline["final_shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .filter(|s| user.is_none_or(|u| s["user"]["id"] == u))
        .map(|s| {
            json!({
                "summary": format!("On call: {} ({schedule_name})", s["user"]["name"].as_str().unwrap_or_default()),
                "start": s["start"], "end": s["end"], "utc": true,
            })
        })
        .collect()
}

fn without_uids(parsed: &Value) -> Vec<Value> {
    parsed["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| json!({"summary": e["summary"], "start": e["start"], "end": e["end"], "utc": e["utc"]}))
        .collect()
}

#[tokio::test]
async fn an_independent_parser_reads_the_schedule_and_user_feeds() {
    if !icalendar_available() {
        return;
    }
    let app = spawn_app().await;
    let owner = app.owner();
    let ada = person(&owner, "Ada").await;
    let bob = person(&owner, "Bob").await;
    // Daily handoffs at 09:00 Berlin time (08:00Z in winter), Ada on even days from 2026-11-02;
    // a comma in the name is escaped.
    let zone = "Europe/Berlin";
    let payments = schedule(
        "Payments, EU",
        zone,
        vec![layer(
            "Days",
            &[&ada, &bob],
            json!({"days": 1}),
            "2026-11-02T09:00",
            zone,
        )],
    );
    let payments_id = create(&owner, &payments).await;
    let search_id = create(&owner, &weekly("Search", &[&ada])).await;

    // Now is 2026-11-27T12:00Z: the feed spans 2026-11-20T12:00Z to 2027-01-26T12:00Z.
    let feed = subscribe(&owner, &format!("/api/v1/schedules/{payments_id}")).await;
    let ics = app
        .anonymous()
        .get(&feed_path(&feed))
        .await
        .expect_status(200)
        .text;
    let parsed = parse_with_python(&ics);
    // icalendar leaves properties it has no type for (X-WR-CALNAME) as written: TEXT-escaped.
    let name = parsed["name"].as_str().unwrap_or_default();
    assert_eq!(name.replace("\\,", ","), "Payments, EU", "{name}");
    let events = without_uids(&parsed);
    assert_eq!(
        events.len(),
        68,
        "67 handoffs inside the range cut it in 68 shifts"
    );
    assert_eq!(
        events[0],
        json!({"summary": "On call: Ada (Payments, EU)", "start": "2026-11-20T12:00:00Z",
               "end": "2026-11-21T08:00:00Z", "utc": true})
    );
    assert_eq!(
        events,
        expected(&owner, &payments_id, "Payments, EU", None).await
    );
    let uids: std::collections::BTreeSet<&str> = parsed["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["uid"].as_str())
        .collect();
    assert_eq!(uids.len(), 68, "every event has its own UID");
    let again = app.anonymous().get(&feed_path(&feed)).await.text;
    assert_eq!(
        parse_with_python(&again)["events"],
        parsed["events"],
        "UIDs are stable"
    );

    // Ada's own calendar: her days on Payments and her unbroken Search rotation, by start.
    let mine = subscribe(&owner, &format!("/api/v1/users/{ada}")).await;
    let ics = app
        .anonymous()
        .get(&feed_path(&mine))
        .await
        .expect_status(200)
        .text;
    let parsed = parse_with_python(&ics);
    assert_eq!(parsed["name"], "On call: Ada");
    let mut wanted = expected(&owner, &payments_id, "Payments, EU", Some(&ada)).await;
    wanted.extend(expected(&owner, &search_id, "Search", Some(&ada)).await);
    wanted.sort_by_key(|e| (e["start"].to_string(), e["end"].to_string()));
    assert_eq!(wanted.len(), 34 + 1);
    let mut got = without_uids(&parsed);
    got.sort_by_key(|e| (e["start"].to_string(), e["end"].to_string()));
    assert_eq!(got, wanted);
    app.shutdown().await;
}
