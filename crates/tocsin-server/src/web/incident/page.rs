//! `GET /incidents/{id}`: loads the incident and its panels through the JSON API's handlers (so
//! the viewer sees exactly what the API would show them) and renders the page.
use std::collections::VecDeque;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::id::IncidentId;
use tocsin_domain::roles::STANDARD_ROLES;

use super::panels::{
    ClockLine, LinkLine, RoleLine, ServiceLine, TaskLine, clock_line, cost_line, role_line,
    task_line,
};
use super::views::{self, EntryLine, NameBook};
use super::{incident_id, no_such_incident, number_param, page_path};
use crate::api::events::EventView;
use crate::api::incident_cadence::IncidentCadenceView;
use crate::api::incident_people::ParticipantView;
use crate::api::incident_resolution::ResolutionView;
use crate::api::incidents::{IncidentView, visible_incident};
use crate::api::{
    incident_cadence, incident_cost, incident_people, incident_resolution, incident_tasks,
    incidents, regulatory, roles, users,
};
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, api_problem, render};
use crate::web::clock;

/// Timeline entries shown at once.
const SHOWN: usize = 50;
/// Entries read per query while finding the newest.
const BATCH: i64 = 200;
/// The most entries read to find the newest; longer timelines page with `?from=`.
const SCAN_LIMIT: i64 = 10_000;
/// People offered in the pickers.
const PEOPLE: i64 = 200;

/// Statuses the status form offers (closing has its own form).
pub const STATUSES: [&str; 7] = [
    "acknowledged",
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "declined",
    "canceled",
];

#[derive(Template)]
#[template(path = "incident/page.html")]
pub struct IncidentPage {
    pub chrome: Chrome,
    pub inc: IncidentView,
    pub path: String,
    pub created: String,
    pub acknowledged: String,
    pub resolved: String,
    pub services: Vec<ServiceLine>,
    pub entries: Vec<EntryLine>,
    /// `?from=` of the entries before those shown.
    pub earlier: Option<i64>,
    /// `?from=` of the entries after those shown (none: the newest are shown, live).
    pub later: Option<i64>,
    pub last_seq: i64,
    pub roles: Vec<RoleLine>,
    pub participants: Vec<ParticipantView>,
    pub tasks: Vec<TaskLine>,
    pub clocks: Vec<ClockLine>,
    pub cost: Option<(String, String, String)>,
    pub cadence: Option<IncidentCadenceView>,
    pub resolution: Option<ResolutionView>,
    pub related: Vec<LinkLine>,
    pub can_act: bool,
    pub role_options: Vec<(String, String)>,
    pub people: Vec<(uuid::Uuid, String)>,
    pub statuses: &'static [&'static str],
}

impl IncidentPage {
    /// Whether a resolve form must ask for the resolution record.
    pub fn asks_for_record(&self) -> bool {
        self.resolution
            .as_ref()
            .is_some_and(|r| r.record_required && r.record.is_none())
    }

    pub fn is_open(&self) -> bool {
        !matches!(
            self.inc.status.as_str(),
            "resolved" | "closed" | "declined" | "canceled" | "merged"
        )
    }
}

/// The incident page; 404 (the same as the API) when the viewer may not see the incident.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(id) = incident_id(&raw) else {
        return no_such_incident(&viewer);
    };
    let from = match number_param(query.as_deref(), "from", 1) {
        Ok(from) => from,
        Err(error) => return api_problem(&viewer, error, &page_path(id)),
    };
    match load(&state, &viewer, id, from).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/incidents"),
    }
}

/// A panel's data, or nothing when the viewer may not see it or it failed (logged).
fn panel<T>(outcome: Result<axum::Json<T>, ApiError>) -> Option<T> {
    match outcome {
        Ok(axum::Json(value)) => Some(value),
        Err(error) => {
            if error.kind.status().is_server_error() {
                tracing::warn!(detail = %error.detail, "an incident page panel failed");
            }
            None
        }
    }
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: IncidentId,
    from: Option<i64>,
) -> Result<IncidentPage, ApiError> {
    viewer.caller.authorize(Action::ReadAlerts)?;
    let caller = || viewer.caller.clone();
    let st = || State(state.clone());
    let axum::Json(inc) = incidents::get(st(), caller(), PathId(id)).await?;
    let (shown, earlier, later) = timeline(state, id, from).await?;
    let names = NameBook::fill(state, &shown).await;
    let last_seq = shown.last().map_or(from.unwrap_or(1) - 1, |e| e.seq);
    let zone = &viewer.zone;
    let entries = shown
        .iter()
        .map(|e| views::entry_line(e, &names, zone))
        .collect();
    let roles = panel(incident_people::roles(st(), caller(), PathId(id)).await)
        .map(|r| r.current.into_iter().map(|a| role_line(a, zone)).collect())
        .unwrap_or_default();
    let participants = panel(incident_people::participants(st(), caller(), PathId(id)).await)
        .map(|p| p.items)
        .unwrap_or_default();
    let people = if viewer.at_least(OrgRole::Responder) {
        people(state).await
    } else {
        Vec::new()
    };
    let tasks = panel(incident_tasks::list(st(), caller(), PathId(id)).await)
        .map(|t| t.items.into_iter().map(|t| task_line(t, &people)).collect())
        .unwrap_or_default();
    let clocks = panel(regulatory::profile::get_regulatory(st(), caller(), PathId(id)).await)
        .map(|r| {
            r.obligations
                .into_iter()
                .map(|o| clock_line(o, zone))
                .collect()
        })
        .unwrap_or_default();
    let cost = panel(incident_cost::incident_cost(st(), caller(), PathId(id)).await).map(cost_line);
    let services = tocsin_store::incident::affected_services(state.store.reader(), id)
        .await?
        .into_iter()
        .map(|s| ServiceLine {
            name: s.name,
            team: s.team.map(|(_, name)| name).unwrap_or_default(),
            primary: s.primary,
        })
        .collect();
    Ok(IncidentPage {
        chrome: viewer.chrome(Section::Incidents),
        path: page_path(id),
        created: clock::seconds(inc.created_at, zone),
        acknowledged: views::maybe_when(inc.acknowledged_at, zone),
        resolved: views::maybe_when(inc.resolved_at, zone),
        related: related(state, viewer, &inc).await?,
        services,
        entries,
        earlier,
        later,
        last_seq,
        roles,
        participants,
        tasks,
        clocks,
        cost,
        cadence: panel(incident_cadence::get_cadence(st(), caller(), PathId(id)).await),
        resolution: panel(incident_resolution::get(st(), caller(), PathId(id)).await),
        can_act: viewer.at_least(OrgRole::Responder),
        role_options: if viewer.at_least(OrgRole::Responder) {
            role_options(state).await
        } else {
            Vec::new()
        },
        people,
        statuses: &STATUSES,
        inc,
    })
}

/// The entries to show: `SHOWN` from `from`, or else the newest `SHOWN`; with the `?from=` of
/// the entries before and after them.
async fn timeline(
    state: &AppState,
    id: IncidentId,
    from: Option<i64>,
) -> Result<(Vec<EventView>, Option<i64>, Option<i64>), ApiError> {
    let read = |after: i64, limit: i64| {
        tocsin_store::events::read_stream(state.store.reader(), id.0, after, limit)
    };
    let shown_len = i64::try_from(SHOWN).unwrap_or(50);
    let (shown, later): (Vec<EventView>, Option<i64>) = match from {
        Some(from) => {
            let mut page: Vec<EventView> = read(from - 1, shown_len + 1)
                .await?
                .into_iter()
                .map(EventView::from)
                .collect();
            let later = (page.len() > SHOWN).then(|| from + shown_len);
            page.truncate(SHOWN);
            (page, later)
        }
        None => {
            let mut tail: VecDeque<EventView> = VecDeque::with_capacity(SHOWN + 1);
            let mut after = 0;
            loop {
                let batch = read(after, BATCH).await?;
                let full = i64::try_from(batch.len()).unwrap_or(0) == BATCH;
                for event in batch {
                    after = event.seq;
                    tail.push_back(event.into());
                    if tail.len() > SHOWN {
                        tail.pop_front();
                    }
                }
                if !full {
                    break (tail.into(), None);
                }
                if after >= SCAN_LIMIT {
                    // Very long timeline: show this window, with a link onwards.
                    break (tail.into(), Some(after + 1));
                }
            }
        }
    };
    let earlier = shown
        .first()
        .filter(|first| first.seq > 1)
        .map(|first| (first.seq - shown_len).max(1));
    Ok((shown, earlier, later))
}

/// The parent, the incident this one was merged into, children and merged duplicates that the
/// viewer may see.
async fn related(
    state: &AppState,
    viewer: &Viewer,
    inc: &IncidentView,
) -> Result<Vec<LinkLine>, ApiError> {
    let mut wanted: Vec<(IncidentId, &'static str)> = Vec::new();
    wanted.extend(inc.parent_id.map(|p| (IncidentId(p), "parent")));
    wanted.extend(inc.merged_into.map(|p| (IncidentId(p), "merged into")));
    let others =
        tocsin_store::incident::related(state.store.reader(), IncidentId(inc.id), 50).await?;
    wanted.extend(others.into_iter().map(|id| (id, "related")));
    let mut lines = Vec::new();
    for (id, relation) in wanted {
        let Ok(found) = visible_incident(state, &viewer.caller, id).await else {
            continue;
        };
        let relation = match (relation, found.parent_id, found.merged_into) {
            ("related", Some(p), _) if p.0 == inc.id => "child",
            ("related", _, Some(m)) if m.0 == inc.id => "duplicate merged here",
            (relation, _, _) => relation,
        };
        lines.push(LinkLine {
            href: page_path(found.id),
            number: found.number,
            status: found.status.as_str().to_owned(),
            title: found.title,
            relation,
        });
    }
    Ok(lines)
}

/// Active people to pick from (the first `PEOPLE` by the API's order).
async fn people(state: &AppState) -> Vec<(uuid::Uuid, String)> {
    let query = users::UserQuery {
        skill: None,
        limit: Some(PEOPLE),
        cursor: None,
    };
    panel(users::list(State(state.clone()), Query(query)).await)
        .map(|page| {
            page.items
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id, u.name))
                .collect()
        })
        .unwrap_or_default()
}

/// The standard incident roles, then the organisation's own.
async fn role_options(state: &AppState) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = STANDARD_ROLES
        .iter()
        .map(|r| (r.slug.to_owned(), r.name.to_owned()))
        .collect();
    let query = roles::crud::RoleQuery {
        limit: Some(200),
        cursor: None,
    };
    if let Some(page) = panel(roles::crud::list(State(state.clone()), Query(query)).await) {
        options.extend(
            page.items
                .into_iter()
                .filter(|r| !options.iter().any(|(slug, _)| *slug == r.slug))
                .map(|r| (r.slug, r.name))
                .collect::<Vec<_>>(),
        );
    }
    options
}
