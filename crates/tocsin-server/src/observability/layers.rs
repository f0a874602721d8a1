//! The middleware stack every request passes through, outermost first: request id, trace span,
//! id propagation, metrics, problem finishing, panic capture.
use std::any::Any;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{ApiError, PROBLEM_JSON};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the standard stack.
pub fn wrap(router: Router) -> Router {
    router
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(middleware::from_fn(finish_problem))
        .layer(middleware::from_fn(super::metrics::record))
        .layer(middleware::from_fn(security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %loggable_path(request.uri().path()), request_id)
                })
                // One line per request at INFO: status and latency, inside the span (so with its id).
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Routes whose first segment after the prefix is a secret (an integration key, a heartbeat key,
/// a calendar subscription token), with what the log shows instead.
const SECRET_SEGMENTS: [(&str, &str); 3] = [
    ("/api/v1/integrations/", "{key}"),
    ("/api/v1/heartbeats/", "{key}"),
    ("/api/v1/calendars/", "{token}"),
];

/// The path as logged and echoed: secrets carried in the path are hidden.
pub fn loggable_path(path: &str) -> String {
    for (prefix, placeholder) in SECRET_SEGMENTS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |at| &rest[at..]);
            return format!("{prefix}{placeholder}{tail}");
        }
    }
    path.to_owned()
}

/// A handler panic becomes a 500 problem; the panic message is logged (in the request's span, so
/// with its request id) and never sent.
fn answer_panic(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    tracing::error!(panic = message, "handler panicked");
    ApiError::internal().into_response()
}

/// Adds `instance` (the path) and `request_id` to problem documents.
async fn finish_problem(request: Request, next: Next) -> Response {
    let path = loggable_path(request.uri().path());
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        let body =
            serde_json::to_vec(&error.body(Some(&path), request_id.as_deref())).unwrap_or_default();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.remove(header::CONTENT_LENGTH);
        *response.body_mut() = Body::from(body);
    }
    response
}

/// Conservative headers on every response; pages set their own CSP.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_paths_are_not_logged() {
        assert_eq!(
            loggable_path("/api/v1/integrations/tocsin_ik_secret/generic"),
            "/api/v1/integrations/{key}/generic"
        );
        assert_eq!(
            loggable_path("/api/v1/heartbeats/tocsin_hb_secret/ping"),
            "/api/v1/heartbeats/{key}/ping"
        );
        assert_eq!(
            loggable_path("/api/v1/calendars/tocsin_cal_secret.ics"),
            "/api/v1/calendars/{token}"
        );
        assert_eq!(loggable_path("/api/v1/services"), "/api/v1/services");
    }
}
