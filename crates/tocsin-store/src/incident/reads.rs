//! Reading incidents: one by id, pages filtered by status and service, newest first.
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::incident::IncidentStatus;
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
    updated_at, priority, priority_reason, priority_source, category, attribution, taxonomy_version, \
    initial_priority, initial_category, is_major, major_reason, temporary_p1_until, \
    temporary_p1_previous, triage_state, triage_suggestion, customers_affected, \
    revenue_per_hour_minor, regulatory_exposure, urgency"
    };
}
const GET: &str = concat!("SELECT ", columns!(), " FROM incidents WHERE id = $1");
const LIST: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM incidents WHERE ($1 IS NULL OR status = $1) \
    AND ($2 IS NULL OR service_id = $2) AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
);
const TRIAGE_QUEUE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM incidents WHERE triage_state = 'needs_review' AND ($1 IS NULL OR id < $1) \
    ORDER BY id DESC LIMIT $2"
);

crate::sql_row! {
    struct IncidentRow {
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
    fn into_incident(self) -> Result<Incident, StoreError> {
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
        })
    }
}

/// Which incidents a list returns.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub status: Option<IncidentStatus>,
    pub service_id: Option<ServiceId>,
}

pub async fn get(reader: Reader<'_>, id: IncidentId) -> Result<Incident, StoreError> {
    let row: Option<IncidentRow> = reader.fetch_optional(GET, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("incident"))?.into_incident()
}

/// Up to `limit` incidents matching `filter`, newest first, after the cursor id `before`.
pub async fn list(
    reader: Reader<'_>,
    filter: &IncidentFilter,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let status = filter.status.map(IncidentStatus::as_str);
    let service = filter.service_id.map(|s| s.0);
    let rows: Vec<IncidentRow> = reader
        .fetch_all(LIST, crate::args![status, service, before, limit])
        .await?;
    rows.into_iter().map(IncidentRow::into_incident).collect()
}

/// Incidents auto-triage could not classify confidently, waiting for review, newest first.
pub async fn triage_queue(
    reader: Reader<'_>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let rows: Vec<IncidentRow> = reader
        .fetch_all(TRIAGE_QUEUE, crate::args![before, limit])
        .await?;
    rows.into_iter().map(IncidentRow::into_incident).collect()
}
