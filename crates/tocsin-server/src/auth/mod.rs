//! Authentication: passwords, sessions with CSRF protection, API tokens, integration keys, login
//! throttling, and the first owner account. Authorization lives in `tocsin_domain::access`; routes
//! declare a `guard::Guard`.
pub mod bootstrap;
pub mod caller;
pub mod guard;
pub mod password;
pub mod secrets;
pub mod throttle;
pub mod touches;

pub use caller::Caller;
pub use guard::Guard;
