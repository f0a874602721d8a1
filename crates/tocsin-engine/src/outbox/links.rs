//! Signed action links in pages: the server's signing key (made at first use, shared by every
//! node through the store), the acknowledge / resolve URLs for one notification, and the plain
//! (unsigned) link that opens the incident.
use jiff::Timestamp;
use tocsin_domain::delivery::{ActionLinks, LinkAction, LinkClaim};
use tocsin_domain::id::IncidentId;
use tocsin_store::outbox::{self, Claimed};
use tocsin_store::{Store, StoreError};
use url::Url;

use super::OutboxConfig;

/// The bytes of a new signing key.
const KEY_BYTES: usize = 32;

/// The action-link signing key, made (32 random bytes) and stored if there is none yet.
pub async fn signing_key(store: &Store, now: Timestamp) -> Result<Vec<u8>, StoreError> {
    if let Some(key) = outbox::signing_key(store.reader()).await? {
        return Ok(key);
    }
    let candidate: Vec<u8> = {
        use rand::RngExt;
        let mut rng = rand::rng();
        (0..KEY_BYTES).map(|_| rng.random::<u8>()).collect()
    };
    store
        .write(move |tx| {
            Box::pin(async move { outbox::ensure_signing_key(tx, candidate, now).await })
        })
        .await
}

/// The URL of a signed action link: `{public_url}/api/v1/actions/{token}`.
pub fn action_url(public_url: &str, token: &str) -> Option<Url> {
    Url::parse(&format!(
        "{}/api/v1/actions/{token}",
        public_url.trim_end_matches('/')
    ))
    .ok()
}

/// The link that opens the incident: `{public_url}/api/v1/incidents/{id}` (it asks the reader to
/// sign in; nothing in it acts or grants access).
pub fn view_url(public_url: &str, incident: IncidentId) -> Option<Url> {
    Url::parse(&format!(
        "{}/api/v1/incidents/{}",
        public_url.trim_end_matches('/'),
        incident.0
    ))
    .ok()
}

/// The view link, and acknowledge and resolve links for the person `claimed` pages, valid for
/// `config.link_ttl`.
pub(super) fn action_links(
    key: &[u8],
    config: &OutboxConfig,
    claimed: &Claimed,
    now: Timestamp,
) -> ActionLinks {
    let link = |action: LinkAction| {
        let claim = LinkClaim {
            link_id: tocsin_domain::id::uuid_v7_at(now),
            incident_id: claimed.incident_id.0,
            user_id: claimed.user_id.map(|u| u.0),
            action,
            expires_at: now.saturating_add(config.link_ttl).unwrap_or(now),
        };
        action_url(&config.public_url, &claim.sign(key))
    };
    ActionLinks {
        view: view_url(&config.public_url, claimed.incident_id),
        acknowledge: link(LinkAction::Acknowledge),
        resolve: link(LinkAction::Resolve),
    }
}
