//! `/api/v1/actions/{token}`: signed action links from pages, followed without signing in. A GET
//! only shows a confirmation page with a POST form (mail scanners follow links: a GET never
//! acts); the POST acknowledges or resolves the incident as the person paged, once. An unknown or
//! tampered token is 404, an expired or used one 410, one sent to a person deactivated since 403.
//! Browsers (`Accept: text/html`) get pages, other clients JSON.
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use tocsin_domain::delivery::{LinkAction, LinkClaim, LinkError};
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_store::{incident, outbox};

use super::incidents::IncidentView;
use crate::auth::Guard;
use crate::error::{ApiError, ProblemKind};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/actions/{token}",
            Guard::Public,
            confirm,
        ),
        route(Method::POST, "/api/v1/actions/{token}", Guard::Public, act),
    ]
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    heading: String,
    message: String,
    button: Option<String>,
}

fn page(status: StatusCode, heading: &str, message: String, button: Option<String>) -> Response {
    let page = ActionPage {
        heading: heading.to_owned(),
        message,
        button,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// An error as a page (for browsers) or a problem document.
fn refuse(error: ApiError, html: bool) -> Response {
    if html {
        page(error.kind.status(), error.kind.title(), error.detail, None)
    } else {
        error.into_response()
    }
}

/// The claim of a valid, unexpired token.
async fn verify(state: &AppState, token: &str) -> Result<LinkClaim, ApiError> {
    let not_found = || ApiError::not_found("action link");
    let key = outbox::signing_key(state.store.reader())
        .await?
        .ok_or_else(not_found)?;
    LinkClaim::verify(token, &key, state.clock.now()).map_err(|error| match error {
        LinkError::Invalid => not_found(),
        LinkError::Expired => ApiError::new(ProblemKind::Gone, "the action link has expired"),
    })
}

/// Show what following the link would do, with a button that does it.
#[utoipa::path(get, path = "/api/v1/actions/{token}", tag = "notifications",
    params(("token" = String, Path)), responses(
    (status = 200, description = "A confirmation page with a form", body = String, content_type = "text/html"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 410, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let html = wants_html(&headers) || !headers.contains_key(header::ACCEPT);
    let claim = match verify(&state, &token).await {
        Ok(claim) => claim,
        Err(error) => return refuse(error, html),
    };
    let found = incident::get(state.store.reader(), IncidentId(claim.incident_id)).await;
    let incident = match found {
        Ok(incident) => incident,
        Err(error) => return refuse(error.into(), html),
    };
    let verb = match claim.action {
        LinkAction::Acknowledge => "Acknowledge",
        LinkAction::Resolve => "Resolve",
    };
    let message = format!(
        "{verb} incident #{} \u{2014} {} (now {})?",
        incident.number,
        incident.title,
        incident.status.as_str()
    );
    page(
        StatusCode::OK,
        &format!("{verb} incident #{}", incident.number),
        message,
        Some(verb.to_owned()),
    )
}

/// What following a link did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionDone {
    /// acknowledge or resolve.
    pub action: String,
    pub incident: IncidentView,
}

/// Acknowledge or resolve the incident as the person paged; the link works once.
#[utoipa::path(post, path = "/api/v1/actions/{token}", tag = "notifications",
    params(("token" = String, Path)), responses(
    (status = 200, body = ActionDone),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 410, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let html = wants_html(&headers);
    match perform(&state, &token).await {
        Ok((action, incident)) if html => {
            let done = match action {
                LinkAction::Acknowledge => "acknowledged",
                LinkAction::Resolve => "resolved",
            };
            let message = format!(
                "Incident #{} \u{2014} {} is {done}.",
                incident.number, incident.title
            );
            page(StatusCode::OK, "Done", message, None)
        }
        Ok((action, incident)) => Json(ActionDone {
            action: action.as_str().to_owned(),
            incident,
        })
        .into_response(),
        Err(error) => refuse(error, html),
    }
}

async fn perform(state: &AppState, token: &str) -> Result<(LinkAction, IncidentView), ApiError> {
    let claim = verify(state, token).await?;
    let actor = claim
        .user_id
        .map_or_else(|| "action_link".to_owned(), |user| format!("user:{user}"));
    let id = IncidentId(claim.incident_id);
    // A used link is a `link_used` conflict, answered as 410.
    // A link sent to a person who was deactivated since is refused (403), as their tokens are.
    let link = (claim.link_id, claim.user_id.map(UserId));
    let incident = super::incidents::respond_as(state, actor, id, claim.action, Some(link)).await?;
    Ok((claim.action, incident))
}
