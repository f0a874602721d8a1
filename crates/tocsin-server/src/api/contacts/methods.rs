//! Contact methods: list, create (a webhook gets a signing secret, shown once), read, change (a
//! new address un-verifies the method), delete.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_domain::contact::{parse_address, parse_label};
use tocsin_domain::delivery::{Channel, WebhookSecret};
use tocsin_domain::error::Collector;
use tocsin_domain::id::{ContactMethodId, UserId};
use tocsin_store::catalog::users;
use tocsin_store::contact::{self, ContactMethodChange, NewContactMethod};

use super::authorize;
use super::views::{ContactMethodList, ContactMethodView};
use crate::api::common::{PathIds, conflict_at};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// A contact method to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContactMethod {
    /// webhook, slack, teams, email, sms or voice.
    #[schema(value_type = String, example = "sms")]
    pub channel: Channel,
    /// An email address; an E.164 phone number (`+14155550100`) for sms and voice; an https URL
    /// for slack, teams and webhook (http allowed for webhook).
    pub address: String,
    #[serde(default)]
    pub label: String,
}

/// A change to a contact method; absent fields stay.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContactMethod {
    /// A new address un-verifies the method.
    pub address: Option<String>,
    pub label: Option<String>,
}

/// A fresh `whsec_` secret of 32 random bytes.
fn new_signing_secret() -> Result<String, ApiError> {
    use rand::Rng;
    let mut key = vec![0_u8; 32];
    rand::rng().fill_bytes(&mut key);
    WebhookSecret::from_bytes(key)
        .map(|secret| secret.expose())
        .map_err(|_| ApiError::internal())
}

/// List a user's contact methods.
#[utoipa::path(get, path = "/api/v1/users/{id}/contact-methods", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = ContactMethodList),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<Json<ContactMethodList>, ApiError> {
    authorize(&caller, id)?;
    users::get_user(state.store.reader(), id).await?;
    let methods = contact::list_contact_methods(state.store.reader(), id).await?;
    Ok(Json(ContactMethodList {
        items: methods.into_iter().map(ContactMethodView::from).collect(),
    }))
}

/// Add a contact method (unverified until its code is entered). A webhook method's answer carries
/// its signing secret, shown only now.
#[utoipa::path(post, path = "/api/v1/users/{id}/contact-methods", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = CreateContactMethod, responses(
    (status = 201, body = ContactMethodView, headers(("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(input): extract::Json<CreateContactMethod>,
) -> Result<
    (
        StatusCode,
        [(axum::http::HeaderName, String); 1],
        Json<ContactMethodView>,
    ),
    ApiError,
> {
    authorize(&caller, id)?;
    let mut problems = Collector::default();
    let address = problems.take("/address", parse_address(input.channel, &input.address));
    let label = problems.take("/label", parse_label(&input.label));
    problems.finish()?;
    let (Some(address), Some(label)) = (address, label) else {
        return Err(ApiError::internal());
    };
    let secret = match input.channel {
        Channel::Webhook => Some(new_signing_secret()?),
        _ => None,
    };
    let new = NewContactMethod {
        channel: input.channel,
        address,
        label,
        secret: secret.clone(),
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let created = state
        .store
        .write(move |tx| {
            Box::pin(async move { contact::create_contact_method(tx, id, new, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/address"))?;
    let location = format!("/api/v1/users/{id}/contact-methods/{}", created.method.id);
    let mut view = ContactMethodView::from(created);
    view.signing_secret = secret;
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(view),
    ))
}

/// Read a contact method.
#[utoipa::path(get, path = "/api/v1/users/{id}/contact-methods/{method_id}", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    responses(
    (status = 200, body = ContactMethodView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, method): PathIds<UserId, ContactMethodId>,
) -> Result<Json<ContactMethodView>, ApiError> {
    authorize(&caller, id)?;
    let stored = contact::get_contact_method(state.store.reader(), id, method).await?;
    Ok(Json(stored.into()))
}

/// Change a contact method's address (which un-verifies it) or label.
#[utoipa::path(patch, path = "/api/v1/users/{id}/contact-methods/{method_id}", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    request_body = UpdateContactMethod, responses(
    (status = 200, body = ContactMethodView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, method): PathIds<UserId, ContactMethodId>,
    extract::Json(input): extract::Json<UpdateContactMethod>,
) -> Result<Json<ContactMethodView>, ApiError> {
    authorize(&caller, id)?;
    let current = contact::get_contact_method(state.store.reader(), id, method).await?;
    let channel = current.method.channel;
    let mut problems = Collector::default();
    let address = input
        .address
        .and_then(|a| problems.take("/address", parse_address(channel, &a)));
    let label = input
        .label
        .and_then(|l| problems.take("/label", parse_label(&l)));
    problems.finish()?;
    let change = ContactMethodChange { address, label };
    let (actor, now) = (caller.actor(), state.clock.now());
    let updated = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                contact::update_contact_method(tx, id, method, change, &actor, now).await
            })
        })
        .await
        .map_err(conflict_at("/address"))?;
    Ok(Json(updated.into()))
}

/// Remove a contact method (its rules go with it).
#[utoipa::path(delete, path = "/api/v1/users/{id}/contact-methods/{method_id}", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, method): PathIds<UserId, ContactMethodId>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller, id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { contact::delete_contact_method(tx, id, method, &actor, now).await },
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
