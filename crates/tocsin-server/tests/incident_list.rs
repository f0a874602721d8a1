//! The incident list under every filter shape (none, status, service, both), first page and
//! later pages through the cursor: newest first, nothing skipped or repeated, restricted
//! incidents only for whom may see them. Each shape has its own query text (so each can use an
//! index at a million incidents); this walks them all.
mod lifecycle;

use lifecycle::service_with_key;
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{Client, TestApp, spawn_app};

const INCIDENTS: &str = "/api/v1/incidents";

/// Declares an incident a minute after the previous one (ids are minted from the test clock, so
/// creation order is id order).
async fn declare(
    app: &TestApp,
    client: &Client,
    service: &str,
    title: &str,
    incident_type: &str,
) -> String {
    app.clock.advance(jiff::SignedDuration::from_mins(1));
    let created: Value = client
        .post(
            INCIDENTS,
            &json!({"title": title, "service_id": service, "incident_type": incident_type, "page": false}),
        )
        .await
        .expect_status(201)
        .json();
    created["id"].as_str().expect("an id").to_owned()
}

/// Every page of `query`, one incident per page, followed through `next_cursor`.
async fn walk(client: &Client, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let after = cursor
            .as_ref()
            .map_or(String::new(), |c| format!("&cursor={c}"));
        let page: Value = client
            .get(&format!("{INCIDENTS}?limit=1{query}{after}"))
            .await
            .expect_status(200)
            .json();
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 1, "{page}");
        ids.extend(
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("{query}: more pages than incidents");
}

#[tokio::test]
async fn every_filter_shape_pages_newest_first_and_hides_restricted_incidents() {
    let app = spawn_app().await;
    let (api, _) = service_with_key(&app, "list-api").await;
    let (web, _) = service_with_key(&app, "list-web").await;
    let owner = app.owner();
    let outsider = app.user(OrgRole::Responder).await;
    let outsider = app.with_token(&outsider.token);
    // Oldest first: a1 (api), w1 (web), a2 (api, restricted), a3 (api), w2 (web).
    let a1 = declare(&app, &owner, &api, "api one", "default").await;
    let w1 = declare(&app, &owner, &web, "web one", "default").await;
    let a2 = declare(&app, &owner, &api, "api two", "security").await;
    let a3 = declare(&app, &owner, &api, "api three", "default").await;
    let w2 = declare(&app, &owner, &web, "web two", "default").await;
    for id in [&a1, &a2, &w2] {
        owner
            .post(
                &format!("{INCIDENTS}/{id}/status"),
                &json!({"status": "investigating"}),
            )
            .await
            .expect_status(200);
    }
    let ours = |ids: Vec<String>| -> Vec<String> {
        ids.into_iter()
            .filter(|id| [&a1, &w1, &a2, &a3, &w2].contains(&id))
            .collect()
    };
    let cases: [(String, Vec<&String>); 6] = [
        (String::new(), vec![&w2, &a3, &a2, &w1, &a1]),
        ("&status=investigating".into(), vec![&w2, &a2, &a1]),
        ("&status=triggered".into(), vec![&a3, &w1]),
        (format!("&service_id={api}"), vec![&a3, &a2, &a1]),
        (
            format!("&service_id={api}&status=investigating"),
            vec![&a2, &a1],
        ),
        (format!("&service_id={web}&status=triggered"), vec![&w1]),
    ];
    for (query, expected) in &cases {
        // The declarer is a participant of the restricted case; the outsider is not.
        let seen = ours(walk(&owner, query).await);
        assert_eq!(seen.iter().collect::<Vec<_>>(), *expected, "owner {query}");
        let hidden: Vec<&String> = expected.iter().copied().filter(|id| **id != a2).collect();
        let seen = ours(walk(&outsider, query).await);
        assert_eq!(seen.iter().collect::<Vec<_>>(), hidden, "outsider {query}");
    }
    // A bad filter names its field.
    let problem: Value = owner
        .get(&format!("{INCIDENTS}?status=sleeping"))
        .await
        .expect_status(422)
        .json();
    assert!(problem.to_string().contains("/status"), "{problem}");
    app.shutdown().await;
}
