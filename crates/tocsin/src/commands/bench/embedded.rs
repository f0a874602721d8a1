//! A Tocsin started inside the bench process, the way `tocsin serve` starts it: a temporary
//! SQLite database (WAL, `synchronous=FULL`, so an answer still means the alert is on disk), the
//! owner created for its API token, the engine running, intake limits raised out of the way.
use std::sync::Arc;

use anyhow::Context;
use tocsin_domain::{SharedClock, SystemClock};
use tocsin_server::ingest::gate::IntakeLimits;
use tocsin_server::{AppState, ServerConfig};
use tocsin_store::{OnOpen, Store, StoreConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running in-process server.
pub struct Embedded {
    pub url: String,
    pub token: String,
    /// The owner's sign-in, for benches that use the console as a browser would.
    pub owner_email: String,
    pub owner_password: String,
    store: Store,
    engine: tocsin_engine::Engine,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

/// Limits no benchmark reaches: the bench measures the pipeline, not the door's throttle.
fn raised_limits() -> IntakeLimits {
    IntakeLimits {
        rate_per_second: 1.0e9,
        burst: 1.0e9,
        max_in_flight: 65_536,
    }
}

impl Embedded {
    /// Starts on 127.0.0.1:0.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(ServerConfig::default(), None).await
    }

    /// Starts on 127.0.0.1:0 on the fresh (empty) PostgreSQL database at `database_url`, or on
    /// a temporary SQLite database when none is given.
    pub async fn start_on(database_url: Option<&str>) -> anyhow::Result<Self> {
        Self::start_with(ServerConfig::default(), database_url).await
    }

    /// Starts on 127.0.0.1:0 with notifications allowed to reach 127.0.0.1 (the paging bench's
    /// sink).
    pub async fn start_allowing_loopback() -> anyhow::Result<Self> {
        let mut config = ServerConfig::default();
        config.delivery.allow_list =
            tocsin_domain::delivery::AllowList::parse(&["127.0.0.1/32"])
                .map_err(|error| anyhow::anyhow!("the loopback allow-list: {error}"))?;
        Self::start_with(config, None).await
    }

    /// The database, for measurements that read the committed-event bus.
    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn start_with(base: ServerConfig, database_url: Option<&str>) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("tocsin-bench-")
            .tempdir()
            .context("cannot create a temporary data directory")?;
        let config = match database_url {
            Some(url) => StoreConfig::postgres(url),
            None => StoreConfig::sqlite(dir.path().join("tocsin.db")),
        };
        let store = crate::commands::open_store(&config, OnOpen::Migrate).await?;
        let clock: SharedClock = Arc::new(SystemClock);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot listen on 127.0.0.1:0")?;
        let address = listener
            .local_addr()
            .context("the listener has no address")?;
        let url = format!("http://{address}");
        let server_config = ServerConfig {
            public_url: url.clone(),
            intake: raised_limits(),
            ..base
        };
        let state = AppState::new(store.clone(), clock.clone(), server_config)
            .context("cannot set up notification delivery")?;
        let owner = tocsin_server::ensure_owner(&state)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the owner: {}", e.detail))?
            .context("the database already has users: the bench needs a fresh, empty one")?;
        // The paging bench sends every page to one sink: its per-destination rate limit (one a
        // second by default, what Slack allows) is raised out of the way like the intake limits.
        let outbox_config = tocsin_engine::outbox::OutboxConfig {
            rate_limit: tocsin_domain::rate::RateLimit {
                per_second: 1.0e9,
                burst: 1.0e9,
            },
            ..tocsin_engine::outbox::OutboxConfig::new(
                tocsin_engine::outbox::node_name(),
                url.clone(),
            )
        };
        let outbox = tocsin_engine::outbox::OutboxWorker::new(
            store.clone(),
            state.sender.clone(),
            clock.clone(),
            outbox_config,
        );
        let engine = tocsin_engine::Engine::start(store.clone(), clock, outbox);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(tocsin_server::serve(
            listener,
            tocsin_server::app(state),
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            url,
            token: owner.api_token,
            owner_email: owner.email,
            owner_password: owner.password,
            store,
            engine,
            stop,
            server,
            _dir: dir,
        })
    }

    /// Stops serving, stops the engine, commits pending writes and removes the database.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
        self.engine.shutdown().await;
        self.store.close().await;
    }
}
