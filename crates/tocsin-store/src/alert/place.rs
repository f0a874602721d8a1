//! Putting a paging alert into an incident, the same way whether it is a fresh trigger (intake's
//! `open_alert`) or a held-back alert released later (`transitions::release`): `placement::plan`
//! decides — folded at the service's open-alert cap, into the open incident of its grouping key,
//! back into its previous incident (stability or reopen window), into an upstream service's
//! incident, or into a new one, which under a policy with a group wait carries `page_after` so
//! that a burst of alerts pages once. Runs under the grouping key's lock, so concurrent alerts
//! cannot open two incidents for one key; the caller holds its service's open-alert counter row
//! already (see `locks` for the lock order).
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::grouping::GroupingPolicy;
use tocsin_domain::alerting::lifecycle::IncidentLifecycle;
use tocsin_domain::alerting::placement::Placement;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};

use super::placement::{self, Source};
use crate::error::StoreError;
use crate::incident;
use crate::tx::Tx;

/// The paging alert to place.
pub(super) struct Paging<'a> {
    pub service: ServiceId,
    pub dedup_key: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    pub alert: AlertId,
    /// Why it pages, for the timeline of an incident opened for it.
    pub opened: &'a str,
    /// Its grouping key and its service's policy; `None`: grouping off.
    pub grouping: Option<(&'a str, &'a GroupingPolicy)>,
    pub lifecycle: &'a IncidentLifecycle,
    /// The alert is stored and counted open already (a released held alert): the cap weighs the
    /// service's other open alerts, and at the cap it joins the storm's incident instead of being
    /// folded into a counter.
    pub stored: bool,
}

/// Where a paging alert went.
pub(super) enum Placed {
    /// Into this incident, for the reason given in words.
    Into(IncidentId, String),
    /// Not stored: counted on this incident's `folded_alerts`.
    Folded(IncidentId),
}

/// Places the alert where `placement::plan` decides.
pub(super) async fn place(
    tx: &mut Tx,
    paging: Paging<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<Placed, StoreError> {
    if let Some((key, _)) = paging.grouping {
        tx.lock(&super::locks::grouping_lock(paging.service, key))
            .await?;
    }
    let placing = placement::Placing {
        service: paging.service,
        dedup_key: paging.dedup_key,
        grouping: paging.grouping,
        lifecycle: paging.lifecycle,
        at,
    };
    let itself = u64::from(paging.stored);
    let placement = placement::plan_counting(&mut Source::Tx(&mut *tx), &placing, itself)
        .await?
        .placement;
    match &placement {
        Placement::Join { incident, .. } => {
            let page_after: Option<Option<i64>> = tx
                .scalar_optional(
                    "SELECT page_after FROM incidents WHERE id = $1",
                    crate::args![incident.id.0],
                )
                .await?;
            let waiting = match page_after.flatten().map(crate::time::from_micros) {
                Some(until) if at < until => {
                    format!(", during its group wait (notifications wait until {until})")
                }
                _ => String::new(),
            };
            let line = format!("{}{waiting}", placement.explain(incident.number));
            incident::attach_alert(tx, incident.id, paging.alert, &line, actor, at).await?;
            Ok(Placed::Into(incident.id, line))
        }
        Placement::Reopen { incident, .. } => {
            let reason = format!("reopened: {}", placement.why());
            incident::lifecycle::reopen(tx, incident.id, paging.alert, &reason, actor, at).await?;
            Ok(Placed::Into(
                incident.id,
                placement.explain(incident.number),
            ))
        }
        Placement::Open { .. } => {
            let (page_after, wait_line) = group_wait(paging.grouping.map(|(_, p)| p), at);
            let reason = format!("{}{wait_line}", paging.opened);
            let mut opening = opening(&paging, Some(paging.alert), &reason);
            opening.page_after = page_after;
            let (incident, number) = incident::open_for_alert(tx, opening, actor, at).await?;
            Ok(Placed::Into(
                incident,
                format!("{}{wait_line}", placement.explain(number)),
            ))
        }
        Placement::Fold {
            into,
            open_alerts,
            cap,
        } if paging.stored => {
            let storm = format!(
                "the service has {open_alerts} other open alerts, at its cap of {cap} (max_open_alerts); \
                 already stored, it joins the storm's incident"
            );
            match into {
                Some(into) => {
                    let line = format!("joined incident #{}: {storm}", into.number);
                    incident::attach_alert(tx, into.id, paging.alert, &line, actor, at).await?;
                    Ok(Placed::Into(into.id, line))
                }
                None => {
                    let why = format!("opened for an alert storm: {storm}");
                    let opening = opening(&paging, Some(paging.alert), &why);
                    let (incident, number) =
                        incident::open_for_alert(tx, opening, actor, at).await?;
                    Ok(Placed::Into(
                        incident,
                        format!("opened incident #{number}: {storm}"),
                    ))
                }
            }
        }
        Placement::Fold { into, .. } => {
            let (incident, number) = match into {
                Some(into) => (into.id, into.number),
                None => {
                    let why = "opened for an alert storm: the service is at its open-alert cap";
                    let mut opening = opening(&paging, None, why);
                    opening.grouping_key = None;
                    incident::open_for_alert(tx, opening, actor, at).await?
                }
            };
            let quiet =
                SignedDuration::from_secs(i64::from(paging.lifecycle.stability_window_seconds));
            let reason = placement.explain(number);
            incident::lifecycle::fold(tx, incident, &reason, quiet, actor, at).await?;
            Ok(Placed::Folded(incident))
        }
    }
}

/// The incident opening for `paging` (`alert`: none when opened to count a storm).
fn opening<'a>(
    paging: &Paging<'a>,
    alert: Option<AlertId>,
    reason: &'a str,
) -> incident::OpeningAlert<'a> {
    incident::OpeningAlert {
        service: paging.service,
        title: paging.title,
        severity: paging.severity,
        alert,
        reason,
        grouping_key: paging.grouping.map(|(key, _)| key),
        page_after: None,
    }
}

/// A group wait under `policy` for an incident opened at `at`: until when its notifications wait,
/// and the words that say so (empty without a wait).
pub(super) fn group_wait(
    policy: Option<&GroupingPolicy>,
    at: Timestamp,
) -> (Option<Timestamp>, String) {
    let page_after = policy
        .and_then(GroupingPolicy::group_wait_seconds)
        .filter(|wait| *wait > 0)
        .and_then(|wait| {
            at.checked_add(SignedDuration::from_secs(i64::from(wait)))
                .ok()
        });
    let wait_line = page_after
        .map(|until| {
            format!("; group wait: notifications wait until {until} so a burst pages once")
        })
        .unwrap_or_default();
    (page_after, wait_line)
}
