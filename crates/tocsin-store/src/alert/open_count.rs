//! Each service's count of open alerts (state not `resolved`), kept in `service_open_alerts` in the
//! same transaction as the alert row that opens or resolves, so the open-alert cap is checked with
//! one row read instead of counting the service's open alerts. Alerts open only in intake's
//! `open_alert` and close only through `transitions::move_to`; both call here.
use tocsin_domain::id::{AlertId, ServiceId};

use crate::error::StoreError;
use crate::tx::Tx;

/// One more open alert for the service (its first creates the row).
const OPENED: &str = "INSERT INTO service_open_alerts (service_id, open_alerts) VALUES ($1, 1) \
    ON CONFLICT (service_id) DO UPDATE SET open_alerts = service_open_alerts.open_alerts + 1";

/// One open alert fewer for the service of alert `$1`.
const RESOLVED: &str = "UPDATE service_open_alerts SET open_alerts = open_alerts - 1 \
    WHERE service_id = (SELECT service_id FROM alerts WHERE id = $1)";

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
