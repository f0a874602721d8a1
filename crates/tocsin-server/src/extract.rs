//! Request extractors that answer bad input with problem documents naming the field at fault:
//! JSON bodies (malformed, wrong type, unknown field, too large), ids in paths, paging queries,
//! and `If-Match` preconditions.
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ProblemKind};

/// A JSON request body. Errors name the field with a JSON pointer.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(Json)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ProblemKind::PayloadTooLarge,
            "the request body exceeds the configured limit",
        )
    } else {
        ApiError::new(
            ProblemKind::MalformedJson,
            "the request body could not be read",
        )
    }
}

/// Parses JSON, mapping every failure to a problem with a pointer to the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let pointer = pointer_of(error.path());
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                // serde_path_to_error already ends the path with an unknown field's name.
                ApiError::field(pointer, message)
            }
            _ => ApiError::new(
                ProblemKind::MalformedJson,
                format!("the request body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// A JSON pointer (RFC 6901) for a serde path.
pub fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape(key))),
            Segment::Enum { variant } => pointer.push_str(&format!("/{}", escape(variant))),
            Segment::Unknown => {}
        }
    }
    pointer
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A path parameter that must parse as `T` (an id); anything else is a 404 for `what`.
#[derive(Debug, Clone, Copy)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        raw.parse()
            .map(PathId)
            .map_err(|_| ApiError::not_found("object with that id"))
    }
}

/// The `If-Match` precondition: the version the client last read, if it sent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(Self(None));
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(Self(None));
        }
        parse_etag(text).map(|v| Self(Some(v))).ok_or_else(|| {
            ApiError::new(
                ProblemKind::PreconditionFailed,
                "If-Match must carry an ETag this API returned, like \"3\"",
            )
        })
    }
}

/// The ETag of an object at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

fn parse_etag(text: &str) -> Option<i64> {
    text.trim_start_matches("W/").trim_matches('"').parse().ok()
}

/// `?limit=&cursor=` for list endpoints.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub const DEFAULT_LIMIT: i64 = 50;
    pub const MAX_LIMIT: i64 = 200;

    /// The validated limit.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(Self::DEFAULT_LIMIT),
            Some(limit @ 1..=Self::MAX_LIMIT) => Ok(limit),
            Some(_) => Err(ApiError::field(
                "/limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            )),
        }
    }

    /// The decoded cursor: the id of the last item of the previous page.
    pub fn after(&self) -> Result<Option<uuid::Uuid>, ApiError> {
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        decode_cursor(cursor)
            .map(Some)
            .ok_or_else(|| ApiError::field("/cursor", "is not a cursor this API returned"))
    }
}

/// Query-string parsing with a problem naming the parameter.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded_deserializer(query);
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let pointer = pointer_of(error.path());
                ApiError::field(pointer, error.into_inner().to_string())
            })
    }
}

fn serde_urlencoded_deserializer(query: &str) -> serde_urlencoded::Deserializer<'_> {
    serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()))
}

/// Cursors are opaque to clients: base64url of the last id.
pub fn encode_cursor(last: uuid::Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last.as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<uuid::Uuid> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    uuid::Uuid::from_slice(&bytes).ok()
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched (the extra row tells there is more).
    pub fn from_rows(mut rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> uuid::Uuid) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|last| encode_cursor(id_of(last)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// The same page with each item converted (e.g. a stored row into its API view).
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(convert).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        members: Vec<Member>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Member {
        role: String,
    }

    #[test]
    fn type_errors_point_at_the_nested_field() {
        let error = parse_json::<Input>(br#"{"name":"a","members":[{"role":"x"},{"role":5}]}"#)
            .expect_err("invalid");
        assert_eq!(error.kind, ProblemKind::Validation);
        assert_eq!(error.errors[0].pointer, "/members/1/role");
    }

    #[test]
    fn unknown_fields_are_named() {
        let error = parse_json::<Input>(br#"{"name":"a","members":[],"colour":"red"}"#)
            .expect_err("invalid");
        assert_eq!(error.errors[0].pointer, "/colour");
    }

    #[test]
    fn missing_fields_and_broken_json_are_told_apart() {
        let missing = parse_json::<Input>(br#"{"members":[]}"#).expect_err("missing name");
        assert_eq!(missing.kind, ProblemKind::Validation);
        assert!(missing.detail.contains("name"), "{}", missing.detail);
        let broken = parse_json::<Input>(b"{\"name\": ").expect_err("broken");
        assert_eq!(broken.kind, ProblemKind::MalformedJson);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = uuid::Uuid::now_v7();
        let query = PageQuery {
            limit: None,
            cursor: Some(encode_cursor(id)),
        };
        assert_eq!(query.after().expect("valid"), Some(id));
        let bad = PageQuery {
            limit: Some(0),
            cursor: Some("!!".into()),
        };
        assert!(bad.after().is_err());
        assert!(bad.limit().is_err());
    }

    #[test]
    fn etags_parse_strong_and_weak_forms() {
        assert_eq!(parse_etag(&etag(7)), Some(7));
        assert_eq!(parse_etag("W/\"7\""), Some(7));
        assert_eq!(parse_etag("nonsense"), None);
    }
}
