//! Proving a contact method works: request a code (sent now; 429 with Retry-After past five an
//! hour, 502 with the outcome when the provider fails), enter it (422 with the attempts left when
//! wrong, 410 once expired or dead), and send a test message to a verified method.
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tocsin_domain::contact::{PendingCode, VerificationCode};
use tocsin_domain::delivery::{Channel, MessageKind, Notification, Outcome};
use tocsin_domain::id::{ContactMethodId, UserId};
use tocsin_store::contact::{self, VerificationAttempt, VerificationRequest};

use super::authorize;
use super::delivery::{destination, failed, send};
use super::views::ContactMethodView;
use crate::api::common::PathIds;
use crate::auth::Caller;
use crate::error::{ApiError, ProblemKind};
use crate::extract;
use crate::state::AppState;

/// A message handed to the provider.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentView {
    #[schema(value_type = String, format = Uuid)]
    pub contact_method_id: uuid::Uuid,
    #[schema(value_type = String, example = "email")]
    pub channel: Channel,
    /// The provider's id for the message, where it gives one.
    pub receipt: Option<String>,
    /// When the code stops being valid (verification only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
}

/// A code to check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The 6-digit code received.
    pub code: String,
}

fn random_code() -> VerificationCode {
    use rand::Rng;
    VerificationCode::from_random(rand::rng().next_u32())
}

/// Records what a send came to, then answers it.
async fn settle(
    state: &AppState,
    caller: &Caller,
    (user, method): (UserId, ContactMethodId),
    test: bool,
    outcome: Outcome,
) -> Result<Option<String>, ApiError> {
    let (actor, now) = (caller.actor(), state.clock.now());
    let recorded = outcome.clone();
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                contact::record_sending(tx, user, method, test, &recorded, &actor, now).await
            })
        })
        .await?;
    match outcome {
        Outcome::Delivered { receipt } => Ok(receipt),
        other => Err(failed(&other)),
    }
}

/// Send a verification code to a contact method (valid 15 minutes; at most 5 an hour).
#[utoipa::path(post, path = "/api/v1/users/{id}/contact-methods/{method_id}/verification", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    responses(
    (status = 200, body = SentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 429, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 502, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(user, method): PathIds<UserId, ContactMethodId>,
) -> Result<Json<SentView>, ApiError> {
    authorize(&caller, user)?;
    let code = random_code();
    let (actor, now) = (caller.actor(), state.clock.now());
    let pending = PendingCode::new(method, &code, now);
    let expires_at = pending.expires_at;
    let (requested, secret) = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                let requested =
                    contact::request_verification(tx, user, method, &pending, &actor, now).await?;
                let secret = contact::webhook_secret(tx, method).await?;
                Ok((requested, secret))
            })
        })
        .await?;
    let stored = match requested {
        VerificationRequest::Send(stored) => stored,
        VerificationRequest::RateLimited { next_send_at } => {
            let wait = next_send_at.duration_since(now).as_secs().max(1);
            return Err(ApiError::new(
                ProblemKind::TooManyRequests,
                format!("five codes were sent to this method this hour; the next may go at {next_send_at}"),
            )
            .with_retry_after(u64::try_from(wait).unwrap_or(1)));
        }
    };
    let target = destination(&stored, secret.as_deref())?;
    let mut notification = Notification::new(MessageKind::VerificationCode);
    notification.verification_code = Some(code.expose().to_owned());
    let outcome = send(&state, &target, &notification, now).await?;
    let receipt = settle(&state, &caller, (user, method), false, outcome).await?;
    Ok(Json(SentView {
        contact_method_id: method.0,
        channel: stored.method.channel,
        receipt,
        expires_at: Some(expires_at),
    }))
}

/// Enter a verification code.
#[utoipa::path(post, path = "/api/v1/users/{id}/contact-methods/{method_id}/verify", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    request_body = VerifyInput, responses(
    (status = 200, body = ContactMethodView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 410, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(user, method): PathIds<UserId, ContactMethodId>,
    extract::Json(input): extract::Json<VerifyInput>,
) -> Result<Json<ContactMethodView>, ApiError> {
    authorize(&caller, user)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let attempt = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                contact::check_verification(tx, user, method, &input.code, &actor, now).await
            })
        })
        .await?;
    match attempt {
        VerificationAttempt::Verified(stored) => Ok(Json(stored.into())),
        VerificationAttempt::Wrong { attempts_left } => {
            let detail = if attempts_left == 0 {
                "wrong code; no attempts left: request a new code".to_owned()
            } else {
                format!("wrong code; {attempts_left} attempts left")
            };
            Err(ApiError::field("/code", detail)
                .with_extra(serde_json::json!({ "attempts_left": attempts_left })))
        }
        VerificationAttempt::Gone(reason) => Err(ApiError::new(ProblemKind::Gone, reason)),
    }
}

/// Send a test message to a verified contact method.
#[utoipa::path(post, path = "/api/v1/users/{id}/contact-methods/{method_id}/test", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("method_id" = String, Path, format = Uuid)),
    responses(
    (status = 200, body = SentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 502, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn test(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(user, method): PathIds<UserId, ContactMethodId>,
) -> Result<Json<SentView>, ApiError> {
    authorize(&caller, user)?;
    let stored = contact::get_contact_method(state.store.reader(), user, method).await?;
    if !stored.method.verified {
        return Err(ApiError::new(
            ProblemKind::Conflict,
            "verify the contact method before sending it a test message",
        ));
    }
    let secret = contact::webhook_secret_read(state.store.reader(), method).await?;
    let target = destination(&stored, secret.as_deref())?;
    let mut notification = Notification::new(MessageKind::Test);
    notification.note = Some("You asked Tocsin to test this contact method.".to_owned());
    let outcome = send(&state, &target, &notification, state.clock.now()).await?;
    let receipt = settle(&state, &caller, (user, method), true, outcome).await?;
    Ok(Json(SentView {
        contact_method_id: method.0,
        channel: stored.method.channel,
        receipt,
        expires_at: None,
    }))
}
