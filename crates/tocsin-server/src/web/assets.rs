//! The console's static files, compiled into the binary and sent gzip-compressed: one stylesheet,
//! the vendored htmx and its server-sent-events extension, and the small progressive-enhancement
//! script.
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Guard;
use crate::router::{Route, route};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every asset: (path, content type, body). Versioned file names may be cached long.
pub const ASSETS: [(&str, &str, &str); 4] = [
    ("/assets/app.css", CSS, include_str!("../../assets/app.css")),
    ("/assets/app.js", JS, include_str!("../../assets/app.js")),
    (
        "/assets/htmx-2.0.11.min.js",
        JS,
        include_str!("../../assets/vendor/htmx-2.0.11.min.js"),
    ),
    (
        "/assets/htmx-ext-sse-2.2.4.min.js",
        JS,
        include_str!("../../assets/vendor/htmx-ext-sse-2.2.4.min.js"),
    ),
];

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, ASSETS[0].0, Guard::Public, || asset(0)).compressed(),
        route(Method::GET, ASSETS[1].0, Guard::Public, || asset(1)).compressed(),
        route(Method::GET, ASSETS[2].0, Guard::Public, || asset(2)).compressed(),
        route(Method::GET, ASSETS[3].0, Guard::Public, || asset(3)).compressed(),
    ]
}

async fn asset(index: usize) -> Response {
    let (path, content_type, body) = ASSETS[index];
    // Vendored files carry their version in the name; ours change with the binary.
    let cache = if path.contains("/htmx") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
