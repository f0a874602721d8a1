//! Putting a paging alert into an incident: the open incident of its grouping key when the
//! service's policy says it joins, else a new one — which, under a policy with a group wait,
//! carries `page_after` so that a burst of alerts pages once.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::grouping::{GroupCandidate, GroupingPolicy};
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{AlertId, IncidentId, ServiceId};

use crate::error::StoreError;
use crate::incident;
use crate::tx::Tx;

/// The alert to place.
pub(super) struct Placing<'a> {
    pub service: ServiceId,
    pub title: &'a str,
    pub severity: Severity,
    pub alert: AlertId,
    /// Why the alert pages, for the opened incident's timeline.
    pub reason: &'a str,
    /// The alert's grouping key and its service's policy; `None`: one incident per alert.
    pub grouping: Option<&'a (String, GroupingPolicy)>,
}

/// Places the alert; returns its incident, the incident's number and the decision in words.
pub(super) async fn place(
    tx: &mut Tx,
    placing: Placing<'_>,
    actor: &str,
    at: Timestamp,
) -> Result<(IncidentId, i64, String), StoreError> {
    if let Some((key, policy)) = placing.grouping {
        let mut lock_key = b"grouping".to_vec();
        lock_key.extend_from_slice(placing.service.0.as_bytes());
        lock_key.extend_from_slice(key.as_bytes());
        tx.lock(&lock_key).await?;
        if let Some(open) = incident::open_with_grouping_key(tx, placing.service, key).await? {
            let candidate = GroupCandidate {
                opened_at: open.opened_at,
                last_alert_at: open.last_alert_at,
            };
            if policy.should_join(candidate, at) {
                let waiting = match open.page_after {
                    Some(until) if at < until => {
                        format!(", during its group wait (notifications wait until {until})")
                    }
                    _ => String::new(),
                };
                let reason = format!(
                    "joined incident #{}: same grouping key {key:?} within the window{waiting}",
                    open.number
                );
                incident::attach_alert(tx, open.id, placing.alert, &reason, actor, at).await?;
                return Ok((open.id, open.number, reason));
            }
        }
    }
    let (page_after, wait_line) = group_wait(placing.grouping.map(|(_, policy)| policy), at);
    let reason = format!("{}{wait_line}", placing.reason);
    let opening = incident::OpeningAlert {
        service: placing.service,
        title: placing.title,
        severity: placing.severity,
        alert: Some(placing.alert),
        reason: &reason,
        grouping_key: placing.grouping.map(|(key, _)| key.as_str()),
        page_after,
    };
    let (incident, number) = incident::open_for_alert(tx, opening, actor, at).await?;
    let line = match placing.grouping {
        None => format!("opened incident #{number}: grouping is off, one incident per alert"),
        Some((key, _)) => format!(
            "opened incident #{number}: no open incident of grouping key {key:?} within the window"
        ),
    };
    Ok((incident, number, format!("{line}{wait_line}")))
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
