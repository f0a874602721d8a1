//! Helpers shared by the catalog API modules: versioned responses (ETag, Location), two-id paths,
//! nullable PATCH fields, reading a configuration document from a body, and store conflicts
//! reported with the field at fault.
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use tocsin_domain::FieldError;
use tocsin_domain::alerting::{Validate, from_json};
use tocsin_store::StoreError;

use crate::error::{ApiError, ProblemKind};
use crate::extract::etag;

/// Members of a document's view that a body may carry back but that cannot be set.
const READ_ONLY: [&str; 4] = ["id", "version", "created_at", "updated_at"];

/// Parses and validates a configuration document (a policy, a role) from a body, every problem
/// under the JSON pointer of its field. The read-only members of its GET answer are accepted and
/// ignored, so a client may send back what it read, changed.
pub fn parse_document<T: DeserializeOwned + Validate>(
    mut body: serde_json::Value,
) -> Result<T, ApiError> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::field("", "must be a JSON object"));
    };
    for member in READ_ONLY {
        object.remove(member);
    }
    Ok(from_json::<T>(body)?)
}

/// A configuration object answered with its `ETag`.
pub struct Versioned<T> {
    pub version: i64,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.body).into_response();
        set_etag(&mut response, self.version);
        response
    }
}

/// A typed configuration document (a policy) answered with its version, in the view `wrap`
/// builds from the document as JSON and the version.
pub fn typed_document<T: Serialize, V>(
    document: &T,
    version: i64,
    wrap: impl FnOnce(serde_json::Value, i64) -> V,
) -> Result<Versioned<V>, ApiError> {
    let value = serde_json::to_value(document).map_err(|_| ApiError::internal())?;
    Ok(Versioned {
        version,
        body: wrap(value, version),
    })
}

/// A newly created configuration object: 201 with `Location` and `ETag`.
pub struct Created<T> {
    pub location: String,
    pub version: i64,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::CREATED, Json(self.body)).into_response();
        set_etag(&mut response, self.version);
        if let Ok(location) = HeaderValue::from_str(&self.location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}

fn set_etag(response: &mut Response, version: i64) {
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
}

/// Two ids in a path (`/teams/{id}/members/{user_id}`); anything unparsable is a 404.
#[derive(Debug, Clone, Copy)]
pub struct PathIds<A, B>(pub A, pub B);

impl<S, A, B> FromRequestParts<S> for PathIds<A, B>
where
    S: Send + Sync,
    A: std::str::FromStr + Send,
    B: std::str::FromStr + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)): axum::extract::Path<(String, String)> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(Self(a, b)),
            _ => Err(ApiError::not_found("object with that id")),
        }
    }
}

/// For PATCH bodies: absent stays `None`, `null` becomes `Some(None)`, a value `Some(Some(v))`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A store error, with a uniqueness or reference conflict reported as 409 keeping the store's
/// explanation and naming `pointer` (none when empty, e.g. for a DELETE).
pub fn conflict_at(pointer: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |error| match error {
        StoreError::Conflict(detail) if pointer.is_empty() => {
            ApiError::new(ProblemKind::Conflict, detail)
        }
        StoreError::Conflict(detail) => conflict(pointer, detail),
        other => other.into(),
    }
}

/// 409 naming a field.
pub fn conflict(pointer: &str, detail: impl Into<String>) -> ApiError {
    let detail = detail.into();
    let mut problem = ApiError::new(ProblemKind::Conflict, detail.clone());
    problem.errors = vec![FieldError::new(pointer, detail)];
    problem
}

/// The `location` of an object under `collection`.
pub fn location(collection: &str, id: impl std::fmt::Display) -> String {
    format!("{collection}/{id}")
}
