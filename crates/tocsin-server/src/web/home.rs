//! The home page: where a signed-in responder starts.
use askama::Template;
use axum::http::Method;
use axum::response::Response;

use super::chrome::{Chrome, Section, Viewer, render};
use crate::auth::Guard;
use crate::router::{Route, route};

pub fn routes() -> Vec<Route> {
    vec![route(Method::GET, "/", Guard::Public, home)]
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    email: String,
    role: &'static str,
}

/// The home page for signed-in users; others are sent to sign in.
pub async fn home(viewer: Viewer) -> Response {
    render(&HomePage {
        chrome: viewer.chrome(Section::Home),
        name: viewer.name.clone(),
        email: viewer.email.clone(),
        role: viewer.role.as_str(),
    })
}
