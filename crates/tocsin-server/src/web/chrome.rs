//! What every console page shares: the signed-in viewer (or a redirect to sign in), the layout's
//! navigation, rendering, and turning an action's outcome into a redirect or a readable error page.
//!
//! Pages get their data by calling the JSON API's handler functions with the viewer's `Caller`, so
//! a page shows exactly what the API would show that person and every rule lives in one place.
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::UserId;

use crate::auth::Caller;
use crate::auth::caller::{SESSION_COOKIE, cookie};
use crate::error::ApiError;
use crate::state::AppState;

/// The console's top-level sections, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Incidents,
    Alerts,
    Services,
    OnCall,
    Profile,
    Admin,
}

impl Section {
    /// (section, link, label) for the navigation bar.
    const NAV: [(Section, &'static str, &'static str); 7] = [
        (Section::Home, "/", "Home"),
        (Section::Incidents, "/incidents", "Incidents"),
        (Section::Alerts, "/alerts", "Alerts"),
        (Section::Services, "/services", "Services"),
        (Section::OnCall, "/on-call", "On-call"),
        (Section::Profile, "/profile", "Profile"),
        (Section::Admin, "/admin", "Admin"),
    ];
}

/// One link of the navigation bar.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The layout around every signed-in page: who is signed in, the navigation and the session's
/// CSRF token (which every form on the page carries).
#[derive(Debug, Clone)]
pub struct Chrome {
    pub name: String,
    pub role: &'static str,
    pub csrf_token: String,
    pub nav: Vec<NavLink>,
    /// The viewer's clock, for the instants a page shows.
    pub zone: jiff::tz::TimeZone,
}

impl Chrome {
    /// An instant to the minute on the viewer's clock, for templates:
    /// `{{ chrome.when(alert.last_seen_at) }}` reads `2026-11-28 10:05 CET`.
    pub fn when(&self, at: &jiff::Timestamp) -> String {
        super::clock::minutes(*at, &self.zone)
    }

    /// The viewer's time zone by name, for form labels: `Europe/Berlin`.
    pub fn zone_name(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }
}

/// The signed-in browser user a page is for. Extracting it from a request without a live session
/// answers a redirect to the sign-in page (saying so when the session expired) that comes back to
/// the page afterwards.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: OrgRole,
    pub csrf_token: String,
    /// Their profile's time zone: pages show instants on this clock.
    pub zone: jiff::tz::TimeZone,
}

impl Viewer {
    /// An instant to the minute on the viewer's clock: `2026-11-28 10:05 CET`.
    pub fn when(&self, at: jiff::Timestamp) -> String {
        super::clock::minutes(at, &self.zone)
    }

    /// The layout for a page of `section`; the admin section shows only to admins and the owner.
    pub fn chrome(&self, section: Section) -> Chrome {
        let admin = matches!(self.role, OrgRole::Owner | OrgRole::Admin);
        Chrome {
            name: self.name.clone(),
            role: self.role.as_str(),
            csrf_token: self.csrf_token.clone(),
            nav: Section::NAV
                .iter()
                .filter(|(s, _, _)| admin || *s != Section::Admin)
                .map(|(s, href, label)| NavLink {
                    href,
                    label,
                    current: *s == section,
                })
                .collect(),
            zone: self.zone.clone(),
        }
    }

    /// Whether this viewer's role is at least `role` (owner > admin > manager > responder >
    /// observer > stakeholder); pages use it to hide forms the API would refuse anyway.
    pub fn at_least(&self, role: OrgRole) -> bool {
        self.role.at_least(role)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default();
        match (&caller.user, &caller.session) {
            (Some(user), Some(session)) => Ok(Viewer {
                user_id: user.user_id,
                name: user.name.clone(),
                email: user.email.clone(),
                role: user.role,
                csrf_token: session.csrf_token.clone(),
                zone: super::clock::zone_named(&user.time_zone),
                caller: caller.clone(),
            }),
            _ => {
                let expired = cookie(&parts.headers, SESSION_COOKIE).is_some_and(|c| !c.is_empty());
                Err(sign_in_redirect(parts, expired))
            }
        }
    }
}

/// Where to send a browser without a session: the sign-in page, coming back to `parts`' page.
/// Requests made by htmx get `HX-Redirect` so the whole page moves, not a fragment.
fn sign_in_redirect(parts: &Parts, expired: bool) -> Response {
    let back = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut target = String::from("/login?");
    if expired {
        target.push_str("expired=1&");
    }
    target.push_str("next=");
    target.push_str(&urlencode(back));
    if parts.headers.contains_key("hx-request") {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return response;
    }
    see_other(&target)
}

/// A 303 to `target` (the answer to every successful form post).
pub fn see_other(target: &str) -> Response {
    let mut response = Redirect::to(target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// Percent-encodes a query value.
pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|pair| pair.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A `next` target is followed only when it is a path on this site (never `//host` or a URL).
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

/// Renders a template; a rendering failure is logged and answered 500.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page saying what went wrong and how to go on.
#[derive(Template)]
#[template(path = "problem.html")]
pub struct ProblemPage {
    pub chrome: Option<Chrome>,
    pub heading: String,
    pub message: String,
    pub fields: Vec<(String, String)>,
    pub back: String,
}

/// Answers `status` with a readable page (and the same page for htmx requests).
pub fn problem_page(
    viewer: Option<&Viewer>,
    status: StatusCode,
    heading: &str,
    message: &str,
    back: &str,
) -> Response {
    let mut response = render(&ProblemPage {
        chrome: viewer.map(|v| v.chrome(Section::Home)),
        heading: heading.to_owned(),
        message: message.to_owned(),
        fields: Vec::new(),
        back: local_path(Some(back)).to_owned(),
    });
    *response.status_mut() = status;
    response
}

/// The page for an API error met while showing or doing something: its status, its detail and
/// the fields at fault, with a link back.
pub fn api_problem(viewer: &Viewer, error: ApiError, back: &str) -> Response {
    let status = error.kind.status();
    let heading = match status.as_u16() {
        403 => "Not allowed",
        404 => "Not found",
        409 => "That changed in the meantime",
        412 => "Someone else changed this first",
        422 | 400 => "Please check the form",
        429 => "Too many requests",
        _ => "Something went wrong",
    };
    let message = if status.is_server_error() {
        "Tocsin could not finish this; nothing was lost. Try again in a moment.".to_owned()
    } else {
        error.detail.clone()
    };
    let mut response = render(&ProblemPage {
        chrome: Some(viewer.chrome(Section::Home)),
        heading: heading.to_owned(),
        message,
        fields: error
            .errors
            .iter()
            .map(|e| {
                (
                    e.pointer.trim_start_matches('/').to_owned(),
                    e.detail.clone(),
                )
            })
            .collect(),
        back: local_path(Some(back)).to_owned(),
    });
    *response.status_mut() = status;
    if let Some(seconds) = error.retry_after_seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The answer to a form post: 303 back to `back` when the action succeeded, else the problem page.
pub fn after_action<T>(viewer: &Viewer, outcome: Result<T, ApiError>, back: &str) -> Response {
    match outcome {
        Ok(_) => see_other(local_path(Some(back))),
        Err(error) => api_problem(viewer, error, back),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local_path(Some("/incidents?status=triggered")),
            "/incidents?status=triggered"
        );
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            urlencode("/incidents?status=a&b"),
            "%2Fincidents%3Fstatus%3Da%26b"
        );
    }

    #[test]
    fn roles_rank_from_stakeholder_to_owner() {
        assert!(
            OrgRole::Owner.at_least(OrgRole::Admin) && !OrgRole::Admin.at_least(OrgRole::Owner)
        );
        assert!(OrgRole::Manager.at_least(OrgRole::Responder));
        assert!(!OrgRole::Responder.at_least(OrgRole::Manager));
        assert!(OrgRole::Observer.at_least(OrgRole::Stakeholder));
        assert!(!OrgRole::Stakeholder.at_least(OrgRole::Observer));
    }
}
