//! The API's error type, answered as RFC 9457 `application/problem+json` with a stable `type`, the
//! fields at fault as JSON pointers, and never a database or panic detail.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tocsin_domain::{FieldError, ValidationError};
use tocsin_store::StoreError;

/// The kinds of problem Tocsin reports; each has a stable `type` URI and HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedJson,
    UnsupportedMediaType,
    Validation,
    /// An intake event (alert) with fields at fault: 400, as monitoring tools expect.
    InvalidEvent,
    /// A query parameter that is malformed or out of bounds (a time range too long): 400, naming
    /// the parameter.
    InvalidParameter,
    PayloadTooLarge,
    Unauthenticated,
    Forbidden,
    CsrfRejected,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The thing existed but is gone for good (a used or expired action link, an expired
    /// verification code): 410.
    Gone,
    PreconditionFailed,
    TooManyRequests,
    Unavailable,
    Internal,
    /// A provider refused or failed a delivery made during the request: 502, with its outcome.
    DeliveryFailed,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 18] = [
        Self::MalformedJson,
        Self::UnsupportedMediaType,
        Self::Validation,
        Self::InvalidEvent,
        Self::InvalidParameter,
        Self::PayloadTooLarge,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::CsrfRejected,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::Gone,
        Self::PreconditionFailed,
        Self::TooManyRequests,
        Self::Unavailable,
        Self::Internal,
        Self::DeliveryFailed,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedJson | Self::InvalidEvent | Self::InvalidParameter => {
                StatusCode::BAD_REQUEST
            }
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::DeliveryFailed => StatusCode::BAD_GATEWAY,
        }
    }

    /// The last segment of the `type` URI; stable forever once released.
    pub fn slug(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed-json",
            Self::InvalidEvent => "invalid-event",
            Self::InvalidParameter => "invalid-parameter",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Validation => "validation",
            Self::PayloadTooLarge => "payload-too-large",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::CsrfRejected => "csrf-rejected",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::Gone => "gone",
            Self::PreconditionFailed => "precondition-failed",
            Self::TooManyRequests => "too-many-requests",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::DeliveryFailed => "delivery-failed",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::MalformedJson => "The request body is not valid JSON",
            Self::InvalidEvent => "The event has invalid fields",
            Self::InvalidParameter => "A query parameter is invalid",
            Self::UnsupportedMediaType => "The request body must be JSON",
            Self::Validation => "Some fields are invalid",
            Self::PayloadTooLarge => "The request body is too large",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Not permitted",
            Self::CsrfRejected => "Missing or wrong CSRF token",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict with the current state",
            Self::Gone => "No longer available",
            Self::PreconditionFailed => "The object changed since you read it",
            Self::TooManyRequests => "Too many requests",
            Self::Unavailable => "Temporarily unavailable",
            Self::Internal => "Internal error",
            Self::DeliveryFailed => "The message could not be delivered",
        }
    }

    /// The problem `type` URI. It is relative to the Tocsin instance, which serves a page there.
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.slug() == slug)
    }
}

/// An error answered as a problem document.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ProblemKind,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after_seconds: Option<u64>,
    pub extra: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_seconds: None,
            extra: None,
        }
    }

    /// A 422 naming one field.
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        let error = FieldError::new(pointer, detail);
        Self {
            errors: vec![error.clone()],
            ..Self::new(ProblemKind::Validation, error.detail)
        }
    }

    /// A 400 naming one query parameter (`/to`).
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        let error = FieldError::new(format!("/{name}"), detail);
        Self {
            errors: vec![error.clone()],
            ..Self::new(ProblemKind::InvalidParameter, error.detail)
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ProblemKind::NotFound, format!("no such {what}"))
    }

    pub fn forbidden(reason: &str) -> Self {
        Self::new(ProblemKind::Forbidden, reason)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ProblemKind::Unauthenticated,
            "send a bearer API token or sign in",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            ProblemKind::Internal,
            "something went wrong on our side; the request id identifies it in the logs",
        )
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// Extra members merged into the problem document (e.g. the cycle of a rejected dependency).
    pub fn with_extra(mut self, extra: serde_json::Value) -> Self {
        self.extra = Some(extra);
        self
    }

    pub fn body(&self, instance: Option<&str>, request_id: Option<&str>) -> ProblemBody {
        ProblemBody {
            type_uri: self.kind.type_uri(),
            title: self.kind.title(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: self.errors.clone(),
            extra: self.extra.clone(),
        }
    }
}

/// The JSON document of a problem.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// A URI identifying the kind of problem; stable across releases.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request path the problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The `x-request-id` of the request, to find it in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The fields at fault, as JSON pointers into the request body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorSchema>)]
    pub errors: Vec<FieldError>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub extra: Option<serde_json::Value>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldErrorSchema {
    /// JSON pointer (RFC 6901) to the field in the request body.
    pub pointer: String,
    pub detail: String,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.kind == ProblemKind::Internal {
            tracing::error!(detail = %self.detail, "internal error answered as a problem");
        }
        let body = serde_json::to_vec(&self.body(None, None)).unwrap_or_default();
        let mut response = (self.kind.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        // The finishing middleware adds `instance` and `request_id` from this copy.
        response.extensions_mut().insert(self);
        response
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        let detail = error
            .0
            .iter()
            .map(|e| format!("{}: {}", e.pointer, e.detail))
            .collect::<Vec<_>>()
            .join("; ");
        Self::new(ProblemKind::Validation, detail).with_errors(error.0)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                Self::new(
                    ProblemKind::Unavailable,
                    "the database is unavailable; retry shortly",
                )
                .with_retry_after(5)
            }
            StoreError::Schema(reason) => {
                tracing::error!(%reason, "database schema problem");
                Self::new(ProblemKind::Unavailable, "the database schema is not ready")
                    .with_retry_after(30)
            }
            StoreError::Conflict(constraint) => conflict_for(&constraint),
            StoreError::Refused { pointer, detail } => {
                let mut error = ApiError::new(ProblemKind::Conflict, detail.clone());
                if !pointer.is_empty() {
                    error.errors = vec![FieldError::new(pointer, detail)];
                }
                error
            }
            StoreError::NotFound(what) => Self::not_found(what),
            StoreError::StaleVersion { current } => Self::new(
                ProblemKind::PreconditionFailed,
                format!(
                    "the object is now at version {current}; read it again and reapply your change"
                ),
            ),
            StoreError::Invalid(validation) => validation.into(),
            StoreError::Database(source) => {
                tracing::error!(error = %source, "database error");
                Self::internal()
            }
            StoreError::Corrupt(reason) => {
                tracing::error!(%reason, "stored data unreadable");
                Self::internal()
            }
            StoreError::Panicked => Self::internal(),
        }
    }
}

/// Explains a uniqueness or reference conflict in the user's terms, naming the field.
fn conflict_for(constraint: &str) -> ApiError {
    if constraint == "link_used" {
        return ApiError::new(ProblemKind::Gone, "this action link was already used");
    }
    if constraint == tocsin_store::outbox::LINK_USER_INACTIVE {
        return ApiError::new(
            ProblemKind::Forbidden,
            "the person this action link was sent to is no longer active",
        );
    }
    let (pointer, detail) = if constraint.contains("name_key") || constraint.contains("name") {
        ("/name", "this name is already taken")
    } else if constraint.contains("email") {
        ("/email", "a user with this email already exists")
    } else if constraint.contains("team_members") {
        ("/user_id", "this user is already a member")
    } else if constraint.contains("service_dependencies") {
        ("/depends_on", "another service still depends on this one")
    } else if constraint == "alert_resolved" {
        ("", "the alert is resolved; a new trigger opens a new alert")
    } else if constraint == "incident_acknowledged" {
        ("", "the incident is already acknowledged")
    } else if constraint == "incident_resolved" {
        ("", "the incident is already resolved")
    } else if constraint == "incident_ended" {
        ("", "the incident is closed, declined, canceled or merged")
    } else {
        ("", "the change conflicts with existing data")
    };
    let mut error = ApiError::new(ProblemKind::Conflict, detail);
    if !pointer.is_empty() {
        error.errors = vec![FieldError::new(pointer, detail)];
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_slug_that_round_trips() {
        let mut slugs: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
        for kind in ProblemKind::ALL {
            assert_eq!(ProblemKind::from_slug(kind.slug()), Some(kind));
        }
    }

    #[test]
    fn database_internals_never_reach_the_body() {
        let error: ApiError = StoreError::Database(Box::new(sqlx_error())).into();
        let body = serde_json::to_string(&error.body(None, None)).expect("serialises");
        assert!(!body.contains("secret_table"), "{body}");
        assert_eq!(error.kind, ProblemKind::Internal);
    }

    fn sqlx_error() -> tocsin_store::SqlxError {
        tocsin_store::SqlxError::Protocol("relation secret_table is broken".into())
    }
}
