//! Gathers what `tocsin_domain::alerting::placement::decide` needs to place a new paging alert —
//! the service's open alerts, the open incident of its grouping key, its previous incident, open
//! incidents of the services it depends on — and decides. Runs inside intake's write (`Source::Tx`,
//! under its locks) and on the read pool for a simulation (`Source::Reader`), with the same
//! queries and the same decision.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::grouping::{GroupCandidate, GroupingPolicy};
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::placement::{self, Facts, IncidentRef, Placement, PreviousIncident};
use tocsin_domain::alerting::upstream::{UpstreamIncident, upstream_distances};
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::open_incident_sql;
use uuid::Uuid;

use crate::Reader;
use crate::catalog::graph::{ALL_EDGES, dependency_graph};
use crate::error::StoreError;
use crate::sql::{Arg, Column, FromRow};
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// Where the placement's facts are read: inside a write, or from the read pool.
pub enum Source<'a> {
    Tx(&'a mut Tx),
    Reader(Reader<'a>),
}

impl Source<'_> {
    async fn fetch_optional<R: FromRow>(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Option<R>, StoreError> {
        match self {
            Source::Tx(tx) => tx.fetch_optional(sql, args).await,
            Source::Reader(reader) => reader.fetch_optional(sql, args).await,
        }
    }

    async fn fetch_all<R: FromRow>(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Vec<R>, StoreError> {
        match self {
            Source::Tx(tx) => tx.fetch_all(sql, args).await,
            Source::Reader(reader) => reader.fetch_all(sql, args).await,
        }
    }

    async fn scalar_optional<T: Column>(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> Result<Option<T>, StoreError> {
        match self {
            Source::Tx(tx) => tx.scalar_optional(sql, args).await,
            Source::Reader(reader) => reader.scalar_optional(sql, args).await,
        }
    }
}

/// The alert being placed.
#[derive(Debug, Clone, Copy)]
pub struct Placing<'a> {
    pub service: ServiceId,
    pub dedup_key: &'a str,
    /// Its grouping key and its service's policy (`None`: grouping off).
    pub grouping: Option<(&'a str, &'a GroupingPolicy)>,
    pub lifecycle: &'a IncidentLifecycle,
    pub at: Timestamp,
}

const LATEST_OPEN_INCIDENT: &str = concat!(
    "SELECT id, number FROM incidents WHERE service_id = $1 AND ",
    open_incident_sql!(),
    " ORDER BY id DESC LIMIT 1"
);
const INCIDENT_OF_LATEST_ALERT: &str = concat!(
    "SELECT i.id, i.number FROM alerts a JOIN incidents i ON i.id = a.incident_id \
    WHERE a.service_id = $1 AND a.state <> 'resolved' AND i.",
    open_incident_sql!(),
    " ORDER BY a.id DESC LIMIT 1"
);
const OPEN_OF_GROUPING_KEY: &str = concat!(
    "SELECT id, number, created_at, last_alert_at FROM incidents \
    WHERE service_id = $1 AND grouping_key = $2 AND ",
    open_incident_sql!(),
    " ORDER BY id DESC LIMIT 1"
);
/// The incident held an alert under the dedup key, or carries the grouping key.
macro_rules! same_key {
    () => {
        "(grouping_key = $2 OR EXISTS (SELECT 1 FROM alerts a \
         WHERE a.incident_id = incidents.id AND a.dedup_key = $3))"
    };
}
const STABILISING: &str = concat!(
    "SELECT id, number FROM incidents WHERE service_id = $1 AND ",
    open_incident_sql!(),
    " AND open_alert_count = 0 AND resolve_due_at IS NOT NULL AND ",
    same_key!(),
    " ORDER BY id DESC LIMIT 1"
);
const RECENTLY_RESOLVED: &str = concat!(
    "SELECT id, number, resolved_at FROM incidents WHERE service_id = $1 AND resolved_at > $4 \
     AND status = 'resolved' AND ",
    same_key!(),
    " ORDER BY resolved_at DESC LIMIT 1"
);
const NAME_OF: &str = "SELECT name FROM services WHERE id = $1";
const OPEN_UPSTREAM: &str = concat!(
    "SELECT i.id, i.number, i.created_at, s.name FROM incidents i \
    JOIN services s ON s.id = i.service_id WHERE i.service_id = $1 AND i.",
    open_incident_sql!(),
    " AND i.created_at > $2 ORDER BY i.id DESC LIMIT 1"
);

/// The decision, with the open incident of the grouping key it weighed (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub placement: Placement,
    pub group_incident: Option<IncidentRef>,
}

fn incident_ref((id, number): (Uuid, i64)) -> IncidentRef {
    IncidentRef {
        id: IncidentId(id),
        number,
    }
}

/// Gathers the facts for `placing` and decides where it goes. Reads only what its service's
/// settings make relevant (no previous incident without a stability or reopen window, no
/// upstream incidents without correlation).
pub async fn plan(source: &mut Source<'_>, placing: &Placing<'_>) -> Result<Planned, StoreError> {
    plan_counting(source, placing, 0).await
}

/// `plan` for an alert of which `itself` (0 or 1) is already counted among its service's open
/// alerts (a held-back alert being released): the cap weighs the others.
pub(super) async fn plan_counting(
    source: &mut Source<'_>,
    placing: &Placing<'_>,
    itself: u64,
) -> Result<Planned, StoreError> {
    let Placing {
        service,
        dedup_key,
        grouping,
        lifecycle,
        at,
    } = *placing;
    let open: Option<i64> = source
        .scalar_optional(super::open_count::OPEN_ALERTS, crate::args![service.0])
        .await?;
    let mut facts = Facts {
        at,
        service_name: "",
        grouping,
        open_alerts: u64::try_from(open.unwrap_or(0))
            .unwrap_or(0)
            .saturating_sub(itself),
        fold_into: None,
        group_incident: None,
        previous: None,
        upstream: &[],
    };
    if lifecycle.at_cap(facts.open_alerts) {
        facts.fold_into = fold_target(source, service).await?;
        return Ok(Planned {
            placement: placement::decide(lifecycle, &facts),
            group_incident: None,
        });
    }
    if let Some((key, _)) = grouping {
        let row: Option<(Uuid, i64, i64, Option<i64>)> = source
            .fetch_optional(OPEN_OF_GROUPING_KEY, crate::args![service.0, key])
            .await?;
        facts.group_incident = row.map(|(id, number, created, last)| {
            let candidate = GroupCandidate {
                opened_at: from_micros(created),
                last_alert_at: from_micros(last.unwrap_or(created)),
            };
            (incident_ref((id, number)), candidate)
        });
    }
    if lifecycle.stability_window_seconds > 0 || lifecycle.reopen_window_seconds > 0 {
        let key = grouping.map(|(key, _)| key);
        facts.previous = previous(source, service, key, dedup_key, lifecycle, at).await?;
    }
    let upstream = match lifecycle.correlate_with_upstream {
        Some(correlation) => {
            let since = at - SignedDuration::from_secs(i64::from(correlation.window_seconds));
            upstream_incidents(source, service, since).await?
        }
        None => Vec::new(),
    };
    let name: Option<String> = if upstream.is_empty() {
        None
    } else {
        source
            .scalar_optional(NAME_OF, crate::args![service.0])
            .await?
    };
    facts.service_name = name.as_deref().unwrap_or("this service");
    facts.upstream = &upstream;
    Ok(Planned {
        placement: placement::decide(lifecycle, &facts),
        group_incident: facts.group_incident.map(|(incident, _)| incident),
    })
}

/// Where a folded alert is counted: the service's most recent open incident, else the incident of
/// its most recent open alert (one it joined upstream), else none (one is opened for the storm).
async fn fold_target(
    source: &mut Source<'_>,
    service: ServiceId,
) -> Result<Option<IncidentRef>, StoreError> {
    let own: Option<(Uuid, i64)> = source
        .fetch_optional(LATEST_OPEN_INCIDENT, crate::args![service.0])
        .await?;
    if let Some(own) = own {
        return Ok(Some(incident_ref(own)));
    }
    let joined: Option<(Uuid, i64)> = source
        .fetch_optional(INCIDENT_OF_LATEST_ALERT, crate::args![service.0])
        .await?;
    Ok(joined.map(incident_ref))
}

/// The incident that last held an alert under this dedup key (or carries the grouping key):
/// still open waiting out its stability window, or resolved within the reopen window.
async fn previous(
    source: &mut Source<'_>,
    service: ServiceId,
    grouping_key: Option<&str>,
    dedup_key: &str,
    lifecycle: &IncidentLifecycle,
    at: Timestamp,
) -> Result<Option<PreviousIncident>, StoreError> {
    let stabilising: Option<(Uuid, i64)> = source
        .fetch_optional(
            STABILISING,
            crate::args![service.0, grouping_key, dedup_key],
        )
        .await?;
    if let Some(row) = stabilising {
        return Ok(Some(PreviousIncident {
            incident: incident_ref(row),
            resolved_at: None,
        }));
    }
    if lifecycle.reopen_window_seconds == 0 {
        return Ok(None);
    }
    let since = at - SignedDuration::from_secs(i64::from(lifecycle.reopen_window_seconds));
    let resolved: Option<(Uuid, i64, Option<i64>)> = source
        .fetch_optional(
            RECENTLY_RESOLVED,
            crate::args![service.0, grouping_key, dedup_key, to_micros(since)],
        )
        .await?;
    Ok(resolved.map(|(id, number, resolved_at)| PreviousIncident {
        incident: incident_ref((id, number)),
        resolved_at: Some(from_micros(resolved_at.unwrap_or(i64::MIN))),
    }))
}

/// The most recent open incident, opened after `since`, of each service `service` depends on.
async fn upstream_incidents(
    source: &mut Source<'_>,
    service: ServiceId,
    since: Timestamp,
) -> Result<Vec<UpstreamIncident>, StoreError> {
    let edges: Vec<(Uuid, Uuid)> = source.fetch_all(ALL_EDGES, crate::args![]).await?;
    let graph = dependency_graph(edges);
    let mut found = Vec::new();
    for (upstream, distance) in upstream_distances(&graph, service) {
        let row: Option<(Uuid, i64, i64, String)> = source
            .fetch_optional(OPEN_UPSTREAM, crate::args![upstream.0, to_micros(since)])
            .await?;
        if let Some((id, number, created, name)) = row {
            found.push(UpstreamIncident {
                incident: incident_ref((id, number)),
                service: upstream,
                service_name: name,
                distance,
                opened_at: from_micros(created),
            });
        }
    }
    Ok(found)
}
