//! Compatible intake endpoints: PagerDuty Events API v2, the Alertmanager webhook, Opsgenie's
//! alert API, a generic JSON webhook, heartbeats. Each parses its own format into
//! `IncomingAlert`s and hands them to the engine's ingest pipeline; the answer (202) is sent only
//! after the commit. Keys are resolved here: an unknown, revoked or wrong-kind key answers 404.
pub mod alertmanager;
pub mod gate;
pub mod generic;
pub mod heartbeat;
pub mod intake;
pub mod key_cache;
pub mod keys;
pub mod opsgenie;
pub mod pagerduty;

use crate::router::Route;

pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(pagerduty::routes());
    all.extend(alertmanager::routes());
    all.extend(opsgenie::routes());
    all.extend(generic::routes());
    all.extend(heartbeat::routes());
    all
}
