//! Console form posts: the signed-in viewer, the session's CSRF token checked, and the fields read
//! into a typed struct — or a readable page saying what was wrong, never a bare rejection.
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::chrome::{Viewer, problem_page};
use crate::auth::secrets::same_secret;
use crate::state::AppState;

/// The field every console form carries its CSRF token in.
pub const CSRF_FIELD: &str = "csrf_token";

/// A form posted by the signed-in `Viewer`, its CSRF token verified, fields parsed into `T`
/// (without the token). Empty text fields arrive as empty strings; see [`non_blank`].
pub struct WebForm<T>(pub Viewer, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for WebForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let back = parts
            .headers
            .get("referer")
            .and_then(|r| r.to_str().ok())
            .and_then(|r| {
                r.find("://")
                    .and_then(|i| r[i + 3..].find('/').map(|j| &r[i + 3 + j..]))
            })
            .unwrap_or("/")
            .to_owned();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                problem_page(
                    Some(&viewer),
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The form is too large",
                    "Shorten the text and try again.",
                    &back,
                )
            })?;
        let fields = parse(&bytes).map_err(|message| {
            problem_page(
                Some(&viewer),
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                &message,
                &back,
            )
        })?;
        let presented = fields
            .iter()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        if presented.is_empty() || !same_secret(presented, &viewer.csrf_token) {
            return Err(problem_page(
                Some(&viewer),
                StatusCode::FORBIDDEN,
                "This form expired",
                "The page was open from an earlier sign-in. Reload it and try again.",
                &back,
            ));
        }
        let rest: Vec<&(String, String)> = fields
            .iter()
            .filter(|(name, _)| name != CSRF_FIELD)
            .collect();
        let value = typed(&rest).map_err(|message| {
            problem_page(
                Some(&viewer),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Please check the form",
                &message,
                &back,
            )
        })?;
        Ok(WebForm(viewer, value))
    }
}

fn parse(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .map_err(|error| format!("the form is not URL-encoded: {error}"))
}

fn typed<T: DeserializeOwned>(fields: &[&(String, String)]) -> Result<T, String> {
    let encoded = serde_urlencoded::to_string(fields).map_err(|error| error.to_string())?;
    serde_urlencoded::from_str(&encoded).map_err(|error| error.to_string())
}

/// A text field as an option: `None` when left empty or only spaces.
pub fn non_blank(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Note {
        body: String,
        minutes: Option<i64>,
    }

    #[test]
    fn fields_other_than_the_token_are_typed() {
        let fields = parse(b"csrf_token=x&body=a+%3Cb%3E&minutes=15").expect("test input");
        let rest: Vec<_> = fields.iter().filter(|(n, _)| n != CSRF_FIELD).collect();
        let note: Note = typed(&rest).expect("test input");
        assert_eq!(
            note,
            Note {
                body: "a <b>".into(),
                minutes: Some(15)
            }
        );
    }

    #[test]
    fn a_wrong_type_is_explained() {
        let fields = parse(b"body=x&minutes=soon").expect("test input");
        let rest: Vec<_> = fields.iter().collect();
        let error = typed::<Note>(&rest).expect_err("test input");
        assert!(error.contains("invalid digit"), "{error}");
    }

    #[test]
    fn blank_fields_are_none() {
        assert_eq!(non_blank(&Some("  ".into())), None);
        assert_eq!(non_blank(&Some(" P1 ".into())), Some("P1".into()));
        assert_eq!(non_blank(&None), None);
    }
}
