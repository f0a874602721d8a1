//! Who is calling: resolves the bearer token, integration key or session cookie on every request
//! into a `Caller` (anonymous when nothing was presented), and enforces CSRF on session-authenticated
//! API writes.
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use tocsin_domain::access::{self, Action, Credential, Decision, Principal};
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::{SessionId, UserId};
use tocsin_store::access::principal::{self, CredentialOwner};
use tocsin_store::access::{sessions, tokens};

use super::secrets::{GUEST_PASS_PREFIX, INTEGRATION_KEY_PREFIX, hash_secret, same_secret};
use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tocsin_session";
/// The header browsers send the session's CSRF token in on API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Last-use stamps are written at most this often per credential.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// The web session behind a request, when it came from a browser.
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub id: SessionId,
    pub token_hash: Vec<u8>,
    pub csrf_token: String,
}

/// The resolved caller of a request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub user: Option<CredentialOwner>,
    pub session: Option<SessionContext>,
}

impl Caller {
    /// Asks the policy; 401 for anonymous callers, 403 with the reason otherwise.
    pub fn authorize(&self, action: Action) -> Result<(), ApiError> {
        match access::decide(self.principal.as_ref(), &action) {
            Decision::Allow => Ok(()),
            Decision::Unauthenticated => Err(ApiError::unauthenticated()),
            Decision::Deny(reason) => Err(ApiError::forbidden(reason)),
        }
    }

    /// The signed-in user (not an integration key).
    pub fn user_id(&self) -> Result<UserId, ApiError> {
        self.user
            .as_ref()
            .map(|u| u.user_id)
            .ok_or_else(ApiError::unauthenticated)
    }

    /// How the event log names this caller.
    pub fn actor(&self) -> String {
        match (&self.principal, &self.user) {
            (
                Some(Principal {
                    credential: Credential::IntegrationKey { key, .. },
                    ..
                }),
                _,
            ) => {
                format!("integration_key:{key}")
            }
            (
                Some(Principal {
                    credential: Credential::IncidentGuest { guest, .. },
                    ..
                }),
                _,
            ) => format!("guest:{guest}"),
            (_, Some(user)) => format!("user:{}", user.user_id),
            _ => "anonymous".to_owned(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Reads a cookie's value from the request headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn invalid_token() -> Response {
    let mut response = ApiError::new(
        ProblemKind::Unauthenticated,
        "the token is invalid, expired or revoked",
    )
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// Middleware: resolves the caller and stores it in the request's extensions.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match identify(&state, request.headers()).await {
        Ok(Some(caller)) => {
            let unsafe_method = !matches!(
                *request.method(),
                Method::GET | Method::HEAD | Method::OPTIONS
            );
            if let Some(session) = &caller.session
                && unsafe_method
                && request.uri().path().starts_with("/api/")
                // A signed action link is its own credential and acts with no session authority.
                && !request.uri().path().starts_with("/api/v1/actions/")
            {
                let presented = request
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !same_secret(presented, &session.csrf_token) {
                    return ApiError::new(
                        ProblemKind::CsrfRejected,
                        format!("browser sessions must send the {CSRF_HEADER} header on writes"),
                    )
                    .into_response();
                }
            }
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(None) => invalid_token(),
        Err(error) => error.into_response(),
    }
}

/// `Ok(None)` when a bearer credential was presented but is not valid.
async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    let now = state.clock.now();
    // `GenieKey` is Opsgenie's scheme: its endpoints read the key themselves, so it names no caller.
    if let Some(authorization) = headers
        .get(header::AUTHORIZATION)
        .filter(|value| !crate::ingest::opsgenie::is_genie_key(value))
    {
        let Some(secret) = authorization
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return Ok(None);
        };
        if secret.starts_with(INTEGRATION_KEY_PREFIX) {
            let Some((key, service)) =
                principal::integration_key(state.store.reader(), secret).await?
            else {
                return Ok(None);
            };
            let principal = Principal {
                user_id: None,
                role: OrgRole::Stakeholder,
                teams: Vec::new(),
                credential: Credential::IntegrationKey { key, service },
            };
            return Ok(Some(Caller {
                principal: Some(principal),
                user: None,
                session: None,
            }));
        }
        if secret.starts_with(GUEST_PASS_PREFIX) {
            return guest(state, secret, now).await;
        }
        let Some(login) = principal::token(state.store.reader(), &hash_secret(secret), now).await?
        else {
            return Ok(None);
        };
        let stale = login
            .last_used_at
            .is_none_or(|last| last + TOUCH_EVERY <= now);
        if stale
            && state
                .token_touches
                .should_touch(login.token_id.0, now, TOUCH_EVERY)
        {
            let store = state.store.clone();
            let token_id = login.token_id;
            tokio::spawn(async move {
                let _ = store
                    .write(move |tx| {
                        Box::pin(async move { tokens::touch(tx, token_id, now).await })
                    })
                    .await;
            });
        }
        let principal = user_principal(state, &login.owner, Credential::ApiToken).await?;
        return Ok(Some(Caller {
            principal: Some(principal),
            user: Some(login.owner),
            session: None,
        }));
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Some(Caller::default()));
    };
    let token_hash = hash_secret(secret);
    let idle = SignedDuration::try_from(state.config.session_idle_timeout)
        .unwrap_or(SignedDuration::from_hours(12));
    let Some(login) =
        principal::session(state.store.reader(), &token_hash, now, now - idle).await?
    else {
        // An unknown or expired session cookie is simply not signed in.
        return Ok(Some(Caller::default()));
    };
    if login.last_seen_at + TOUCH_EVERY <= now {
        let store = state.store.clone();
        let session_id = login.session_id;
        tokio::spawn(async move {
            let _ = store
                .write(move |tx| {
                    Box::pin(async move { sessions::touch(tx, session_id, now).await })
                })
                .await;
        });
    }
    let principal = user_principal(state, &login.owner, Credential::Session).await?;
    let session = SessionContext {
        id: login.session_id,
        token_hash,
        csrf_token: login.csrf_token,
    };
    Ok(Some(Caller {
        principal: Some(principal),
        user: Some(login.owner),
        session: Some(session),
    }))
}

/// The caller behind a guest pass; `None` when it is unknown, expired or revoked.
async fn guest(
    state: &AppState,
    secret: &str,
    now: jiff::Timestamp,
) -> Result<Option<Caller>, ApiError> {
    let pass = tocsin_store::incident::guest_by_token(state.store.reader(), &hash_secret(secret))
        .await?
        .filter(|pass| pass.is_valid_at(now));
    Ok(pass.map(|pass| Caller {
        principal: Some(Principal {
            user_id: None,
            role: OrgRole::Stakeholder,
            teams: Vec::new(),
            credential: Credential::IncidentGuest {
                guest: pass.id,
                incident: pass.incident_id,
                may_write: pass.may_write,
            },
        }),
        user: None,
        session: None,
    }))
}

async fn user_principal(
    state: &AppState,
    owner: &CredentialOwner,
    credential: Credential,
) -> Result<Principal, ApiError> {
    let teams = tocsin_store::catalog::teams_of_user(state.store.reader(), owner.user_id).await?;
    Ok(Principal {
        user_id: Some(owner.user_id),
        role: owner.role,
        teams,
        credential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; tocsin_session=abc123"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("other=1"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
