//! Shared application state handed to every handler, and the server's configuration.
use std::sync::Arc;
use std::time::Duration;

use tocsin_domain::SharedClock;
use tocsin_engine::delivery::{DeliveryConfig, DeliveryError, Sender};
use tocsin_store::Store;

use crate::auth::throttle::LoginThrottle;
use crate::ingest::gate::{IntakeGate, IntakeLimits};
use crate::ingest::key_cache::{self, KeyCache};
use crate::observability::metrics::Metrics;

/// Settings the server needs (the binary fills these from flags, environment and `tocsin.toml`).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The URL users reach Tocsin at; an `https` URL makes cookies `Secure`.
    pub public_url: String,
    /// The largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// How long a web session lasts without activity.
    pub session_idle_timeout: Duration,
    /// The longest a web session lasts at all.
    pub session_max_age: Duration,
    /// Failed logins allowed per account and per client address within `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// The email of the owner account created on the first start.
    pub owner_email: String,
    /// Per-key rate and in-flight bound for the intake endpoints.
    pub intake: IntakeLimits,
    /// How notifications leave: the outbound allow-list, timeouts, SMTP and Twilio.
    pub delivery: DeliveryConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".to_owned(),
            body_limit_bytes: 1024 * 1024,
            session_idle_timeout: Duration::from_secs(12 * 3600),
            session_max_age: Duration::from_secs(7 * 24 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            owner_email: "owner@tocsin.local".to_owned(),
            intake: IntakeLimits::default(),
            delivery: DeliveryConfig::default(),
        }
    }
}

impl ServerConfig {
    /// Cookies are marked `Secure` when Tocsin is served over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: SharedClock,
    pub config: Arc<ServerConfig>,
    pub metrics: Metrics,
    pub login_throttle: Arc<LoginThrottle>,
    pub intake_gate: Arc<IntakeGate>,
    /// The alerting configuration the ingest pipeline decides with (cached).
    pub orchestrator: Arc<tocsin_engine::orchestrator::Orchestrator>,
    /// Live intake keys by secret, invalidated by the store's committed events.
    pub intake_keys: Arc<KeyCache>,
    /// Delivers notifications (verification codes, pages) through the configured channels.
    pub sender: Sender,
    /// API tokens whose last use this node recorded lately (one write per token per minute).
    pub token_touches: Arc<crate::auth::touches::TouchDebounce>,
    /// Incidents whose timelines grew, on this node or (PostgreSQL) any node.
    pub timelines: crate::live::TimelineFeed,
}

impl AppState {
    /// Fails only when the outbound HTTP client cannot be built (no TLS backend).
    pub fn new(
        store: Store,
        clock: SharedClock,
        config: ServerConfig,
    ) -> Result<Self, DeliveryError> {
        let sender = Sender::new(&config.delivery, clock.clone())?;
        let login_throttle = Arc::new(LoginThrottle::new(
            config.login_max_failures,
            config.login_window,
        ));
        let intake_gate = Arc::new(IntakeGate::new(config.intake));
        let intake_keys = Arc::new(KeyCache::new(store.subscribe(), key_cache::TTL));
        Ok(Self {
            sender,
            timelines: crate::live::TimelineFeed::new(store.clone()),
            token_touches: Arc::default(),
            intake_keys,
            store,
            clock,
            intake_gate,
            orchestrator: Arc::new(tocsin_engine::orchestrator::Orchestrator::new()),
            config: Arc::new(config),
            metrics: Metrics::global(),
            login_throttle,
        })
    }
}
