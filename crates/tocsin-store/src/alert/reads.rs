//! Reading alerts: one by id, pages filtered by state and service, the open alert under a key.
use tocsin_domain::alerting::FieldMap;
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::alerting::hold::HoldKind;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{AlertId, IncidentId, IntegrationKeyId, ServiceId};
use uuid::Uuid;

use super::Alert;
use crate::Reader;
use crate::error::StoreError;
use crate::time::from_micros;

macro_rules! columns {
    () => {
        "id, service_id, integration_key_id, source_kind, dedup_key, state, severity, summary, \
    source, component, alert_group, alert_class, fields, details, links, images, client, client_url, raw, \
    raw_truncated, occurrences, first_seen_at, last_seen_at, acknowledged_at, resolved_at, incident_id, explanation, \
    recent_occurrences, hold, held_until, transient"
    };
}
const GET: &str = concat!("SELECT ", columns!(), " FROM alerts WHERE id = $1");
const LIST: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM alerts WHERE ($1 IS NULL OR state = $1) \
    AND ($2 IS NULL OR service_id = $2) AND ($3 IS NULL OR incident_id = $3) AND ($4 IS NULL OR id < $4) \
    AND ($6 IS NULL OR transient = $6) ORDER BY id DESC LIMIT $5"
);

crate::sql_row! {
pub(super) struct AlertRow {
    id: Uuid,
    service_id: Uuid,
    integration_key_id: Option<Uuid>,
    source_kind: String,
    dedup_key: String,
    state: String,
    severity: String,
    summary: String,
    source: Option<String>,
    component: Option<String>,
    alert_group: Option<String>,
    alert_class: Option<String>,
    fields: String,
    details: String,
    links: String,
    images: String,
    client: Option<String>,
    client_url: Option<String>,
    raw: String,
    raw_truncated: i64,
    occurrences: i64,
    first_seen_at: i64,
    last_seen_at: i64,
    acknowledged_at: Option<i64>,
    resolved_at: Option<i64>,
    incident_id: Option<Uuid>,
    explanation: String,
    recent_occurrences: Option<String>,
    hold: Option<String>,
    held_until: Option<i64>,
    transient: bool,
}
}

fn corrupt(what: &str, id: Uuid) -> StoreError {
    StoreError::Corrupt(format!("alert {id} has an unreadable {what}"))
}

impl AlertRow {
    pub(super) fn into_alert(self) -> Result<Alert, StoreError> {
        let id = self.id;
        let json = |text: &str, what: &str| -> Result<serde_json::Value, StoreError> {
            serde_json::from_str(text).map_err(|_| corrupt(what, id))
        };
        Ok(Alert {
            id: AlertId(id),
            service_id: ServiceId(self.service_id),
            integration_key_id: self.integration_key_id.map(IntegrationKeyId),
            source_kind: self.source_kind,
            dedup_key: self.dedup_key,
            state: AlertState::parse(&self.state).ok_or_else(|| corrupt("state", id))?,
            severity: self.severity.parse().map_err(|_| corrupt("severity", id))?,
            summary: self.summary,
            source: self.source,
            component: self.component,
            group: self.alert_group,
            class: self.alert_class,
            fields: serde_json::from_str::<FieldMap>(&self.fields)
                .map_err(|_| corrupt("field map", id))?,
            details: json(&self.details, "details")?,
            links: json(&self.links, "links")?,
            images: json(&self.images, "images")?,
            client: self.client,
            client_url: self.client_url,
            raw: self.raw,
            raw_truncated: self.raw_truncated != 0,
            occurrences: self.occurrences,
            first_seen_at: from_micros(self.first_seen_at),
            last_seen_at: from_micros(self.last_seen_at),
            acknowledged_at: self.acknowledged_at.map(from_micros),
            resolved_at: self.resolved_at.map(from_micros),
            incident_id: self.incident_id.map(IncidentId),
            explanation: serde_json::from_str(&self.explanation)
                .map_err(|_| corrupt("explanation", id))?,
            hold: self.hold.as_deref().and_then(HoldKind::parse),
            held_until: self.held_until.map(from_micros),
            recent_occurrences: super::noise::parse_occurrences(self.recent_occurrences.as_deref()),
            transient: self.transient,
        })
    }
}

/// Which alerts a list returns.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub state: Option<AlertState>,
    pub service_id: Option<ServiceId>,
    pub incident_id: Option<IncidentId>,
    /// Only alerts that were (`true`) or were not (`false`) transient.
    pub transient: Option<bool>,
}

/// The alert with this id.
pub async fn get(reader: Reader<'_>, id: AlertId) -> Result<Alert, StoreError> {
    let row: Option<AlertRow> = reader.fetch_optional(GET, crate::args![id.0]).await?;
    row.ok_or(StoreError::NotFound("alert"))?.into_alert()
}

/// Up to `limit` alerts matching `filter`, newest first, after the cursor id `before`.
pub async fn list(
    reader: Reader<'_>,
    filter: &AlertFilter,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Alert>, StoreError> {
    let state = filter.state.map(AlertState::as_str);
    let service = filter.service_id.map(|s| s.0);
    let incident = filter.incident_id.map(|i| i.0);
    let rows: Vec<AlertRow> = reader
        .fetch_all(
            LIST,
            crate::args![state, service, incident, before, limit, filter.transient],
        )
        .await?;
    rows.into_iter().map(AlertRow::into_alert).collect()
}

/// The open alert of `service` under `dedup_key`, if any.
pub async fn open_alert_id(
    reader: Reader<'_>,
    service: ServiceId,
    dedup_key: &str,
) -> Result<Option<AlertId>, StoreError> {
    let row: Option<(Uuid,)> = reader.fetch_optional("SELECT id FROM alerts WHERE service_id = $1 AND dedup_key = $2 AND state <> 'resolved'", crate::args![service.0, dedup_key]).await?;
    Ok(row.map(|(id,)| AlertId(id)))
}

/// Open alerts that are paging (triggered or acknowledged), newest first, with their fields: the
/// alerts that may inhibit others.
pub async fn firing_fields(
    reader: Reader<'_>,
    limit: i64,
) -> Result<Vec<(AlertId, FieldMap)>, StoreError> {
    const FIRING: &str = "SELECT id, fields FROM alerts WHERE state IN ('triggered', 'acknowledged') \
        ORDER BY id DESC LIMIT $1";
    let rows: Vec<(Uuid, String)> = reader.fetch_all(FIRING, crate::args![limit]).await?;
    rows.into_iter()
        .map(|(id, fields)| {
            serde_json::from_str(&fields)
                .map(|fields| (AlertId(id), fields))
                .map_err(|_| StoreError::Corrupt(format!("alert {id} has an unreadable field map")))
        })
        .collect()
}

/// An open held-back alert, with what re-evaluating it needs.
#[derive(Debug, Clone)]
pub struct HeldAlert {
    pub id: AlertId,
    pub service: ServiceId,
    pub dedup_key: String,
    pub severity: Severity,
    pub fields: FieldMap,
    pub first_seen_at: jiff::Timestamp,
    pub recent_occurrences: Vec<jiff::Timestamp>,
    pub hold: Option<HoldKind>,
    pub held_until: Option<jiff::Timestamp>,
}

type HeldRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Open alerts held back (suppressed), oldest first, for re-evaluation.
pub async fn held_back(reader: Reader<'_>) -> Result<Vec<HeldAlert>, StoreError> {
    const HELD: &str = "SELECT id, service_id, dedup_key, severity, fields, first_seen_at, recent_occurrences, \
        hold, held_until FROM alerts WHERE state = 'suppressed' ORDER BY id LIMIT 100000";
    let rows: Vec<HeldRow> = reader.fetch_all(HELD, crate::args![]).await?;
    rows.into_iter()
        .map(|row| {
            let (id, service, dedup_key, severity, fields, first_seen, recent, hold, held_until) =
                row;
            Ok(HeldAlert {
                id: AlertId(id),
                service: ServiceId(service),
                dedup_key,
                severity: severity.parse().map_err(|_| corrupt("severity", id))?,
                fields: serde_json::from_str(&fields).map_err(|_| corrupt("field map", id))?,
                first_seen_at: from_micros(first_seen),
                recent_occurrences: super::noise::parse_occurrences(recent.as_deref()),
                hold: hold.as_deref().and_then(HoldKind::parse),
                held_until: held_until.map(from_micros),
            })
        })
        .collect()
}
