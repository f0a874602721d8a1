//! `/api/v1/services`: the service catalog. A service's owning team's managers (or the manager org
//! role) change it; dependencies form a DAG and a cycle is refused naming the services in it.
use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tocsin_domain::access::Action;
use tocsin_domain::catalog::check_acyclic;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{ServiceId, TeamId};
use tocsin_domain::values::{Description, HttpUrl, Name, Tag, Tier};
use tocsin_store::StoreError;
// Through the catalog's re-exports: where the store keeps service reads is its own business.
use tocsin_store::catalog::{self, NewService, Service, ServicePatch};

use super::common::{Created, Versioned, conflict_at, location, nullable};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

const COLLECTION: &str = "/api/v1/services";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadCatalog);
    vec![
        route(Method::GET, "/api/v1/services", read(), list),
        route(
            Method::POST,
            "/api/v1/services",
            Guard::UserThenHandler,
            create,
        ),
        route(Method::GET, "/api/v1/services/{id}", read(), get),
        route(
            Method::PATCH,
            "/api/v1/services/{id}",
            Guard::UserThenHandler,
            update,
        ),
        route(
            Method::DELETE,
            "/api/v1/services/{id}",
            Guard::UserThenHandler,
            delete,
        ),
    ]
}

/// Managing a service is managing its owning team; an unowned service needs the manager org role.
pub fn authorize_owner(caller: &Caller, team: Option<TeamId>) -> Result<(), ApiError> {
    caller.authorize(team.map_or(Action::CreateTeam, Action::ManageTeam))
}

/// A service.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    /// Criticality: 1 (most critical) to 4.
    pub tier: u8,
    pub runbook_url: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Vec<String>)]
    pub depends_on: Vec<uuid::Uuid>,
    /// The default escalation policy (`PUT /api/v1/services/{id}/escalation-policy`).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub escalation_policy_id: Option<uuid::Uuid>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<Service> for ServiceView {
    fn from(s: Service) -> Self {
        Self {
            id: s.id.0,
            name: s.name.into(),
            description: s.description.into(),
            team_id: s.team_id.map(|t| t.0),
            tier: s.tier.get(),
            runbook_url: s.runbook_url.map(String::from),
            tags: s.tags.into_iter().map(String::from).collect(),
            depends_on: s.depends_on.into_iter().map(|d| d.0).collect(),
            escalation_policy_id: s.escalation_policy_id.map(|p| p.0),
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

pub(crate) fn versioned(service: Service) -> Versioned<ServiceView> {
    Versioned {
        version: service.version,
        body: service.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub name: String,
    pub description: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    /// 1 (most critical) to 4; 3 when omitted.
    pub tier: Option<i64>,
    pub runbook_url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Ids of the services this one depends on.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub depends_on: Vec<uuid::Uuid>,
}

/// A change; absent fields stay as they are, `null` clears `team_id` or `runbook_url`, and
/// `tags` and `depends_on` replace the whole set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<Option<uuid::Uuid>>,
    pub tier: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub runbook_url: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<String>>)]
    pub depends_on: Option<Vec<uuid::Uuid>>,
}

/// `?team_id=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Only services this team owns.
    pub team_id: Option<uuid::Uuid>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn parse_tags(errors: &mut Collector, raw: &[String]) -> Vec<Tag> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, tag)| errors.take(&format!("/tags/{i}"), Tag::parse(tag)))
        .collect()
}

fn parse_url(errors: &mut Collector, raw: Option<&str>) -> Option<HttpUrl> {
    raw.filter(|url| !url.trim().is_empty())
        .and_then(|url| errors.take("/runbook_url", HttpUrl::parse(url)))
}

fn ids(raw: &[uuid::Uuid]) -> Vec<ServiceId> {
    raw.iter().copied().map(ServiceId).collect()
}

/// List services, optionally only one team's.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", security(("bearer" = [])),
    params(ServiceQuery), responses((status = 200, body = inline(Page<ServiceView>))))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ServiceQuery>,
) -> Result<Json<Page<ServiceView>>, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let team = query.team_id.map(TeamId);
    let rows = catalog::list_services(state.store.reader(), team, page.after()?, limit + 1).await?;
    Ok(Json(
        Page::from_rows(rows, limit, |s| s.id.0).map(ServiceView::from),
    ))
}

/// Create a service.
#[utoipa::path(post, path = "/api/v1/services", tag = "catalog", security(("bearer" = [])),
    request_body = CreateService, responses(
    (status = 201, body = ServiceView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<CreateService>,
) -> Result<Created<ServiceView>, ApiError> {
    let team_id = input.team_id.map(TeamId);
    authorize_owner(&caller, team_id)?;
    let mut errors = Collector::default();
    let name = errors.take("/name", Name::parse(&input.name));
    let description = errors.take(
        "/description",
        Description::parse(input.description.as_deref().unwrap_or_default()),
    );
    let tier = errors.take("/tier", Tier::parse(input.tier.unwrap_or(3)));
    let runbook_url = parse_url(&mut errors, input.runbook_url.as_deref());
    let tags = parse_tags(&mut errors, &input.tags);
    errors.finish()?;
    let (Some(name), Some(description), Some(tier)) = (name, description, tier) else {
        return Err(ApiError::internal());
    };
    let new = NewService {
        name,
        description,
        team_id,
        tier,
        runbook_url,
        tags,
        depends_on: ids(&input.depends_on),
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let service = state
        .store
        .write(move |tx| {
            Box::pin(async move { catalog::create_service(tx, new, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Created {
        location: location(COLLECTION, service.id),
        version: service.version,
        body: service.into(),
    })
}

/// Read a service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = ServiceView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<ServiceView>, ApiError> {
    Ok(versioned(
        catalog::get_service(state.store.reader(), id).await?,
    ))
}

/// Change a service.
#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body = UpdateService, responses(
    (status = 200, body = ServiceView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<UpdateService>,
) -> Result<Versioned<ServiceView>, ApiError> {
    let current = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let new_team = input.team_id.map(|t| t.map(TeamId));
    if let Some(team) = new_team.filter(|t| *t != current.team_id) {
        authorize_owner(&caller, team)?;
    }
    let mut errors = Collector::default();
    let patch = ServicePatch {
        name: input
            .name
            .as_deref()
            .and_then(|raw| errors.take("/name", Name::parse(raw))),
        description: input
            .description
            .as_deref()
            .and_then(|raw| errors.take("/description", Description::parse(raw))),
        team_id: new_team,
        tier: input
            .tier
            .and_then(|raw| errors.take("/tier", Tier::parse(raw))),
        runbook_url: input
            .runbook_url
            .map(|url| parse_url(&mut errors, url.as_deref())),
        tags: input.tags.as_deref().map(|t| parse_tags(&mut errors, t)),
        depends_on: input.depends_on.as_deref().map(ids),
    };
    errors.finish()?;
    let requested = patch.depends_on.clone();
    let (actor, now) = (caller.actor(), state.clock.now());
    let outcome = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { catalog::update_service(tx, id, patch, expected, &actor, now).await },
            )
        })
        .await;
    match outcome {
        Ok(service) => Ok(versioned(service)),
        Err(StoreError::Invalid(invalid))
            if invalid
                .0
                .iter()
                .any(|e| e.pointer == "/depends_on" && e.detail.contains("cycle")) =>
        {
            let problem = ApiError::from(invalid);
            let cycle = cycle_members(&state, id, &requested.unwrap_or_default()).await;
            Err(match cycle {
                Some(cycle) => problem.with_extra(json!({ "cycle": cycle })),
                None => problem,
            })
        }
        Err(other) => Err(conflict_at("/name")(other)),
    }
}

/// The services of a rejected cycle with their names, recomputed from the committed graph (the
/// change was refused, so the graph is as it was).
async fn cycle_members(
    state: &AppState,
    service: ServiceId,
    depends_on: &[ServiceId],
) -> Option<Vec<serde_json::Value>> {
    let mut graph: BTreeMap<ServiceId, Vec<ServiceId>> = BTreeMap::new();
    let mut names: HashMap<ServiceId, String> = HashMap::new();
    let mut after = None;
    loop {
        let page = catalog::list_services(state.store.reader(), None, after, 500)
            .await
            .ok()?;
        let Some(last) = page.last().map(|s| s.id.0) else {
            break;
        };
        for s in page {
            names.insert(s.id, s.name.into());
            graph.insert(s.id, s.depends_on);
        }
        after = Some(last);
    }
    let cycle = check_acyclic(&graph, service, depends_on).err()?;
    Some(
        cycle
            .0
            .iter()
            .map(|id| json!({ "id": id, "name": names.get(id) }))
            .collect(),
    )
}

/// Delete a service nothing depends on (its integration keys go with it).
#[utoipa::path(delete, path = "/api/v1/services/{id}", tag = "catalog", security(("bearer" = [])),
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
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let current = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { catalog::delete_service(tx, id, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at(""))?;
    Ok(StatusCode::NO_CONTENT)
}
