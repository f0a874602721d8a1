//! Each service's count of open alerts (state not `resolved`), kept in `service_open_alerts` in the
//! same transaction as the alert row that opens or resolves, so the open-alert cap is checked with
//! one row read instead of counting the service's open alerts. Alerts open only in intake's
//! `open_alert` and close only through `transitions::move_to`; both call here.
//! The counter row is also a lock: see `locks` for the order it is taken in.
use tocsin_domain::id::{AlertId, ServiceId};

use crate::error::StoreError;
use crate::store::Backend;
use crate::tx::Tx;

/// One more open alert for the service (its first creates the row).
const OPENED: &str = "INSERT INTO service_open_alerts (service_id, open_alerts) VALUES ($1, 1) \
    ON CONFLICT (service_id) DO UPDATE SET open_alerts = service_open_alerts.open_alerts + 1";

/// One open alert fewer for the service of alert `$1`.
const RESOLVED: &str = "UPDATE service_open_alerts SET open_alerts = open_alerts - 1 \
    WHERE service_id = (SELECT service_id FROM alerts WHERE id = $1)";

/// Locks the service's counter row (creating it at 0 when the service never had an open alert).
const LOCK: &str = "INSERT INTO service_open_alerts (service_id, open_alerts) VALUES ($1, 0) \
    ON CONFLICT (service_id) DO UPDATE SET open_alerts = service_open_alerts.open_alerts";

/// The service's open alerts (no row: it never had one).
pub(super) const OPEN_ALERTS: &str =
    "SELECT open_alerts FROM service_open_alerts WHERE service_id = $1";

/// A new open alert of `service` was stored.
pub(super) async fn opened(tx: &mut Tx, service: ServiceId) -> Result<(), StoreError> {
    tx.execute(OPENED, crate::args![service.0]).await?;
    Ok(())
}

/// Open alert `alert` was resolved.
pub(super) async fn resolved(tx: &mut Tx, alert: AlertId) -> Result<(), StoreError> {
    tx.execute(RESOLVED, crate::args![alert.0]).await?;
    Ok(())
}

/// Holds `service`'s counter row until the commit (step 2 of the lock order), so the cap is read
/// exactly and no incident lock is held while waiting for it. Nothing on SQLite, whose writer is
/// alone.
pub(crate) async fn lock(tx: &mut Tx, service: ServiceId) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        tx.execute(LOCK, crate::args![service.0]).await?;
    }
    Ok(())
}

/// Holds the counter rows of all `services`, in service id order: the first step of a write that
/// changes alerts of several services (a webhook batch, a release of held alerts).
pub async fn lock_all(
    tx: &mut Tx,
    services: impl IntoIterator<Item = ServiceId>,
) -> Result<(), StoreError> {
    let mut services: Vec<ServiceId> = services.into_iter().collect();
    services.sort_by_key(|service| service.0);
    services.dedup();
    for service in services {
        lock(tx, service).await?;
    }
    Ok(())
}
