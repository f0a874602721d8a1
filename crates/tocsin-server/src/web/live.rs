//! `/live/incidents`: a server-sent-events stream that says "incidents changed" (no ids, so
//! nothing about incidents the viewer may not see leaks) whenever any incident's timeline grows.
//! Pages listen with htmx (`sse-connect`) and re-fetch the fragment they show, which applies the
//! viewer's visibility as every page does.
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::Method;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use tokio::sync::broadcast;

use super::chrome::Viewer;
use crate::auth::Guard;
use crate::router::{Route, route};
use crate::state::AppState;

/// Changes arriving within this span of each other are announced once.
const COALESCE: Duration = Duration::from_millis(250);

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::GET,
        "/live/incidents",
        Guard::Public,
        incidents,
    )]
}

/// Announces `incidents` events while the viewer's session lasts and the node runs.
pub async fn incidents(State(state): State<AppState>, _viewer: Viewer) -> Response {
    let receiver = state.timelines.subscribe().await;
    let closing = state.timelines.closing();
    Sse::new(changes(receiver, closing))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn changes(
    receiver: broadcast::Receiver<uuid::Uuid>,
    closing: tokio::sync::watch::Receiver<bool>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(
        (receiver, closing),
        |(mut receiver, mut closing)| async move {
            tokio::select! {
                changed = receiver.recv() => {
                    if let Err(broadcast::error::RecvError::Closed) = changed {
                        return None;
                    }
                }
                _ = closing.wait_for(|closed| *closed) => return None,
            }
            // Let a burst settle, then announce it once.
            tokio::time::sleep(COALESCE).await;
            while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = receiver.try_recv() {
            }
            let event = Event::default().event("incidents").data("changed");
            Some((Ok(event), (receiver, closing)))
        },
    )
}
