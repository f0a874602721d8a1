//! Several `tocsin serve` nodes on one database, killed on every way out (a Drop guard), plus
//! the seeding the multi-node tests share: people with verified webhook contact methods written
//! straight to the store, and owner API calls.
use std::fs::File;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::contact::{PendingCode, VerificationCode};
use tocsin_domain::delivery::{Channel, WebhookSecret};
use tocsin_domain::id::UserId;
use tocsin_domain::values::{Email, Name, TimeZoneName};
use tocsin_store::catalog::users::{self, NewUser};
use tocsin_store::contact::{self, NewContactMethod, VerificationAttempt};
use tocsin_store::{Store, StoreError};

use super::serve::wait_for_listening;
use super::support::Target;

/// One running node.
pub struct Node {
    child: Option<Child>,
    pub url: String,
    /// Its stderr (logs), for failure messages.
    pub log: PathBuf,
}

/// Every node started; each still running is killed when this is dropped (panics included).
#[derive(Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
}

impl Cluster {
    /// Starts `tocsin serve <flags>` on `target` as node `name`; answers its index and what it
    /// printed before listening.
    pub fn start(&mut self, target: &Target, name: &str, flags: &[&str]) -> (usize, Vec<String>) {
        let log = target.dir.path().join(format!("{name}.log"));
        let stderr = File::create(&log).expect("a log file for the node");
        let mut command: Command = target.command(&[&["serve"][..], flags].concat());
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start tocsin serve");
        let (address, before): (SocketAddr, _) = wait_for_listening(&mut child);
        self.nodes.push(Node {
            child: Some(child),
            url: format!("http://{address}"),
            log,
        });
        (self.nodes.len() - 1, before)
    }

    /// `kill -9` of node `index`, waiting until it is gone.
    pub fn kill_9(&mut self, index: usize) {
        if let Some(mut child) = self.nodes[index].child.take() {
            kill_9(&mut child);
        }
    }

    /// The last lines each node logged.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|node| {
                let text = std::fs::read_to_string(&node.log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(20)..].join("\n");
                format!("--- {} ---\n{tail}", node.url)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `kill -9` of `child` (the shell's builtin `kill`, so no procps is needed), waiting until it
/// is gone.
pub fn kill_9(child: &mut Child) {
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -KILL {}", child.id())])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let _ = child.wait();
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// `count` responders, each with one verified webhook contact method at `url(n)` (and the
/// default notification rule verification adds), written in one transaction.
pub async fn seed_people(
    store: &Store,
    url: impl Fn(usize) -> String,
    count: usize,
) -> Vec<UserId> {
    let people: Vec<(Email, Name, String, String)> = (0..count)
        .map(|n| {
            let secret =
                WebhookSecret::from_bytes(vec![u8::try_from(n % 251).unwrap_or(1) + 1; 32])
                    .expect("a signing secret")
                    .expose();
            (
                Email::parse(&format!("pager{n}@example.com")).expect("an email"),
                Name::parse(&format!("Pager {n}")).expect("a name"),
                url(n),
                secret,
            )
        })
        .collect();
    store
        .write(move |tx| {
            Box::pin(async move {
                let now = jiff::Timestamp::now();
                let mut ids = Vec::with_capacity(people.len());
                for (n, (email, name, address, secret)) in people.into_iter().enumerate() {
                    let new = NewUser {
                        email,
                        name,
                        role: OrgRole::Responder,
                        time_zone: TimeZoneName::utc(),
                        password_hash: None,
                    };
                    let user = users::create_user(tx, new, "system", now).await?.id;
                    let method = NewContactMethod {
                        channel: Channel::Webhook,
                        address,
                        label: "pager".to_owned(),
                        secret: Some(secret),
                    };
                    let method = contact::create_contact_method(tx, user, method, "system", now)
                        .await?
                        .method
                        .id;
                    let code = VerificationCode::from_random(100_000 + n as u32);
                    let pending = PendingCode::new(method, &code, now);
                    contact::request_verification(tx, user, method, &pending, "system", now)
                        .await?;
                    let checked =
                        contact::check_verification(tx, user, method, code.expose(), "system", now)
                            .await?;
                    if !matches!(checked, VerificationAttempt::Verified(_)) {
                        return Err(StoreError::Corrupt(format!("pager {n} was not verified")));
                    }
                    ids.push(user);
                }
                Ok(ids)
            })
        })
        .await
        .expect("seed the people")
}

/// An owner API call that must succeed; answers the JSON body (`null` when empty).
pub async fn call(
    client: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: &Value,
) -> Value {
    let response = client
        .request(method, &url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
