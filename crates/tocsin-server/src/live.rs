//! Live incident timelines: which incidents got new timeline entries, from this node's commits and
//! (on PostgreSQL) from every other node's, announced through one `LISTEN` per node and fanned out
//! to every open server-sent-events stream.
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use tocsin_store::events::TIMELINE_CHANNEL;
use tocsin_store::{Store, StoredEvent};
use tokio::sync::{OnceCell, broadcast, watch};
use uuid::Uuid;

/// Announcements kept for slow readers; one that falls further behind re-reads its timeline.
const CAPACITY: usize = 1024;

/// The node's feed of incidents whose timelines grew; started on first use.
#[derive(Clone)]
pub struct TimelineFeed {
    store: Store,
    sender: Arc<OnceCell<broadcast::Sender<Uuid>>>,
    /// True once the node shuts down: live streams end.
    closing: Arc<watch::Sender<bool>>,
}

impl TimelineFeed {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            sender: Arc::new(OnceCell::new()),
            closing: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Ends every live stream (the node is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Turns true when the node shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Incident ids as their timelines grow (a lagging receiver should re-read what it shows).
    pub async fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        let sender = self
            .sender
            .get_or_init(|| async {
                let (sender, _) = broadcast::channel(CAPACITY);
                // Listening before the first subscriber reads: nothing committed after this
                // call returns goes unannounced.
                let committed = self.store.subscribe();
                let peers = match self.store.listen_payloads(TIMELINE_CHANNEL).await {
                    Ok(peers) => peers,
                    Err(error) => {
                        tracing::warn!(%error, "cannot LISTEN for other nodes' timelines; live timelines show this node's changes only");
                        futures::stream::pending().boxed()
                    }
                };
                tokio::spawn(forward(committed, peers, sender.clone()));
                sender
            })
            .await;
        sender.subscribe()
    }
}

/// Forwards this node's committed incident events and other nodes' announcements until the store
/// closes.
async fn forward(
    mut committed: broadcast::Receiver<Arc<StoredEvent>>,
    mut peers: BoxStream<'static, String>,
    sender: broadcast::Sender<Uuid>,
) {
    loop {
        tokio::select! {
            event = committed.recv() => match event {
                Ok(event) if event.stream_type == "incident" => {
                    let _ = sender.send(event.stream_id);
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            payload = peers.next() => match payload {
                Some(payload) => {
                    if let Ok(incident) = Uuid::parse_str(&payload) {
                        let _ = sender.send(incident);
                    }
                }
                // The listener gave up: this node's own changes still flow.
                None => peers = futures::stream::pending().boxed(),
            },
        }
    }
}
