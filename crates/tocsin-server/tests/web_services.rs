//! The service catalog pages: the catalog with its dependency graph drawn as SVG, a service's
//! page with integrations and maintenance windows, and deleting a service with its name typed.
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_testkit::{TestApp, spawn_app};

const HOSTILE: &str = "<script>alert(1)</script>";

/// Creates a service through the API; returns its id.
async fn service(app: &TestApp, name: &str, depends_on: &[&str]) -> String {
    let created = app
        .owner()
        .post(
            "/api/v1/services",
            &json!({ "name": name, "depends_on": depends_on }),
        )
        .await
        .expect_status(201)
        .json();
    created["id"].as_str().expect("an id").to_owned()
}

fn assert_escaped(html: &str) {
    assert!(!html.contains(HOSTILE), "raw script tag in the page");
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
        "the hostile name is not shown escaped"
    );
}

async fn windows(app: &TestApp) -> Vec<Value> {
    app.owner()
        .get("/api/v1/maintenance-windows")
        .await
        .expect_status(200)
        .json()["items"]
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn the_catalog_lists_services_and_draws_a_node_per_service_and_an_edge_per_dependency() {
    let app = spawn_app().await;
    let intake = app.intake("Database", "generic").await;
    let database = intake.service_id.to_string();
    let api = service(&app, &format!("{HOSTILE} API"), &[&database]).await;
    service(&app, "Web", &[&database, &api]).await;
    app.anonymous()
        .post(
            &format!("/api/v1/integrations/{}/generic", intake.secret),
            &json!({ "title": "replica lag", "id": "lag", "status": "firing" }),
        )
        .await
        .expect_status(202);
    let browser = app.browser(OrgRole::Responder).await;

    let html = browser.page("/services").await;
    assert_escaped(&html);
    assert!(html.contains(&format!("href=\"/services/{database}\"")));
    assert!(html.contains("<span class=\"badge\">generic</span>"));
    assert!(
        html.contains(&format!(
            "<a href=\"/incidents?service_id={database}\">1</a>"
        )),
        "the open incident is counted"
    );
    assert!(html.contains("<svg class=\"picture\" role=\"img\""));
    assert!(html.contains("<title id=\"graph-title\">"));
    assert_eq!(html.matches("<rect class=\"node").count(), 3);
    assert_eq!(html.matches("<line class=\"edge\"").count(), 3);
    assert_eq!(
        html.matches("<rect class=\"node down").count(),
        1,
        "only the database has an open incident"
    );
}

#[tokio::test]
async fn a_service_page_shows_its_neighbourhood_and_managers_add_integrations() {
    let app = spawn_app().await;
    let intake = app.intake("Payments", "generic").await;
    let payments = intake.service_id.to_string();
    let ledger = service(&app, "Ledger", &[]).await;
    service(&app, "Unrelated", &[]).await;
    app.owner()
        .patch(
            &format!("/api/v1/services/{payments}"),
            &json!({ "depends_on": [ledger] }),
            None,
        )
        .await
        .expect_status(200);
    service(&app, "Checkout", &[&payments]).await;
    let manager = app.browser(OrgRole::Manager).await;

    let html = manager.page(&format!("/services/{payments}")).await;
    assert!(html.contains("<h1>Payments</h1>"));
    assert_eq!(
        html.matches("<rect class=\"node").count(),
        3,
        "Ledger, Payments and Checkout, not the unrelated service"
    );
    assert_eq!(html.matches("<line class=\"edge\"").count(), 2);
    assert!(html.contains(&format!(
        "data-copy=\"{}",
        tocsin_testkit::app::test_config().public_url
    )));
    assert!(html.contains(&format!("/api/v1/integrations/{}/generic", intake.secret)));
    assert!(html.contains("Delete service Payments"));

    let created = manager
        .submit(
            &format!("/services/{payments}/integrations"),
            &[("name", "Prometheus"), ("kind", "alertmanager")],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let keys = app
        .owner()
        .get(&format!("/api/v1/services/{payments}/integration-keys"))
        .await
        .expect_status(200)
        .json();
    let secret = keys["items"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["name"] == "Prometheus")
        .expect("the new key")["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    assert!(created.text.contains(&format!("data-copy=\"{secret}\"")));
    assert!(
        created
            .text
            .contains(&format!("/api/v1/integrations/{secret}/alertmanager"))
    );

    let bad = manager
        .submit(
            &format!("/services/{payments}/integrations"),
            &[("name", "x"), ("kind", "carrier-pigeon")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("kind"));
}

#[tokio::test]
async fn deleting_a_service_needs_its_name_typed() {
    let app = spawn_app().await;
    let name = format!("{HOSTILE} Payments");
    let id = service(&app, &name, &[]).await;
    let manager = app.browser(OrgRole::Manager).await;
    assert_escaped(&manager.page(&format!("/services/{id}")).await);

    let refused = manager
        .submit(
            &format!("/services/{id}/delete"),
            &[("confirm_name", "Payments")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("confirm_name"));
    app.owner()
        .get(&format!("/api/v1/services/{id}"))
        .await
        .expect_status(200);

    let deleted = manager
        .submit(
            &format!("/services/{id}/delete"),
            &[("confirm_name", name.as_str())],
        )
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    assert_eq!(deleted.header("location"), Some("/services"));
    app.owner()
        .get(&format!("/api/v1/services/{id}"))
        .await
        .expect_status(404);
}

#[tokio::test]
async fn responders_and_observers_get_no_management_forms_and_are_refused() {
    let app = spawn_app().await;
    let intake = app.intake("Search", "generic").await;
    let id = intake.service_id.to_string();
    for role in [OrgRole::Responder, OrgRole::Observer] {
        let browser = app.browser(role).await;
        let html = browser.page(&format!("/services/{id}")).await;
        assert!(!html.contains(&intake.secret), "{role:?} sees no secrets");
        assert!(!html.contains("Delete service"));
        assert!(!html.contains("Add integration"));
        assert!(!html.contains("Schedule maintenance window"));
        let refused = browser
            .submit(
                &format!("/services/{id}/delete"),
                &[("confirm_name", "Search")],
            )
            .await;
        assert_eq!(refused.status, 403, "{role:?}");
        let refused = browser
            .submit(
                &format!("/services/{id}/maintenance"),
                &[("description", "x")],
            )
            .await;
        assert_eq!(refused.status, 403, "{role:?}");
    }
    app.owner()
        .get(&format!("/api/v1/services/{id}"))
        .await
        .expect_status(200);
    assert!(windows(&app).await.is_empty());
}

#[tokio::test]
async fn managers_schedule_and_end_maintenance_windows() {
    let app = spawn_app().await;
    let id = service(&app, "Billing", &[]).await;
    let manager = app.browser(OrgRole::Manager).await;

    let created = manager
        .submit(
            &format!("/services/{id}/maintenance"),
            &[
                ("starts_at", ""),
                ("ends_at", "2026-11-27T15:00"),
                ("description", "database upgrade"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let listed = windows(&app).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["window"]["services"][0], id.as_str());
    assert_eq!(listed[0]["active"], true);

    let html = manager.page(&format!("/services/{id}")).await;
    assert!(html.contains("database upgrade"));
    assert!(html.contains("End maintenance window now"));
    let window = listed[0]["id"].as_str().expect("an id");
    let ended = manager
        .submit(&format!("/services/{id}/maintenance/{window}/end"), &[])
        .await;
    assert_eq!(ended.status, 303);
    assert!(windows(&app).await.is_empty());

    let bad = manager
        .submit(
            &format!("/services/{id}/maintenance"),
            &[("ends_at", "soon")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("ends_at"));
}
