//! Reading services: one by id (inside or outside a write) and pages of them, with each page's
//! tags and dependencies loaded in one query apiece rather than per row.
use std::collections::HashMap;

use tocsin_domain::id::{EscalationPolicyId, ServiceId, TeamId};
use tocsin_domain::values::{Description, HttpUrl, Name, Tag, Tier};
use uuid::Uuid;

use super::corrupt;
use super::services::Service;
use crate::Reader;
use crate::error::StoreError;
use crate::time::from_micros;
use crate::tx::Tx;

crate::sql_row! {
    struct ServiceRow {
        id: Uuid,
        name: String,
        description: String,
        team_id: Option<Uuid>,
        tier: i64,
        runbook_url: Option<String>,
        escalation_policy_id: Option<Uuid>,
        version: i64,
        created_at: i64,
        updated_at: i64,
    }
}

fn assemble(
    row: ServiceRow,
    tags: Vec<Tag>,
    depends_on: Vec<ServiceId>,
) -> Result<Service, StoreError> {
    Ok(Service {
        id: ServiceId(row.id),
        name: Name::parse(&row.name).map_err(|e| corrupt("service name", e))?,
        description: Description::parse(&row.description)
            .map_err(|e| corrupt("service description", e))?,
        team_id: row.team_id.map(TeamId),
        tier: Tier::parse(row.tier).map_err(|e| corrupt("service tier", e))?,
        runbook_url: row
            .runbook_url
            .as_deref()
            .map(HttpUrl::parse)
            .transpose()
            .map_err(|e| corrupt("runbook URL", e))?,
        tags,
        depends_on,
        escalation_policy_id: row.escalation_policy_id.map(EscalationPolicyId),
        version: row.version,
        created_at: from_micros(row.created_at),
        updated_at: from_micros(row.updated_at),
    })
}

fn parse_tag(raw: &str) -> Result<Tag, StoreError> {
    Tag::parse(raw).map_err(|e| corrupt("service tag", e))
}

const SELECT_BY_ID: &str = "SELECT id, name, description, team_id, tier, runbook_url, escalation_policy_id, version, created_at, updated_at \
    FROM services WHERE id = $1";
const TAGS_OF: &str = "SELECT tag FROM service_tags WHERE service_id = $1 ORDER BY tag";
const DEPS_OF: &str =
    "SELECT depends_on_id FROM service_dependencies WHERE service_id = $1 ORDER BY depends_on_id";
const LIST: &str = "SELECT id, name, description, team_id, tier, runbook_url, escalation_policy_id, version, created_at, updated_at \
    FROM services WHERE ($1 IS NULL OR team_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3";
const LIST_TAGS: &str = "SELECT service_id, tag FROM service_tags WHERE service_id IN \
    (SELECT id FROM services WHERE ($1 IS NULL OR team_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3) \
    ORDER BY service_id, tag";
const LIST_DEPS: &str = "SELECT service_id, depends_on_id FROM service_dependencies WHERE service_id IN \
    (SELECT id FROM services WHERE ($1 IS NULL OR team_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3) \
    ORDER BY service_id, depends_on_id";

/// Reads a service inside a write transaction.
pub(crate) async fn load(tx: &mut Tx, id: ServiceId) -> Result<Service, StoreError> {
    let row: Option<ServiceRow> = tx.fetch_optional(SELECT_BY_ID, crate::args![id.0]).await?;
    let row = row.ok_or(StoreError::NotFound("service"))?;
    let tags: Vec<String> = tx.scalars(TAGS_OF, crate::args![id.0]).await?;
    let deps: Vec<Uuid> = tx.scalars(DEPS_OF, crate::args![id.0]).await?;
    let tags = tags
        .iter()
        .map(|t| parse_tag(t))
        .collect::<Result<_, _>>()?;
    assemble(row, tags, deps.into_iter().map(ServiceId).collect())
}

pub async fn get_service(reader: Reader<'_>, id: ServiceId) -> Result<Service, StoreError> {
    let row: Option<ServiceRow> = reader
        .fetch_optional(SELECT_BY_ID, crate::args![id.0])
        .await?;
    let tags: Vec<String> = reader.scalars(TAGS_OF, crate::args![id.0]).await?;
    let deps: Vec<Uuid> = reader.scalars(DEPS_OF, crate::args![id.0]).await?;
    let row = row.ok_or(StoreError::NotFound("service"))?;
    let tags = tags
        .iter()
        .map(|t| parse_tag(t))
        .collect::<Result<_, _>>()?;
    assemble(row, tags, deps.into_iter().map(ServiceId).collect())
}

/// Services in id order after `after`, at most `limit`, optionally only those `team` owns. Tags
/// and dependencies of the whole page come in one query each.
pub async fn list_services(
    reader: Reader<'_>,
    team: Option<TeamId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Service>, StoreError> {
    let team = team.map(|t| t.0);
    type Pairs<T> = Vec<(Uuid, T)>;
    let rows: Vec<ServiceRow> = reader
        .fetch_all(LIST, crate::args![team, after, limit])
        .await?;
    let tags: Pairs<String> = reader
        .fetch_all(LIST_TAGS, crate::args![team, after, limit])
        .await?;
    let deps: Pairs<Uuid> = reader
        .fetch_all(LIST_DEPS, crate::args![team, after, limit])
        .await?;
    let mut tags_by: HashMap<Uuid, Vec<Tag>> = HashMap::new();
    for (service, tag) in tags {
        tags_by.entry(service).or_default().push(parse_tag(&tag)?);
    }
    let mut deps_by: HashMap<Uuid, Vec<ServiceId>> = HashMap::new();
    for (service, dep) in deps {
        deps_by.entry(service).or_default().push(ServiceId(dep));
    }
    rows.into_iter()
        .map(|row| {
            let tags = tags_by.remove(&row.id).unwrap_or_default();
            let deps = deps_by.remove(&row.id).unwrap_or_default();
            assemble(row, tags, deps)
        })
        .collect()
}
