//! Spawns the real Tocsin application on 127.0.0.1:0 against a fresh database, with a manual clock.
use std::net::SocketAddr;
use std::sync::Arc;

use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::ServiceId;
use tocsin_domain::values::{Email, Name};
use tocsin_domain::{Clock, ManualClock, Timestamp};
use tocsin_server::auth::secrets::{API_TOKEN_PREFIX, display_prefix, hash_secret, random_secret};
use tocsin_server::{AppState, FirstLogin, ServerConfig};
use tocsin_store::Store;
use tocsin_store::access::tokens::{self, NewApiToken};
use tocsin_store::catalog::users::{self, NewUser, User};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::db::TestDatabase;

/// The instant every test app's clock starts at.
pub const START: &str = "2026-11-27T12:00:00Z";

/// The password of users made by `TestApp::user`.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// A running app.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base_url: String,
    pub clock: ManualClock,
    pub store: Store,
    pub database: TestDatabase,
    pub owner: FirstLogin,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// A service made for a test, with one integration key.
#[derive(Debug, Clone)]
pub struct TestIntake {
    pub service_id: ServiceId,
    pub secret: String,
}

/// A user made for a test, with an API token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub user: User,
    pub token: String,
}

/// Spawns the app on the environment's database (PostgreSQL when configured, else SQLite).
pub async fn spawn_app() -> TestApp {
    TestApp::spawn_on(TestDatabase::from_env().await, test_config()).await
}

/// The server configuration tests run with: the defaults, except that outbound delivery may reach
/// 127.0.0.1 (where the testkit's sinks listen) and gives up after 5 seconds.
pub fn test_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.delivery.allow_list =
        tocsin_domain::delivery::AllowList::parse(&["127.0.0.1/32"]).expect("a valid CIDR");
    config.delivery.request_timeout = std::time::Duration::from_secs(5);
    config
}

impl TestApp {
    /// A delivery worker for node `node` at the app's clock, sending with the test
    /// configuration (127.0.0.1 allowed) and linking to the app. It claims due rows each round;
    /// add `.claiming_on_enqueue()` to have rows claimed for it as they are queued, as
    /// `Engine::start` does.
    pub fn outbox_worker(&self, node: &str) -> tocsin_engine::outbox::OutboxWorker {
        let clock: tocsin_domain::SharedClock = Arc::new(self.clock.clone());
        let sender = tocsin_engine::delivery::Sender::new(&test_config().delivery, clock.clone())
            .expect("the notification sender");
        tocsin_engine::outbox::OutboxWorker::new(
            self.store.clone(),
            sender,
            clock,
            tocsin_engine::outbox::OutboxConfig::new(node, self.base_url.clone()),
        )
    }

    pub async fn spawn_on(database: TestDatabase, config: ServerConfig) -> Self {
        let store = database.open().await;
        let clock = ManualClock::new(START.parse::<Timestamp>().expect("valid start"));
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), config)
            .expect("build the notification sender");
        let owner = tocsin_server::ensure_owner(&state)
            .await
            .expect("bootstrap the owner")
            .expect("a fresh database gets an owner");
        Self::serve(state, store, clock, database, owner).await
    }

    /// A second node serving `app`'s database (PostgreSQL: several nodes on one database), with
    /// its own store, clock (at `app`'s instant) and listener, and the same owner.
    pub async fn peer_of(app: &TestApp) -> Self {
        let store = app.database.open().await;
        let clock = ManualClock::new(app.clock.now());
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), test_config())
            .expect("build the notification sender");
        Self::serve(state, store, clock, app.database.clone(), app.owner.clone()).await
    }

    async fn serve(
        state: AppState,
        store: Store,
        clock: ManualClock,
        database: TestDatabase,
        owner: FirstLogin,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let app = tocsin_server::app(state);
        let server = tokio::spawn(tocsin_server::serve(listener, app, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            base_url: format!("http://{addr}"),
            clock,
            store,
            database,
            owner,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// A client acting as the owner (bearer token).
    pub fn owner(&self) -> Client {
        Client::new(&self.base_url, Some(self.owner.api_token.clone()))
    }

    /// A client presenting no credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base_url, None)
    }

    /// A client presenting `token`.
    pub fn with_token(&self, token: &str) -> Client {
        Client::new(&self.base_url, Some(token.to_owned()))
    }

    /// Creates a user with `role`, the password `TEST_PASSWORD` and an API token.
    pub async fn user(&self, role: OrgRole) -> TestUser {
        let suffix = uuid::Uuid::now_v7().simple().to_string();
        let email =
            Email::parse(&format!("{}-{suffix}@example.com", role.as_str())).expect("valid email");
        let name = Name::parse(&format!("Test {}", role.as_str())).expect("valid name");
        let password_hash = tocsin_server::auth::password::hash(TEST_PASSWORD).expect("hash");
        let token = random_secret(API_TOKEN_PREFIX);
        let token_hash = hash_secret(&token);
        let prefix = display_prefix(&token);
        let now = self.clock.now();
        let user = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let new = NewUser {
                        email,
                        name,
                        role,
                        time_zone: tocsin_domain::values::TimeZoneName::utc(),
                        password_hash: Some(password_hash),
                    };
                    let user = users::create_user(tx, new, "system", now).await?;
                    let new_token = NewApiToken {
                        user_id: user.id,
                        name: "test".into(),
                        token_hash,
                        prefix,
                        expires_at: None,
                    };
                    tokens::create(tx, new_token, "system", now).await?;
                    Ok(user)
                })
            })
            .await
            .expect("create the test user");
        TestUser { user, token }
    }

    /// Creates a service named `name` through the API, with an integration key of `kind`.
    pub async fn intake(&self, name: &str, kind: &str) -> TestIntake {
        let owner = self.owner();
        let service = owner
            .post("/api/v1/services", &serde_json::json!({ "name": name }))
            .await
            .expect_status(201)
            .json();
        let id = service["id"].as_str().expect("the service has an id");
        let key = owner
            .post(
                &format!("/api/v1/services/{id}/integration-keys"),
                &serde_json::json!({ "name": kind, "kind": kind }),
            )
            .await
            .expect_status(201)
            .json();
        TestIntake {
            service_id: ServiceId(id.parse().expect("the service id is a UUID")),
            secret: key["secret"]
                .as_str()
                .expect("the key has a secret")
                .to_owned(),
        }
    }

    /// The newest incident of `service` (panics when it has none).
    pub async fn latest_incident(&self, service: ServiceId) -> tocsin_domain::id::IncidentId {
        let incidents = self
            .owner()
            .get(&format!("/api/v1/incidents?service_id={}", service))
            .await
            .expect_status(200)
            .json();
        let id = incidents["items"][0]["id"]
            .as_str()
            .expect("the service has an incident");
        tocsin_domain::id::IncidentId(id.parse().expect("the incident id is a UUID"))
    }

    /// Signs in through the login form and returns a cookie-carrying client plus its CSRF token.
    pub async fn browser_login(&self, email: &str, password: &str) -> (Client, Option<String>) {
        let browser = self.anonymous();
        let answer = browser.sign_in(email, password).await;
        if answer.status != 303 {
            return (browser, None);
        }
        let home = browser.get("/").await;
        let session_csrf = hidden_field(&home.text, "csrf_token");
        (browser, session_csrf)
    }

    /// Stops the server, letting in-flight requests finish, and closes the store.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.store.close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The value of `<input ... name="NAME" value="...">` in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
