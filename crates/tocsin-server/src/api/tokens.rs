//! `/api/v1/tokens`: the caller's personal API tokens. The secret is shown once, at creation.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::ApiTokenId;
use tocsin_domain::values::Name;
use tocsin_store::access::tokens::{self, ApiToken, NewApiToken};

use crate::auth::secrets::{API_TOKEN_PREFIX, display_prefix, hash_secret, random_secret};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let guard = || Guard::Allow(Action::ManageOwnTokens);
    vec![
        route(Method::GET, "/api/v1/tokens", guard(), list),
        route(Method::POST, "/api/v1/tokens", guard(), create),
        route(Method::DELETE, "/api/v1/tokens/{id}", guard(), revoke),
    ]
}

/// A token as listed; the secret is never shown again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    /// The first characters of the secret.
    pub prefix: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
}

impl From<ApiToken> for TokenView {
    fn from(token: ApiToken) -> Self {
        Self {
            id: token.id.0,
            name: token.name,
            prefix: token.prefix,
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, e.g. "terraform".
    pub name: String,
    /// Days until the token expires (1 to 3650); omit for no expiry.
    pub expires_in_days: Option<i64>,
}

/// A new token, with its secret: store it now, it is not shown again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: TokenView,
    /// The bearer secret. Shown once.
    pub secret: String,
}

/// List my API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", security(("bearer" = [])), responses(
    (status = 200, body = Vec<TokenView>),
    (status = 401, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let user = caller.user_id()?;
    let all = tokens::list_for_user(state.store.reader(), user).await?;
    Ok(Json(all.into_iter().map(TokenView::from).collect()))
}

/// Create an API token for myself.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", security(("bearer" = [])), request_body = CreateToken, responses(
    (status = 201, body = CreatedToken),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let user = caller.user_id()?;
    let name = Name::parse(&input.name).map_err(|e| ApiError::field("/name", e.to_string()))?;
    let now = state.clock.now();
    let expires_at = match input.expires_in_days {
        None => None,
        Some(days @ 1..=3650) => Some(now + jiff::SignedDuration::from_hours(24 * days)),
        Some(_) => {
            return Err(ApiError::field(
                "/expires_in_days",
                "must be between 1 and 3650",
            ));
        }
    };
    let secret = random_secret(API_TOKEN_PREFIX);
    let new = NewApiToken {
        user_id: user,
        name: name.to_string(),
        token_hash: hash_secret(&secret),
        prefix: display_prefix(&secret),
        expires_at,
    };
    let actor = caller.actor();
    let token = state
        .store
        .write(move |tx| Box::pin(async move { tokens::create(tx, new, &actor, now).await }))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revoke one of my API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ApiTokenId>,
) -> Result<StatusCode, ApiError> {
    let user = caller.user_id()?;
    let token = tokens::get(state.store.reader(), id).await?;
    if token.user_id != user {
        // Someone else's token is indistinguishable from a missing one.
        return Err(ApiError::not_found("API token"));
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| Box::pin(async move { tokens::revoke(tx, id, &actor, now).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
