//! Checks a service's references before they are stored: the owning team must exist, every
//! dependency must name an existing service, and the dependency graph must stay acyclic (a cycle
//! is reported with the services' names).
use std::collections::BTreeMap;

use tocsin_domain::catalog::check_acyclic;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::{ServiceId, TeamId};
use uuid::Uuid;

use crate::conn::Conn;
use crate::error::StoreError;
use crate::tx::Tx;

const TEAM_EXISTS: &str = "SELECT COUNT(*) FROM teams WHERE id = $1";
const SERVICE_EXISTS: &str = "SELECT COUNT(*) FROM services WHERE id = $1";
const ALL_EDGES: &str = "SELECT service_id, depends_on_id FROM service_dependencies";
const NAME_OF: &str = "SELECT name FROM services WHERE id = $1";
/// PostgreSQL: changes to the dependency graph take turns, so two concurrent edits cannot each
/// close half of a cycle. The SQLite writer is already the only writer.
const LOCK_GRAPH_PG: &str = "SELECT pg_advisory_xact_lock($1)";
const GRAPH_LOCK_KEY: i64 = 0x746f_6373_6772_6170; // "tocsgrap"

/// The dependencies without repeats, in the order first given.
pub(crate) fn dedupe(dependencies: &[ServiceId]) -> Vec<ServiceId> {
    let mut seen = std::collections::BTreeSet::new();
    dependencies
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect()
}

async fn count(tx: &mut Tx, sql: &'static str, id: Uuid) -> Result<i64, StoreError> {
    tx.scalar(sql, crate::args![id]).await
}

/// Validates the owning team (when given) and that every dependency exists, collecting every
/// problem under its JSON pointer.
pub(crate) async fn check_references(
    tx: &mut Tx,
    team_id: Option<TeamId>,
    depends_on: Option<&[ServiceId]>,
) -> Result<(), StoreError> {
    let mut problems = Collector::default();
    if let Some(team) = team_id
        && count(tx, TEAM_EXISTS, team.0).await? == 0
    {
        problems.push(FieldError::new(
            "/team_id",
            format!("no team has the id {team}"),
        ));
    }
    for (index, dependency) in depends_on.unwrap_or_default().iter().enumerate() {
        if count(tx, SERVICE_EXISTS, dependency.0).await? == 0 {
            problems.push(FieldError::new(
                format!("/depends_on/{index}"),
                format!("no service has the id {dependency}"),
            ));
        }
    }
    Ok(problems.finish()?)
}

/// Refuses dependencies for `service` that would close a cycle, naming the services in it.
pub(crate) async fn check_no_cycle(
    tx: &mut Tx,
    service: ServiceId,
    depends_on: &[ServiceId],
) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = tx.conn().await? {
        sqlx::query(LOCK_GRAPH_PG)
            .bind(GRAPH_LOCK_KEY)
            .execute(&mut *c)
            .await?;
    }
    let edges: Vec<(Uuid, Uuid)> = tx.fetch_all(ALL_EDGES, crate::args![]).await?;
    let mut graph: BTreeMap<ServiceId, Vec<ServiceId>> = BTreeMap::new();
    for (from, to) in edges {
        graph
            .entry(ServiceId(from))
            .or_default()
            .push(ServiceId(to));
    }
    let Err(cycle) = check_acyclic(&graph, service, depends_on) else {
        return Ok(());
    };
    let mut names = Vec::with_capacity(cycle.0.len());
    for id in &cycle.0 {
        let name: Option<String> = tx.scalar_optional(NAME_OF, crate::args![id.0]).await?;
        names.push(name.unwrap_or_else(|| id.to_string()));
    }
    Err(StoreError::Invalid(tocsin_domain::ValidationError::field(
        "/depends_on",
        format!("would create a dependency cycle: {}", names.join(" -> ")),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_keeps_the_first_occurrence_in_order() {
        let ids: Vec<ServiceId> = (1..=3).map(|n| ServiceId(Uuid::from_u128(n))).collect();
        let given = [ids[2], ids[0], ids[2], ids[1], ids[0]];
        assert_eq!(dedupe(&given), vec![ids[2], ids[0], ids[1]]);
    }
}
