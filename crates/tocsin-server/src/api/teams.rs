//! `/api/v1/teams`: teams of people that own services. Managers create and delete teams; a team's
//! own managers may change it.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::error::Collector;
use tocsin_domain::id::TeamId;
use tocsin_domain::values::{Description, Name};
use tocsin_store::catalog::teams::{self, NewTeam, Team, TeamPatch};

use super::common::{Created, Versioned, conflict_at, location};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

const COLLECTION: &str = "/api/v1/teams";

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/teams",
            Guard::Allow(Action::ReadCatalog),
            list,
        ),
        route(
            Method::POST,
            "/api/v1/teams",
            Guard::Allow(Action::CreateTeam),
            create,
        ),
        route(
            Method::GET,
            "/api/v1/teams/{id}",
            Guard::Allow(Action::ReadCatalog),
            get,
        ),
        route(
            Method::PATCH,
            "/api/v1/teams/{id}",
            Guard::UserThenHandler,
            update,
        ),
        route(
            Method::DELETE,
            "/api/v1/teams/{id}",
            Guard::UserThenHandler,
            delete,
        ),
    ]
}

/// A team.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<Team> for TeamView {
    fn from(team: Team) -> Self {
        Self {
            id: team.id.0,
            name: team.name.into(),
            description: team.description.into(),
            version: team.version,
            created_at: team.created_at,
            updated_at: team.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// List teams.
#[utoipa::path(get, path = "/api/v1/teams", tag = "catalog", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = inline(Page<TeamView>))))]
pub async fn list(
    State(state): State<AppState>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<TeamView>>, ApiError> {
    let limit = page.limit()?;
    let rows = teams::list_teams(state.store.reader(), page.after()?, limit + 1).await?;
    Ok(Json(
        Page::from_rows(rows, limit, |t| t.id.0).map(TeamView::from),
    ))
}

/// Create a team.
#[utoipa::path(post, path = "/api/v1/teams", tag = "catalog", security(("bearer" = [])),
    request_body = CreateTeam, responses(
    (status = 201, body = TeamView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<CreateTeam>,
) -> Result<Created<TeamView>, ApiError> {
    let mut errors = Collector::default();
    let name = errors.take("/name", Name::parse(&input.name));
    let description = errors.take(
        "/description",
        Description::parse(input.description.as_deref().unwrap_or_default()),
    );
    errors.finish()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(ApiError::internal());
    };
    let new = NewTeam { name, description };
    let (actor, now) = (caller.actor(), state.clock.now());
    let team = state
        .store
        .write(move |tx| Box::pin(async move { teams::create_team(tx, new, &actor, now).await }))
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Created {
        location: location(COLLECTION, team.id),
        version: team.version,
        body: team.into(),
    })
}

/// Read a team.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = TeamView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<TeamId>,
) -> Result<Versioned<TeamView>, ApiError> {
    let team = teams::get_team(state.store.reader(), id).await?;
    Ok(Versioned {
        version: team.version,
        body: team.into(),
    })
}

/// Change a team (its managers, or the manager org role).
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body = UpdateTeam, responses(
    (status = 200, body = TeamView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TeamId>,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<UpdateTeam>,
) -> Result<Versioned<TeamView>, ApiError> {
    caller.authorize(Action::ManageTeam(id))?;
    let mut errors = Collector::default();
    let patch = TeamPatch {
        name: input
            .name
            .as_deref()
            .and_then(|raw| errors.take("/name", Name::parse(raw))),
        description: input
            .description
            .as_deref()
            .and_then(|raw| errors.take("/description", Description::parse(raw))),
    };
    errors.finish()?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let team = state
        .store
        .write(move |tx| {
            Box::pin(async move { teams::update_team(tx, id, patch, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Versioned {
        version: team.version,
        body: team.into(),
    })
}

/// Delete a team that owns no services.
#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)), responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TeamId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    caller.authorize(Action::DeleteTeam(id))?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { teams::delete_team(tx, id, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at(""))?;
    Ok(StatusCode::NO_CONTENT)
}
