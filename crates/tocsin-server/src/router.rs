//! Builds the application: every route with its declared guard, the caller resolution, the body
//! limit, problem fallbacks, and the observability stack.
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, MethodRouter};

use crate::auth::caller;
use crate::auth::guard::{self, Guard};
use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;

/// A route's method, path template and guard, as the permission tests enumerate them.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
}

/// A route: its spec and handler. A route registered for every method (`route_any`) is listed once
/// per method in `ANY_METHODS`; only the first of those entries carries the handler.
pub struct Route {
    pub spec: RouteSpec,
    handler: Option<MethodRouter<AppState>>,
}

impl Route {
    /// Serves the route's answers gzip-compressed to clients that accept it (the console's
    /// assets; server-sent events are never compressed).
    pub fn compressed(mut self) -> Self {
        self.handler = self
            .handler
            .map(|handler| handler.layer(tower_http::compression::CompressionLayer::new()));
        self
    }
}

/// The methods a `route_any` route answers, each listed in the route table (so the access matrix
/// and the OpenAPI document enumerate them): every method a client uses on a resource. TRACE and
/// CONNECT, which are not requests for a resource, answer 405.
pub const ANY_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// Declares a route. The guard is attached when the router is built, so it cannot be forgotten.
pub fn route<H, T>(method: Method, path: &'static str, guard: Guard, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
    Route {
        spec: RouteSpec {
            method,
            path,
            guard,
        },
        handler: Some(axum::routing::on(filter, handler)),
    }
}

/// Declares a route that answers every method in `ANY_METHODS` with one handler (heartbeat pings:
/// whatever a cron job's HTTP client sends). Listed in the route table once per method.
pub fn route_any<H, T>(path: &'static str, guard: Guard, handler: H) -> Vec<Route>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = ANY_METHODS
        .iter()
        .filter_map(|method| MethodFilter::try_from(method.clone()).ok())
        .fold(MethodFilter::GET, MethodFilter::or);
    let mut handler = Some(axum::routing::on(filter, handler));
    ANY_METHODS
        .into_iter()
        .map(|method| Route {
            spec: RouteSpec {
                method,
                path,
                guard: guard.clone(),
            },
            handler: handler.take(),
        })
        .collect()
}

impl Route {
    /// Caps this route's request body at `bytes` (instead of the server-wide limit).
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.handler = self
            .handler
            .map(|handler| handler.layer(DefaultBodyLimit::max(bytes)));
        self
    }
}

/// Every route of the application.
pub fn routes() -> Vec<Route> {
    let mut all = vec![
        route(
            Method::GET,
            "/healthz",
            Guard::Public,
            crate::health::healthz,
        ),
        route(Method::GET, "/readyz", Guard::Public, crate::health::readyz),
        route(
            Method::GET,
            "/metrics",
            Guard::Public,
            crate::health::metrics,
        ),
        route(
            Method::GET,
            "/problems/{slug}",
            Guard::Public,
            crate::health::problem_page,
        ),
        route(
            Method::GET,
            "/api/openapi.json",
            Guard::Public,
            crate::openapi::serve,
        ),
    ];
    all.extend(crate::api::routes());
    all.extend(crate::ingest::routes());
    all.extend(crate::web::routes());
    all
}

/// The route specs, for tests and documentation.
pub fn specs() -> Vec<RouteSpec> {
    routes().into_iter().map(|route| route.spec).collect()
}

/// The whole application for `state`.
pub fn app(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for Route { spec, handler } in routes() {
        let Some(handler) = handler else { continue };
        let guarded =
            handler.route_layer(middleware::from_fn_with_state(spec.guard, guard::enforce));
        router = router.route(spec.path, guarded);
    }
    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            caller::resolve,
        ))
        .layer(DefaultBodyLimit::max(state.config.body_limit_bytes))
        .with_state(state);
    crate::observability::layers::wrap(router)
}

async fn not_found() -> impl IntoResponse {
    ApiError::new(
        ProblemKind::NotFound,
        "no such resource; see /api/openapi.json for the API",
    )
}

async fn method_not_allowed() -> impl IntoResponse {
    ApiError::new(
        ProblemKind::MethodNotAllowed,
        "this resource does not support that method",
    )
}
