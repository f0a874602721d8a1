//! Server-rendered pages: sign in, sign out, and the home page.
pub mod login;

use crate::router::Route;

pub fn routes() -> Vec<Route> {
    login::routes()
}
