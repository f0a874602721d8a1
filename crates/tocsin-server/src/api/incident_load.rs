//! Responder load: who on this incident (and which team) is also engaged on other open
//! incidents. Restricted incidents the caller may not see are counted, never named.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::Visibility;
use tocsin_store::incident::{self, EngagedIncident};

use super::incidents::{viewer_of, visible_incident};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::PathId;
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![route(
        Method::GET,
        "/api/v1/incidents/{id}/load",
        Guard::Allow(Action::ReadAlerts),
        load,
    )]
}

/// Another open incident, named.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OtherIncident {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
}

/// Someone's (or a team's) other open incidents.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    /// How many other open incidents, hidden ones included.
    pub open_incidents: usize,
    /// Those the caller may see.
    pub incidents: Vec<OtherIncident>,
    /// Restricted incidents the caller may not see: counted, not named.
    pub hidden_incidents: usize,
}

/// A person engaged on the incident (a participant or role holder) and their other load.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonLoad {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    pub name: String,
    #[serde(flatten)]
    pub engagement: Engagement,
}

/// The team owning the incident's service and its services' other open incidents.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamLoad {
    #[schema(value_type = String, format = Uuid)]
    pub team_id: uuid::Uuid,
    pub name: String,
    #[serde(flatten)]
    pub engagement: Engagement,
}

/// The responder load around an incident.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentLoad {
    pub people: Vec<PersonLoad>,
    pub teams: Vec<TeamLoad>,
}

async fn engagement(
    state: &AppState,
    caller: &Caller,
    others: Vec<EngagedIncident>,
) -> Result<Engagement, ApiError> {
    let open_incidents = others.len();
    let viewer = viewer_of(caller);
    let mut incidents = Vec::new();
    for other in others {
        let visible = match (&other.visibility, &viewer) {
            (Visibility::Normal, _) => true,
            (_, None) => false,
            (_, Some(viewer)) => {
                incident::visible_to(state.store.reader(), other.id, viewer).await?
            }
        };
        if visible {
            incidents.push(OtherIncident {
                id: other.id.0,
                number: other.number,
                title: other.title,
                status: other.status.as_str().to_owned(),
            });
        }
    }
    Ok(Engagement {
        open_incidents,
        hidden_incidents: open_incidents - incidents.len(),
        incidents,
    })
}

/// For each participant and role holder, and for the team owning the incident's service, the
/// other open incidents (triggered to monitoring) they are engaged on: as participant, role
/// holder or owner of an unfinished task; for a team, its services' incidents.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/load", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentLoad),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn load(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentLoad>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let reader = state.store.reader();
    let mut people = Vec::new();
    for (user, name) in incident::engaged_people(reader, id).await? {
        let others = incident::other_incidents_of_person(reader, user, id).await?;
        people.push(PersonLoad {
            user_id: user.0,
            name,
            engagement: engagement(&state, &caller, others).await?,
        });
    }
    let mut teams = Vec::new();
    if let Some((team, name)) = incident::owning_team(reader, id).await? {
        let others = incident::other_incidents_of_team(reader, team, id).await?;
        teams.push(TeamLoad {
            team_id: team.0,
            name,
            engagement: engagement(&state, &caller, others).await?,
        });
    }
    Ok(Json(IncidentLoad { people, teams }))
}
