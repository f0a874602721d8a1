//! Status-update cadence and management escalation windows, persisted: the organisation's cadence
//! policy (a configuration document), the facts projected from the event log (`project`), each
//! incident's cadence state and what the engine acted on (`act`), delay justifications
//! (`justify`), and an incident's cadence and escalation state now (`view`).
mod act;
mod facts;
mod justify;
mod project;
mod view;

use jiff::Timestamp;
use tocsin_domain::error::Collector;
use tocsin_domain::incident::cadence::CadencePolicy;

use crate::Reader;
use crate::error::StoreError;
use crate::tx::Tx;

pub use act::{Acted, act_on_due, next_due};
pub use justify::{Justified, justify_delay};
pub(crate) use project::look_again;
pub use project::project;
pub use view::{CadenceView, EscalationView, JustificationView, cadence_view};

/// Where the cadence policy is stored among the configuration documents.
pub const CADENCE_POLICY_SCOPE: &str = "incident_cadence";

/// Every open incident's cadence is looked at now (a closed one's has nothing to do); the version
/// moves as in `look_again`.
const TOUCH_ALL: &str = concat!(
    "UPDATE incident_cadence SET next_at = $1, updated_at = $1, version = version + 1 \
     WHERE incident_id IN (SELECT id FROM incidents WHERE ",
    tocsin_domain::open_incident_sql!(),
    ")"
);

/// The cadence policy as stored (the defaults when never written) and its version.
pub async fn cadence_policy(reader: Reader<'_>) -> Result<(CadencePolicy, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, CADENCE_POLICY_SCOPE).await
}

/// Stores a validated cadence policy (If-Match via `if_version`) once every management level's
/// users exist and are active; every open incident's cadence is looked at again. Answers the new
/// version.
pub async fn put_cadence_policy(
    tx: &mut Tx,
    policy: &CadencePolicy,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let mut problems = Collector::default();
    for (level, management) in policy.management_levels.iter().enumerate() {
        for (index, user) in management.user_ids.iter().enumerate() {
            let pointer = format!("/management_levels/{level}/user_ids/{index}");
            crate::schedule::check_user(tx, &mut problems, &pointer, *user).await?;
        }
    }
    problems.finish().map_err(StoreError::Invalid)?;
    let version = crate::orchestration::config::put_typed(
        tx,
        CADENCE_POLICY_SCOPE,
        policy,
        if_version,
        actor,
        at,
    )
    .await?;
    tx.execute(TOUCH_ALL, crate::args![crate::time::to_micros(at)])
        .await?;
    Ok(version)
}
