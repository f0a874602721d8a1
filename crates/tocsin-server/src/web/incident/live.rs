//! `GET /incidents/{id}/live?after=N`: the incident's new timeline entries as server-sent events
//! (`event: entry`, data: one rendered `<li>`), which htmx appends to the page's timeline. Built
//! on the API's live timeline (`api::incident_live::entries`), so a viewer who may no longer see
//! the incident stops receiving entries, and a reconnecting browser resumes after its
//! `Last-Event-ID`.
use std::convert::Infallible;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tocsin_domain::access::Action;

use super::views::{EntryLine, NameBook, entry_line};
use super::{incident_id, no_such_incident, number_param, page_path};
use crate::api::events::EventView;
use crate::api::incident_live::{self, Watcher};
use crate::api::incidents::{viewer_of, visible_incident};
use crate::state::AppState;
use crate::web::chrome::{Viewer, api_problem};

/// One timeline entry: the same partial the page renders its entries with.
#[derive(Template)]
#[template(path = "incident/_entry.html")]
pub struct EntryItem<'a> {
    pub e: &'a EntryLine,
}

/// Streams the entries after `after` (or the browser's `Last-Event-ID`) as they are written.
pub async fn live(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(id) = incident_id(&raw) else {
        return no_such_incident(&viewer);
    };
    let opened = async {
        viewer.caller.authorize(Action::ReadAlerts)?;
        visible_incident(&state, &viewer.caller, id).await?;
        let after = number_param(query.as_deref(), "after", 0)?;
        incident_live::resume_after(&headers, after)
    };
    let after = match opened.await {
        Ok(after) => after,
        Err(error) => return api_problem(&viewer, error, &page_path(id)),
    };
    let watcher = Watcher::Person(viewer_of(&viewer.caller));
    let zone = viewer.zone.clone();
    let entries = incident_live::entries(state.clone(), id, watcher, after)
        .await
        .then(move |event| {
            let state = state.clone();
            let zone = zone.clone();
            async move { message(&state, event, &zone).await }
        });
    incident_live::sse(entries).into_response()
}

async fn message(
    state: &AppState,
    event: EventView,
    zone: &jiff::tz::TimeZone,
) -> Result<Event, Infallible> {
    let names = NameBook::fill(state, std::slice::from_ref(&event)).await;
    let line = entry_line(&event, &names, zone);
    Ok(match (EntryItem { e: &line }).render() {
        Ok(html) => Event::default()
            .event("entry")
            .id(event.seq.to_string())
            .data(html.trim()),
        Err(error) => {
            tracing::error!(%error, "a timeline entry failed to render");
            Event::default().comment("unrenderable entry")
        }
    })
}
