//! `/profile`: the signed-in person's own page — their details, how they are reached (contact
//! methods with verification, notification rules, quiet hours), their password and their API
//! tokens. Every form posts to `/profile/<thing>` and calls the JSON API's handler, so the page
//! follows exactly the API's rules.
pub mod contacts;
pub mod page;
pub mod tokens;

use askama::Template;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use jiff::Timestamp;

use super::chrome::{Chrome, Section, Viewer, render};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::router::{Route, route};

/// A form that carries nothing but its CSRF token (a button).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// Where every profile form comes back to.
pub const BACK: &str = "/profile";

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/profile", Guard::Public, page::show),
        route(
            Method::POST,
            "/profile/contact-methods",
            Guard::Public,
            contacts::create_method,
        ),
        route(
            Method::POST,
            "/profile/contact-methods/{id}/verification",
            Guard::Public,
            contacts::send_code,
        ),
        route(
            Method::POST,
            "/profile/contact-methods/{id}/verify",
            Guard::Public,
            contacts::verify,
        ),
        route(
            Method::POST,
            "/profile/contact-methods/{id}/test",
            Guard::Public,
            contacts::test,
        ),
        route(
            Method::POST,
            "/profile/contact-methods/{id}/delete",
            Guard::Public,
            contacts::delete_method,
        ),
        route(
            Method::POST,
            "/profile/notification-rules",
            Guard::Public,
            contacts::add_rule,
        ),
        route(
            Method::POST,
            "/profile/notification-rules/{id}/delete",
            Guard::Public,
            contacts::delete_rule,
        ),
        route(
            Method::POST,
            "/profile/quiet-hours",
            Guard::Public,
            contacts::set_quiet_hours,
        ),
        route(
            Method::POST,
            "/profile/quiet-hours/delete",
            Guard::Public,
            contacts::clear_quiet_hours,
        ),
        route(
            Method::POST,
            "/profile/time-zone",
            Guard::Public,
            contacts::set_time_zone,
        ),
        route(
            Method::POST,
            "/profile/handoff-notices",
            Guard::Public,
            contacts::set_handoff,
        ),
        route(
            Method::POST,
            "/profile/password",
            Guard::Public,
            tokens::change_password,
        ),
        route(
            Method::POST,
            "/profile/tokens",
            Guard::Public,
            tokens::create,
        ),
        route(
            Method::POST,
            "/profile/tokens/{id}/revoke",
            Guard::Public,
            tokens::revoke,
        ),
    ]
}

/// An instant on the viewer's clock: `2026-11-27 13:00 CET`; `never` when absent.
pub fn when(at: Option<Timestamp>, zone: &jiff::tz::TimeZone) -> String {
    match at {
        Some(at) => super::clock::minutes(at, zone),
        None => "never".to_owned(),
    }
}

/// An optional whole number typed into a form field named `field` (`None` when left empty).
pub fn whole_number(field: &str, raw: &Option<String>) -> Result<Option<i64>, ApiError> {
    match super::form::non_blank(raw) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ApiError::field(format!("/{field}"), "must be a whole number")),
    }
}

/// The page showing a secret once (a new API token, a webhook's signing secret).
#[derive(Template)]
#[template(path = "profile/secret.html")]
pub struct SecretPage {
    pub chrome: Chrome,
    pub heading: String,
    pub what: String,
    pub secret: String,
}

/// Shows `secret` once, never cached by the browser or a proxy.
pub fn show_secret(viewer: &Viewer, heading: String, what: String, secret: String) -> Response {
    let mut response = render(&SecretPage {
        chrome: viewer.chrome(Section::Profile),
        heading,
        what,
        secret,
    });
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_on_the_viewers_clock_or_never() {
        let at: Timestamp = "2026-11-27T12:00:59Z".parse().expect("test instant");
        let berlin = super::super::clock::zone_named("Europe/Berlin");
        assert_eq!(when(Some(at), &berlin), "2026-11-27 13:00 CET");
        assert_eq!(when(None, &berlin), "never");
    }

    #[test]
    fn whole_numbers_are_optional_and_named_when_wrong() {
        assert_eq!(
            whole_number("days", &Some(" 30 ".into())).ok(),
            Some(Some(30))
        );
        assert_eq!(whole_number("days", &Some(String::new())).ok(), Some(None));
        let error = whole_number("days", &Some("soon".into())).expect_err("not a number");
        assert_eq!(error.errors[0].pointer, "/days");
    }
}
