//! The OpenAPI document: valid 3.1, snapshot-tested so API changes are deliberate, and in step with
//! the route table (every API route documented, nothing documented that is not routed).
use std::collections::BTreeSet;

use tocsin_server::router::specs;

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let document = serde_json::to_value(tocsin_server::openapi::document()).expect("serialises");
    assert_eq!(document["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", document);
}

#[test]
fn every_api_route_is_documented_and_every_documented_path_is_routed() {
    let document = serde_json::to_value(tocsin_server::openapi::document()).expect("serialises");
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|ops| ops.keys())
                .filter(|method| {
                    ["get", "head", "post", "put", "patch", "delete", "options"]
                        .contains(&method.as_str())
                })
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = specs()
        .into_iter()
        .filter(|spec| {
            spec.path.starts_with("/api/v1")
                || ["/healthz", "/readyz", "/metrics"].contains(&spec.path)
        })
        .map(|spec| (spec.method.to_string(), spec.path.to_owned()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented paths with no route: {unrouted:?}"
    );
}

#[tokio::test]
async fn the_document_is_served() {
    let app = tocsin_testkit::spawn_app().await;
    let served = app
        .anonymous()
        .get("/api/openapi.json")
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        served,
        serde_json::to_value(tocsin_server::openapi::document()).expect("serialises")
    );
    app.shutdown().await;
}
