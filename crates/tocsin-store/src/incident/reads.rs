//! Reading incidents: one by id, whether a viewer may see one, and the triage queue (the
//! filtered list is in `listing`).
use tocsin_domain::id::{IncidentId, ServiceId, UserId};
use tocsin_domain::incident::visibility::{Audience, Viewer, may_see};
use tocsin_domain::incident::{IncidentStatus, Visibility};
use uuid::Uuid;

use super::Incident;
use crate::Reader;
use crate::classification::{Classification, from_rank};
use crate::error::StoreError;
use crate::time::from_micros;

macro_rules! columns {
    () => {
        "id, number, service_id, title, severity, status, alert_count, open_alert_count, \
    folded_alerts, grouping_key, resolve_due_at, page_after, created_at, acknowledged_at, resolved_at, \
    updated_at, summary, incident_type, visibility, visible_to_roles, tags, parent_id, merged_into, \
    declared_by, closed_at, priority, priority_reason, priority_source, category, attribution, taxonomy_version, \
    initial_priority, initial_category, is_major, major_reason, temporary_p1_until, \
    temporary_p1_previous, triage_state, triage_suggestion, customers_affected, \
    revenue_per_hour_minor, regulatory_exposure, urgency"
    };
}
pub(super) use columns;
const GET: &str = concat!("SELECT ", columns!(), " FROM incidents WHERE id = $1");
/// Restricted incidents only for their participants and the organisation roles named on them:
/// `$role` binds the viewer's role as a `%"role"%` pattern, `$user` their user id.
macro_rules! visible {
    ($role:literal, $user:literal) => {
        concat!(
            "(visibility = 'normal' OR visible_to_roles LIKE ",
            $role,
            " OR EXISTS (SELECT 1 FROM incident_participants p \
             WHERE p.incident_id = incidents.id AND p.user_id = ",
            $user,
            "))"
        )
    };
}
pub(super) use visible;
const TRIAGE_QUEUE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM incidents WHERE triage_state = 'needs_review' AND ($1 IS NULL OR id < $1) AND ",
    visible!("$3", "$4"),
    " ORDER BY id DESC LIMIT $2"
);

/// The columns every incident read selects (for the list texts built in `listing`).
pub(super) const COLUMNS: &str = columns!();
/// `visible!` with the viewer's role pattern at `$2` and user id at `$3`.
pub(super) const VISIBLE_TO_2_3: &str = visible!("$2", "$3");

crate::sql_row! {
    pub(super) struct IncidentRow {
        id: Uuid,
        number: i64,
        service_id: Uuid,
        title: String,
        severity: String,
        status: String,
        alert_count: i64,
        open_alert_count: i64,
        folded_alerts: i64,
        grouping_key: Option<String>,
        resolve_due_at: Option<i64>,
        page_after: Option<i64>,
        created_at: i64,
        acknowledged_at: Option<i64>,
        resolved_at: Option<i64>,
        updated_at: i64,
        summary: String,
        incident_type: String,
        visibility: String,
        visible_to_roles: String,
        tags: String,
        parent_id: Option<Uuid>,
        merged_into: Option<Uuid>,
        declared_by: Option<String>,
        closed_at: Option<i64>,
        priority: Option<i64>,
        priority_reason: Option<String>,
        priority_source: Option<String>,
        category: Option<String>,
        attribution: Option<String>,
        taxonomy_version: Option<i64>,
        initial_priority: Option<i64>,
        initial_category: Option<String>,
        is_major: i64,
        major_reason: Option<String>,
        temporary_p1_until: Option<i64>,
        temporary_p1_previous: Option<i64>,
        triage_state: String,
        triage_suggestion: Option<String>,
        customers_affected: Option<i64>,
        revenue_per_hour_minor: Option<i64>,
        regulatory_exposure: i64,
        urgency: Option<i64>,
    }
}

impl IncidentRow {
    pub(super) fn into_incident(self) -> Result<Incident, StoreError> {
        let corrupt = |what: &str| {
            StoreError::Corrupt(format!("incident {} has an unreadable {what}", self.id))
        };
        let classification = Classification {
            priority: from_rank(self.id, self.priority)?,
            priority_reason: match &self.priority_reason {
                None => Vec::new(),
                Some(text) => serde_json::from_str(text).map_err(|_| corrupt("priority reason"))?,
            },
            priority_source: self.priority_source,
            category: self.category,
            attribution: self.attribution,
            taxonomy_version: self.taxonomy_version,
            initial_priority: from_rank(self.id, self.initial_priority)?,
            initial_category: self.initial_category,
            is_major: self.is_major != 0,
            major_reason: self.major_reason,
            temporary_p1_until: self.temporary_p1_until.map(from_micros),
            temporary_p1_previous: from_rank(self.id, self.temporary_p1_previous)?,
            triage_state: self.triage_state,
            triage_suggestion: match &self.triage_suggestion {
                None => None,
                Some(text) => {
                    Some(serde_json::from_str(text).map_err(|_| corrupt("triage suggestion"))?)
                }
            },
            customers_affected: self.customers_affected,
            revenue_per_hour_minor: self.revenue_per_hour_minor,
            regulatory_exposure: self.regulatory_exposure != 0,
            urgency: self.urgency,
        };
        Ok(Incident {
            classification,
            id: IncidentId(self.id),
            number: self.number,
            service_id: ServiceId(self.service_id),
            severity: self.severity.parse().map_err(|_| corrupt("severity"))?,
            status: IncidentStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            title: self.title,
            alert_count: self.alert_count,
            open_alert_count: self.open_alert_count,
            folded_alerts: self.folded_alerts,
            grouping_key: self.grouping_key,
            resolve_due_at: self.resolve_due_at.map(from_micros),
            page_after: self.page_after.map(from_micros),
            created_at: from_micros(self.created_at),
            acknowledged_at: self.acknowledged_at.map(from_micros),
            resolved_at: self.resolved_at.map(from_micros),
            updated_at: from_micros(self.updated_at),
            visibility: Visibility::parse(&self.visibility).ok_or_else(|| corrupt("visibility"))?,
            visible_to_roles: serde_json::from_str(&self.visible_to_roles)
                .map_err(|_| corrupt("visible_to_roles"))?,
            tags: serde_json::from_str(&self.tags).map_err(|_| corrupt("tags"))?,
            summary: self.summary,
            incident_type: self.incident_type,
            parent_id: self.parent_id.map(IncidentId),
            merged_into: self.merged_into.map(IncidentId),
            declared_by: self.declared_by,
            closed_at: self.closed_at.map(from_micros),
        })
    }
}

pub async fn get(reader: Reader<'_>, id: IncidentId) -> Result<Incident, StoreError> {
    let row: Option<IncidentRow> = reader.fetch_optional(GET, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("incident"))?.into_incident()
}

/// Up to `limit` incidents related to `id`: its child incidents and the duplicates merged into
/// it, by number (both read through their partial indexes). The caller checks each one's
/// visibility.
pub async fn related(
    reader: Reader<'_>,
    id: IncidentId,
    limit: i64,
) -> Result<Vec<IncidentId>, StoreError> {
    let ids: Vec<Uuid> = reader
        .scalars(
            "SELECT id FROM (SELECT id, number FROM incidents WHERE parent_id = $1 \
             UNION SELECT id, number FROM incidents WHERE merged_into = $1) AS r \
             ORDER BY number LIMIT $2",
            crate::args![id.0, limit],
        )
        .await?;
    Ok(ids.into_iter().map(IncidentId).collect())
}

/// Whether `viewer` may see the incident (a missing incident answers `NotFound`).
pub async fn visible_to(
    reader: Reader<'_>,
    id: IncidentId,
    viewer: &Viewer,
) -> Result<bool, StoreError> {
    let incident = get(reader, id).await?;
    may_view(reader, &incident, viewer).await
}

/// Whether `viewer` may see `incident`, already read: its participants are read only when it is
/// restricted.
pub async fn may_view(
    reader: Reader<'_>,
    incident: &Incident,
    viewer: &Viewer,
) -> Result<bool, StoreError> {
    if incident.visibility == Visibility::Normal {
        return Ok(true);
    }
    let participants: Vec<Uuid> = reader
        .scalars(
            "SELECT user_id FROM incident_participants WHERE incident_id = $1",
            crate::args![incident.id.0],
        )
        .await?;
    let participants: Vec<UserId> = participants.into_iter().map(UserId).collect();
    let audience = Audience {
        visibility: incident.visibility,
        participants: &participants,
        roles: &incident.visible_to_roles,
    };
    Ok(may_see(&audience, viewer))
}

/// Incidents auto-triage could not classify confidently, waiting for review, newest first.
pub async fn triage_queue(
    reader: Reader<'_>,
    viewer: Option<Viewer>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let (role_pattern, user) = viewer_args(viewer);
    let rows: Vec<IncidentRow> = reader
        .fetch_all(
            TRIAGE_QUEUE,
            crate::args![before, limit, role_pattern, user],
        )
        .await?;
    rows.into_iter().map(IncidentRow::into_incident).collect()
}

/// The arguments of `visible!`: the viewer's role as a pattern over the stored JSON array of
/// quoted role names (`["admin"]`), and their user id (none: only normal incidents match).
pub(super) fn viewer_args(viewer: Option<Viewer>) -> (String, Option<Uuid>) {
    let pattern = viewer.map_or_else(|| "-".to_owned(), |v| format!("%\"{}\"%", v.role.as_str()));
    (pattern, viewer.and_then(|v| v.user).map(|u| u.0))
}
