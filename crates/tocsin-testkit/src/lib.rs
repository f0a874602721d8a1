//! Test support for Tocsin: fresh databases on either backend, the real app spawned on
//! 127.0.0.1:0, a controllable clock, a typed HTTP client, and notification sinks (SMTP, webhook,
//! Twilio-compatible).
#![forbid(unsafe_code)]

pub mod app;
pub mod browser;
pub mod client;
pub mod db;
pub mod events;
pub mod scenario;
pub mod sinks;

pub use app::{TestApp, TestIntake, TestUser, spawn_app, test_config};
pub use browser::Browser;
pub use client::{Client, TestResponse};
pub use db::TestDatabase;
