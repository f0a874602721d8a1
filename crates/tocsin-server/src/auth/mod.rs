//! Authentication: passwords, sessions with CSRF protection, API tokens, integration keys, login
//! throttling, and the first owner account.
pub mod bootstrap;
pub mod throttle;
