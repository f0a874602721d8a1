//! An incident's timeline as server-sent events: `GET /api/v1/incidents/{id}/events` with
//! `Accept: text/event-stream` replays the entries after `Last-Event-ID` (or `?after_seq=`), then
//! sends each new entry as it is committed, on this node or any other. Each message's id is the
//! entry's sequence number, so a reconnecting browser resumes where it stopped.
use std::convert::Infallible;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::visibility::Viewer;
use tocsin_store::events::read_stream;
use tocsin_store::incident;
use tokio::sync::broadcast;

use super::events::EventView;
use crate::error::ApiError;
use crate::state::AppState;

/// Entries sent per read.
const BATCH: i64 = 100;

/// Whether the client asked for an event stream.
pub fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// Where to resume: the `Last-Event-ID` a reconnecting client sends, else `after_seq`.
pub fn resume_after(headers: &HeaderMap, after_seq: Option<i64>) -> Result<i64, ApiError> {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|text| {
            text.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::field("/last-event-id", "must be a sequence number"))
        })
        .transpose()?;
    match last.or(after_seq) {
        None => Ok(0),
        Some(after @ 0..) => Ok(after),
        Some(_) => Err(ApiError::field("/after_seq", "must not be negative")),
    }
}

/// Who watches a live timeline; asked again before each batch is sent.
#[derive(Debug, Clone)]
pub enum Watcher {
    /// Someone the visibility rule must still let see the incident.
    Person(Option<Viewer>),
    /// An external guest whose pass (this id) must still be valid.
    Guest(uuid::Uuid),
}

struct Live {
    state: AppState,
    incident: IncidentId,
    watcher: Watcher,
    after: i64,
    grown: broadcast::Receiver<uuid::Uuid>,
    closing: tokio::sync::watch::Receiver<bool>,
}

impl Live {
    /// The next entries after `after`, waiting until there are some; `None` ends the stream (the
    /// incident became hidden from the viewer, or the node is shutting down).
    async fn next_batch(&mut self) -> Option<Vec<EventView>> {
        loop {
            let reader = self.state.store.reader();
            let events = read_stream(reader, self.incident.0, self.after, BATCH)
                .await
                .ok()?;
            if let Some(last) = events.last() {
                if !self.still_visible().await {
                    return None;
                }
                self.after = last.seq;
                return Some(events.into_iter().map(EventView::from).collect());
            }
            self.wait_for_growth().await?;
        }
    }

    async fn still_visible(&self) -> bool {
        let reader = self.state.store.reader();
        match &self.watcher {
            Watcher::Person(None) => false,
            Watcher::Person(Some(viewer)) => incident::visible_to(reader, self.incident, viewer)
                .await
                .unwrap_or(false),
            Watcher::Guest(guest) => incident::guest(reader, *guest)
                .await
                .ok()
                .flatten()
                .is_some_and(|pass| pass.is_valid_at(self.state.clock.now())),
        }
    }

    /// Waits until this incident's timeline may have grown; `None` when the node shuts down.
    async fn wait_for_growth(&mut self) -> Option<()> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            tokio::select! {
                grown = self.grown.recv() => match grown {
                    Ok(id) if id == self.incident.0 => return Some(()),
                    Ok(_) => {}
                    // Missed announcements: re-read to be sure.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Some(()),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                changed = self.closing.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
            }
        }
    }
}

fn message(view: EventView) -> Result<Event, Infallible> {
    let id = view.seq.to_string();
    Ok(Event::default()
        .id(id)
        .json_data(&view)
        .unwrap_or_else(|_| Event::default().comment("unserialisable entry")))
}

/// The incident's timeline entries after `after`, then each new one as it is committed; the
/// caller has checked that `watcher` sees it, and the stream ends once they no longer do.
pub async fn entries(
    state: AppState,
    incident: IncidentId,
    watcher: Watcher,
    after: i64,
) -> impl Stream<Item = EventView> + Send + 'static {
    let grown = state.timelines.subscribe().await;
    let closing = state.timelines.closing();
    let live = Live {
        closing,
        state,
        incident,
        watcher,
        after,
        grown,
    };
    futures::stream::unfold(live, |mut live| async move {
        live.next_batch().await.map(|batch| (batch, live))
    })
    .flat_map(futures::stream::iter)
}

/// The incident's timeline from `after`, then live, as JSON server-sent events; the caller has
/// checked that `watcher` sees it, and the stream ends once they no longer do.
pub async fn stream(
    state: AppState,
    incident: IncidentId,
    watcher: Watcher,
    after: i64,
) -> Response {
    let entries = entries(state, incident, watcher, after).await.map(message);
    sse(entries).into_response()
}

/// Server-sent events of `entries`, kept alive while idle.
pub fn sse(
    entries: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + Send + 'static> {
    Sse::new(entries).keep_alive(KeepAlive::default())
}
