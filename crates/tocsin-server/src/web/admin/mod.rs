//! `/admin`: the organisation's people and access — users (invite, change role, deactivate),
//! teams (create, members, delete) and roles (what each organisation role may do, derived from
//! the policy). Only the owner and admins see it; everyone else gets a 403 page, on its forms too.
pub mod roles;
pub mod teams;
pub mod users;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;
use tocsin_domain::catalog::OrgRole;

use super::chrome::{Viewer, problem_page};
use super::form::WebForm;
use crate::auth::Guard;
use crate::error::ApiError;
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let public = || Guard::Public;
    vec![
        route(Method::GET, "/admin", public(), users::show),
        route(Method::POST, "/admin/users", public(), users::create),
        route(
            Method::POST,
            "/admin/users/{id}/role",
            public(),
            users::change_role,
        ),
        route(
            Method::POST,
            "/admin/users/{id}/deactivate",
            public(),
            users::deactivate,
        ),
        route(
            Method::POST,
            "/admin/users/{id}/reactivate",
            public(),
            users::reactivate,
        ),
        route(Method::GET, "/admin/teams", public(), teams::list),
        route(Method::POST, "/admin/teams", public(), teams::create),
        route(Method::GET, "/admin/teams/{id}", public(), teams::show),
        route(
            Method::POST,
            "/admin/teams/{id}/members",
            public(),
            teams::add_member,
        ),
        route(
            Method::POST,
            "/admin/teams/{id}/members/{user_id}",
            public(),
            teams::change_member,
        ),
        route(
            Method::POST,
            "/admin/teams/{id}/members/{user_id}/remove",
            public(),
            teams::remove_member,
        ),
        route(
            Method::POST,
            "/admin/teams/{id}/delete",
            public(),
            teams::delete,
        ),
        route(Method::GET, "/admin/roles", public(), roles::show),
    ]
}

/// Admin pages are for the owner and admins: `None` for them, a readable 403 page for anyone else.
fn refusal(viewer: &Viewer) -> Option<Response> {
    if viewer.at_least(OrgRole::Admin) {
        return None;
    }
    Some(problem_page(
        Some(viewer),
        StatusCode::FORBIDDEN,
        "Admins only",
        "The admin pages are for the organisation's owner and admins. Ask one of them to make \
         this change.",
        "/",
    ))
}

/// The signed-in owner or admin an admin page is for; anyone else is answered the 403 page.
pub struct Admin(pub Viewer);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match refusal(&viewer) {
            Some(page) => Err(page),
            None => Ok(Admin(viewer)),
        }
    }
}

/// A `WebForm` posted by an owner or admin; anyone else is answered the 403 page.
pub struct AdminForm<T>(pub Viewer, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let WebForm(viewer, fields) = WebForm::<T>::from_request(request, state).await?;
        match refusal(&viewer) {
            Some(page) => Err(page),
            None => Ok(AdminForm(viewer, fields)),
        }
    }
}

/// The typed confirmation of a large-blast-radius action: `typed` must be `expected` exactly
/// (surrounding spaces aside), else a problem naming the `confirm` field.
pub fn confirmed(typed: &str, expected: &str) -> Result<(), ApiError> {
    if typed.trim() == expected {
        Ok(())
    } else {
        Err(ApiError::field(
            "/confirm",
            format!("type {expected} exactly to confirm"),
        ))
    }
}

/// A "next page" link's query for a list page: `?cursor=...` (percent-encoded).
pub fn next_page(path: &str, cursor: Option<String>) -> Option<String> {
    cursor.map(|c| format!("{path}?cursor={}", super::chrome::urlencode(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_confirmation_must_match_exactly() {
        assert!(confirmed(" ada@example.com ", "ada@example.com").is_ok());
        let wrong = confirmed("ada@example.co", "ada@example.com").expect_err("a typo");
        assert_eq!(wrong.errors[0].pointer, "/confirm");
        assert!(confirmed("", "Payments").is_err());
        assert!(confirmed("payments", "Payments").is_err());
    }

    #[test]
    fn next_page_links_carry_an_encoded_cursor_or_nothing() {
        assert_eq!(
            next_page("/admin", Some("a+b/c".into())),
            Some("/admin?cursor=a%2Bb%2Fc".to_owned())
        );
        assert_eq!(next_page("/admin", None), None);
    }
}
