//! `/api/v1/users`: the user directory. Admins create, change and deactivate users; role changes
//! also need the policy's consent for that role; the last active owner cannot be removed.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::catalog::OrgRole;
use tocsin_domain::error::Collector;
use tocsin_domain::escalation::normalise_skill;
use tocsin_domain::id::UserId;
use tocsin_domain::values::TimeZoneName;
use tocsin_domain::values::{Email, Name, Password, ValueError};
use tocsin_store::catalog::users::{self, NewUser, User, UserPatch};
use tocsin_store::escalation::{self, RefKind};
use tocsin_store::schedule;

use super::common::{Created, Versioned, conflict, conflict_at, location};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

const COLLECTION: &str = "/api/v1/users";

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/api/v1/users",
            Guard::Allow(Action::ReadUsers),
            list,
        ),
        route(
            Method::POST,
            "/api/v1/users",
            Guard::Allow(Action::ManageUsers),
            create,
        ),
        route(
            Method::GET,
            "/api/v1/users/{id}",
            Guard::Allow(Action::ReadUsers),
            get,
        ),
        route(
            Method::PATCH,
            "/api/v1/users/{id}",
            Guard::Allow(Action::ManageUsers),
            update,
        ),
    ]
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    #[schema(value_type = String, example = "responder")]
    pub role: OrgRole,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    pub active: bool,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.into(),
            name: user.name.into(),
            role: user.role,
            time_zone: user.time_zone,
            active: user.active,
            version: user.version,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

fn versioned(user: User) -> Versioned<UserView> {
    Versioned {
        version: user.version,
        body: user.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    /// owner, admin, manager, responder, observer or stakeholder.
    pub role: String,
    /// IANA time zone; UTC when omitted.
    pub time_zone: Option<String>,
    /// At least 12 characters; omit for a user who cannot sign in with a password yet.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub time_zone: Option<String>,
    /// `false` deactivates the user: they can no longer sign in or use tokens.
    pub active: Option<bool>,
}

fn parse_time_zone(raw: &str) -> Result<TimeZoneName, ValueError> {
    TimeZoneName::parse(raw)
}

/// `?skill=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Only users with this skill (case-insensitive), e.g. `postgres`: who an escalation step
    /// targeting the skill would page.
    pub skill: Option<String>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List users, optionally only those with a skill.
#[utoipa::path(get, path = "/api/v1/users", tag = "catalog", security(("bearer" = [])),
    params(UserQuery), responses(
    (status = 200, body = inline(Page<UserView>)),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<UserQuery>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.after()?);
    let reader = state.store.reader();
    let rows = match query.skill.as_deref() {
        None => users::list_users(reader, after, limit + 1).await?,
        Some(raw) => {
            let skill = normalise_skill(raw).map_err(|e| ApiError::field("/skill", e))?;
            users::list_users_with_skill(reader, &skill, after, limit + 1).await?
        }
    };
    Ok(Json(
        Page::from_rows(rows, limit, |u| u.id.0).map(UserView::from),
    ))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "catalog", security(("bearer" = [])),
    request_body = CreateUser, responses(
    (status = 201, body = UserView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<CreateUser>,
) -> Result<Created<UserView>, ApiError> {
    let mut errors = Collector::default();
    let email = errors.take("/email", Email::parse(&input.email));
    let name = errors.take("/name", Name::parse(&input.name));
    let role = errors.take("/role", OrgRole::parse(&input.role));
    let time_zone = errors.take(
        "/time_zone",
        parse_time_zone(input.time_zone.as_deref().unwrap_or("UTC")),
    );
    let password = match input.password.as_deref() {
        Some(raw) => errors.take("/password", Password::parse(raw)).map(Some),
        None => Some(None),
    };
    errors.finish()?;
    let (Some(email), Some(name), Some(role), Some(time_zone), Some(password)) =
        (email, name, role, time_zone, password)
    else {
        return Err(ApiError::internal());
    };
    caller.authorize(Action::AssignOrgRole {
        from: None,
        to: role,
    })?;
    let password_hash = match password {
        Some(password) => Some(
            tokio::task::spawn_blocking(move || crate::auth::password::hash(password.expose()))
                .await
                .map_err(|_| ApiError::internal())?
                .map_err(|_| ApiError::internal())?,
        ),
        None => None,
    };
    let new = NewUser {
        email,
        name,
        role,
        time_zone,
        password_hash,
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let user = state
        .store
        .write(move |tx| Box::pin(async move { users::create_user(tx, new, &actor, now).await }))
        .await
        .map_err(conflict_at("/email"))?;
    Ok(Created {
        location: location(COLLECTION, user.id),
        version: user.version,
        body: user.into(),
    })
}

/// Read a user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = UserView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<UserId>,
) -> Result<Versioned<UserView>, ApiError> {
    Ok(versioned(users::get_user(state.store.reader(), id).await?))
}

/// Change or deactivate a user.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body = UpdateUser, responses(
    (status = 200, body = UserView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<UpdateUser>,
) -> Result<Versioned<UserView>, ApiError> {
    let mut errors = Collector::default();
    let patch = UserPatch {
        email: input
            .email
            .as_deref()
            .and_then(|raw| errors.take("/email", Email::parse(raw))),
        name: input
            .name
            .as_deref()
            .and_then(|raw| errors.take("/name", Name::parse(raw))),
        role: input
            .role
            .as_deref()
            .and_then(|raw| errors.take("/role", OrgRole::parse(raw))),
        time_zone: input
            .time_zone
            .as_deref()
            .and_then(|raw| errors.take("/time_zone", parse_time_zone(raw))),
        active: input.active,
    };
    errors.finish()?;
    let current = users::get_user(state.store.reader(), id).await?;
    let new_role = patch.role.unwrap_or(current.role);
    // Changing the role, or touching an owner at all, needs the policy's consent for that role.
    if new_role != current.role || current.role == OrgRole::Owner {
        caller.authorize(Action::AssignOrgRole {
            from: Some(current.role),
            to: new_role,
        })?;
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    let user = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                let before = users::get_user_in(tx, id).await?;
                let demoted = patch.role.is_some_and(|r| r != OrgRole::Owner);
                let deactivated = patch.active == Some(false);
                if before.role == OrgRole::Owner
                    && before.active
                    && (demoted || deactivated)
                    && users::count_active_owners(tx).await? <= 1
                {
                    let field = if demoted { "/role" } else { "/active" };
                    let why = "this is the last active owner; appoint another owner first";
                    return Ok(Err((field, why.to_owned())));
                }
                if deactivated && before.active {
                    let schedules = schedule::schedules_naming_user(tx, id, now).await?;
                    if !schedules.is_empty() {
                        return Ok(Err(("/active", on_schedules(&before.name, &schedules))));
                    }
                    let policies = escalation::policies_naming(tx, RefKind::User, id.0).await?;
                    if !policies.is_empty() {
                        return Ok(Err(("/active", on_policies(&before.name, &policies))));
                    }
                }
                users::update_user(tx, id, patch, expected, &actor, now)
                    .await
                    .map(Ok)
            })
        })
        .await
        .map_err(conflict_at("/email"))?
        .map_err(|(field, why)| conflict(field, why))?;
    Ok(versioned(user))
}

/// Why a user an escalation policy pages cannot be deactivated: the step would page nobody.
fn on_policies(name: &Name, policies: &[String]) -> String {
    format!(
        "{name} is paged by the escalation policies {}; take them out of those policies before \
         deactivating them",
        policies.join(", ")
    )
}

/// Why a user on schedules cannot be deactivated: PagerDuty would drop them from the rotations
/// silently; Tocsin asks for the schedules to be changed first, so no turn goes to someone who can
/// no longer be reached.
fn on_schedules(name: &Name, schedules: &[String]) -> String {
    format!(
        "{name} is on call in the schedules {}; take them out of those schedules (rotations, \
         temporary schedules, upcoming overrides) before deactivating them",
        schedules.join(", ")
    )
}
