//! Reads for the catalog's overview pages: every dependency edge (the whole DAG, for drawing it)
//! and which services have open incidents, counted only up to a bound so a service with a
//! million incidents costs no more than one with a few.
use tocsin_domain::id::ServiceId;
use uuid::Uuid;

use super::graph::ALL_EDGES;
use crate::Reader;
use crate::error::StoreError;

/// The responding statuses (the `incidents_open_by_service` partial index covers exactly these).
const OPEN_OF_SERVICE: &str = "SELECT COUNT(*) FROM (SELECT id FROM incidents WHERE service_id = $1 \
    AND status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring') \
    ORDER BY id LIMIT $2) AS open_incidents";
const SERVICES_WITH_OPEN: &str = "SELECT DISTINCT service_id FROM incidents \
    WHERE status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring')";

/// Every dependency edge as (service, the service it depends on).
pub async fn dependency_edges(
    reader: Reader<'_>,
) -> Result<Vec<(ServiceId, ServiceId)>, StoreError> {
    let edges: Vec<(Uuid, Uuid)> = reader.fetch_all(ALL_EDGES, crate::args![]).await?;
    Ok(edges
        .into_iter()
        .map(|(from, to)| (ServiceId(from), ServiceId(to)))
        .collect())
}

/// How many open incidents `service` has, counting no further than `cap`.
pub async fn open_incident_count(
    reader: Reader<'_>,
    service: ServiceId,
    cap: i64,
) -> Result<i64, StoreError> {
    reader
        .scalar(OPEN_OF_SERVICE, crate::args![service.0, cap])
        .await
}

/// The services with at least one open incident.
pub async fn services_with_open_incidents(
    reader: Reader<'_>,
) -> Result<Vec<ServiceId>, StoreError> {
    let ids: Vec<Uuid> = reader.scalars(SERVICES_WITH_OPEN, crate::args![]).await?;
    Ok(ids.into_iter().map(ServiceId).collect())
}
