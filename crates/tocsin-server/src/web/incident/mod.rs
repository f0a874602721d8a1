//! `/incidents/{id}`: the page an incident commander works in — header, live timeline, panels
//! (roles, participants, tasks, services, regulatory clocks, cost, update cadence, related
//! incidents) and the forms that act on the incident. Data and rules come from the JSON API's
//! handlers, called with the viewer's caller.
pub mod actions;
pub mod live;
pub mod page;
pub mod panels;
pub mod views;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use tocsin_domain::id::IncidentId;

use super::chrome::{Viewer, problem_page};
use crate::auth::Guard;
use crate::error::ApiError;
use crate::router::{Route, route};

pub fn routes() -> Vec<Route> {
    let mut all = vec![
        route(Method::GET, "/incidents/{id}", Guard::Public, page::page),
        route(
            Method::GET,
            "/incidents/{id}/live",
            Guard::Public,
            live::live,
        ),
    ];
    all.extend(actions::routes());
    all
}

/// The incident a page path names; `None` for a malformed id (see [`no_such_incident`]).
pub fn incident_id(raw: &str) -> Option<IncidentId> {
    raw.parse::<uuid::Uuid>().ok().map(IncidentId)
}

/// The readable 404 for an incident address that names no incident.
pub fn no_such_incident(viewer: &Viewer) -> Response {
    problem_page(
        Some(viewer),
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no incident at this address.",
        "/incidents",
    )
}

/// The incident page's path.
pub fn page_path(id: IncidentId) -> String {
    format!("/incidents/{}", id.0)
}

/// The query parameter `name` as a timeline entry number of at least `min` (absent or blank:
/// `None`), or an error naming the parameter.
pub fn number_param(query: Option<&str>, name: &str, min: i64) -> Result<Option<i64>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| ApiError::field(format!("/{name}"), "the address could not be read"))?;
    let value = pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty());
    match value.map(str::parse::<i64>) {
        None => Ok(None),
        Some(Ok(number)) if number >= min => Ok(Some(number)),
        Some(_) => Err(ApiError::field(
            format!("/{name}"),
            format!("must be a timeline entry number ({min} or more)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_numbers_in_the_address_are_checked() {
        assert_eq!(number_param(None, "from", 1).expect("none"), None);
        assert_eq!(number_param(Some("from="), "from", 1).expect("blank"), None);
        assert_eq!(
            number_param(Some("x=2&from=51"), "from", 1).expect("valid"),
            Some(51)
        );
        assert_eq!(
            number_param(Some("after=0"), "after", 0).expect("zero"),
            Some(0)
        );
        let error = number_param(Some("from=0"), "from", 1).expect_err("too small");
        assert_eq!(error.errors[0].pointer, "/from");
        assert!(number_param(Some("after=soon"), "after", 0).is_err());
        assert_eq!(incident_id("not-an-id"), None);
    }
}
