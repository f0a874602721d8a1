//! Notification rules, quiet hours and the notification-plan preview, and who may touch any of
//! it: only unverified methods' absence, the other urgency's rules as a fallback, low urgency
//! deferred past quiet hours (in the user's time zone), rules bound to the user's own methods;
//! another user gets 403, admins manage anyone's.
mod contacts;

use contacts::{create, me, methods, verified_webhook};
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::{Client, spawn_app};

async fn plan(client: &Client, user: &str, query: &str) -> Value {
    client
        .get(&format!("/api/v1/users/{user}/notification-plan?{query}"))
        .await
        .expect_status(200)
        .json()
}

#[tokio::test]
async fn the_plan_uses_verified_methods_only_and_says_when_it_falls_back() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = me(&owner).await;
    let nobody = plan(&owner, &user, "urgency=high").await;
    assert_eq!(nobody["contacts"], json!([]));
    assert!(
        nobody["fallback"]
            .as_str()
            .expect("fallback")
            .contains("cannot be reached")
    );

    let unverified = create(&owner, &user, "sms", "+14155550100").await;
    let verified = verified_webhook(&owner, &user, &sink, "/hook").await;
    let high = plan(&owner, &user, "urgency=high&at=2026-11-28T10:00:00Z").await;
    let contacts = high["contacts"].as_array().expect("contacts");
    assert_eq!(contacts.len(), 1, "{high}");
    assert_eq!(contacts[0]["contact_method_id"], verified.as_str());
    assert_ne!(contacts[0]["contact_method_id"], unverified["id"]);
    assert_eq!(contacts[0]["send_at"], "2026-11-28T10:00:00Z");
    assert_eq!(high["fallback"], Value::Null);

    // Only the automatic high-urgency rule exists: low urgency borrows it, and says so.
    let low = plan(&owner, &user, "urgency=low&at=2026-11-28T10:00:00Z").await;
    assert!(
        low["fallback"]
            .as_str()
            .expect("fallback")
            .contains("no low-urgency rules")
    );

    let rules = format!("/api/v1/users/{user}/notification-rules");
    let rule = owner
        .post(
            &rules,
            &json!({"contact_method_id": verified, "urgency": "high", "delay_minutes": 5}),
        )
        .await
        .expect_status(201)
        .json();
    let high = plan(&owner, &user, "urgency=high&at=2026-11-28T10:00:00Z").await;
    let times: Vec<&str> = high["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["send_at"].as_str())
        .collect();
    assert_eq!(times, vec!["2026-11-28T10:00:00Z", "2026-11-28T10:05:00Z"]);
    assert_eq!(
        high["contacts"][1]["reason"],
        "high-urgency rule: webhook after 5 min"
    );

    owner
        .post(
            &rules,
            &json!({"contact_method_id": verified, "urgency": "high", "delay_minutes": 5}),
        )
        .await
        .expect_status(409);
    let too_late = owner
        .post(
            &rules,
            &json!({"contact_method_id": verified, "urgency": "low", "delay_minutes": 1441}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(too_late["errors"][0]["pointer"], "/delay_minutes");
    owner
        .delete(&format!(
            "{rules}/{}",
            rule["id"].as_str().expect("rule id")
        ))
        .await
        .expect_status(204);
    let count = owner.get(&rules).await.json()["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(count, Some(1));
    app.shutdown().await;
}

#[tokio::test]
async fn quiet_hours_defer_low_urgency_to_their_end_in_the_users_zone() {
    let sink = WebhookSink::start().await;
    let app = spawn_app().await;
    let owner = app.owner();
    let user = me(&owner).await;
    owner
        .patch(
            &format!("/api/v1/users/{user}"),
            &json!({"time_zone": "Europe/Paris"}),
            None,
        )
        .await
        .expect_status(200);
    let method = verified_webhook(&owner, &user, &sink, "/hook").await;
    owner
        .post(
            &format!("/api/v1/users/{user}/notification-rules"),
            &json!({"contact_method_id": method, "urgency": "low", "delay_minutes": 0}),
        )
        .await
        .expect_status(201);
    let path = format!("/api/v1/users/{user}/quiet-hours");
    assert_eq!(
        owner.get(&path).await.expect_status(200).json(),
        Value::Null
    );
    let set = owner
        .put(
            &path,
            &json!({"start": "22:00", "end": "07:00", "days": ["fri", "sat"]}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        set,
        json!({"start": "22:00", "end": "07:00", "days": ["fri", "sat"]})
    );
    assert_eq!(owner.get(&path).await.json(), set);

    // Saturday 2026-11-28 23:30 in Paris (22:30Z) is inside Saturday's window, which ends
    // Sunday 07:00 Paris (06:00Z). High urgency is never deferred.
    let low = plan(&owner, &user, "urgency=low&at=2026-11-28T22:30:00Z").await;
    assert_eq!(low["contacts"][0]["send_at"], "2026-11-29T06:00:00Z");
    assert!(
        low["contacts"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("quiet hours")
    );
    let high = plan(&owner, &user, "urgency=high&at=2026-11-28T22:30:00Z").await;
    assert_eq!(high["contacts"][0]["send_at"], "2026-11-28T22:30:00Z");
    // Sunday night is not a chosen day.
    let sunday = plan(&owner, &user, "urgency=low&at=2026-11-29T22:30:00Z").await;
    assert_eq!(sunday["contacts"][0]["send_at"], "2026-11-29T22:30:00Z");

    for (body, pointer) in [
        (json!({"start": "22:00", "end": "22:00"}), "/end"),
        (json!({"start": "25:00", "end": "07:00"}), "/start"),
        (
            json!({"start": "22:00", "end": "07:00", "days": ["someday"]}),
            "/days",
        ),
        (
            json!({"start": "22:00", "end": "07:00", "days": []}),
            "/days",
        ),
    ] {
        let refused = owner.put(&path, &body).await.expect_status(422).json();
        assert_eq!(refused["errors"][0]["pointer"], pointer, "{body}");
    }
    owner.delete(&path).await.expect_status(204);
    let after = plan(&owner, &user, "urgency=low&at=2026-11-28T22:30:00Z").await;
    assert_eq!(after["contacts"][0]["send_at"], "2026-11-28T22:30:00Z");
    owner
        .get(&format!(
            "/api/v1/users/{user}/notification-plan?urgency=medium"
        ))
        .await
        .expect_status(400);
    app.shutdown().await;
}

#[tokio::test]
async fn only_the_person_or_an_admin_reads_or_changes_how_they_are_reached() {
    let app = spawn_app().await;
    let ada = app.user(OrgRole::Responder).await;
    let bob = app.user(OrgRole::Responder).await;
    let observer = app.user(OrgRole::Observer).await;
    let manager = app.user(OrgRole::Manager).await;
    let admin = app.user(OrgRole::Admin).await;
    let ada_id = ada.user.id.to_string();
    let bob_id = bob.user.id.to_string();
    let mine = create(
        &app.with_token(&ada.token),
        &ada_id,
        "email",
        "ada@example.com",
    )
    .await;
    let method = mine["id"].as_str().expect("id");

    // A rule cannot name someone else's method.
    let bobs = app.with_token(&bob.token);
    let refused = bobs
        .post(
            &format!("/api/v1/users/{bob_id}/notification-rules"),
            &json!({"contact_method_id": method, "urgency": "high", "delay_minutes": 0}),
        )
        .await
        .expect_status(422)
        .json();
    assert_eq!(refused["errors"][0]["pointer"], "/contact_method_id");

    for outsider in [&bob, &observer, &manager] {
        let client = app.with_token(&outsider.token);
        for path in [
            methods(&ada_id),
            format!("{}/{method}", methods(&ada_id)),
            format!("/api/v1/users/{ada_id}/notification-rules"),
            format!("/api/v1/users/{ada_id}/quiet-hours"),
            format!("/api/v1/users/{ada_id}/notification-plan"),
        ] {
            client.get(&path).await.expect_status(403);
        }
        client
            .post(
                &methods(&ada_id),
                &json!({"channel": "email", "address": "x@example.com"}),
            )
            .await
            .expect_status(403);
        client
            .delete(&format!("{}/{method}", methods(&ada_id)))
            .await
            .expect_status(403);
        client
            .put(
                &format!("/api/v1/users/{ada_id}/quiet-hours"),
                &json!({"start": "22:00", "end": "07:00"}),
            )
            .await
            .expect_status(403);
    }
    // Observers manage their own.
    let observer_id = observer.user.id.to_string();
    create(
        &app.with_token(&observer.token),
        &observer_id,
        "email",
        "o@example.com",
    )
    .await;

    let admin = app.with_token(&admin.token);
    let listed = admin.get(&methods(&ada_id)).await.expect_status(200).json();
    assert_eq!(listed["items"][0]["id"], method);
    admin
        .delete(&format!("{}/{method}", methods(&ada_id)))
        .await
        .expect_status(204);
    app.shutdown().await;
}
