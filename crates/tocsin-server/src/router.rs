//! Builds the application router.
use axum::Router;

use crate::state::AppState;

pub fn app(state: AppState) -> Router {
    Router::new().with_state(state)
}
