//! The JSON API under `/api/v1`.
pub mod me;
pub mod tokens;

use crate::router::Route;

/// Every API route.
pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(me::routes());
    all.extend(tokens::routes());
    all
}
