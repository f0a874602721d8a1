//! Where a new paging alert goes, decided from facts the store gathered: folded into a counter
//! when its service is at its open-alert cap, into the open incident of its grouping key, back into
//! its previous incident (waiting out its stability window, or resolved within the reopen window),
//! into an upstream service's recent incident, or into a new incident. The same decision serves
//! intake and simulation; each outcome explains itself in words.
use jiff::Timestamp;

use super::grouping::{GroupCandidate, GroupingPolicy};
use super::lifecycle::{IncidentLifecycle, within};
use super::upstream::{UpstreamIncident, choose_upstream};
use crate::id::IncidentId;

/// An incident, by id and human number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentRef {
    pub id: IncidentId,
    pub number: i64,
}

/// The last incident that held an alert under the same dedup key (or grouping key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviousIncident {
    pub incident: IncidentRef,
    /// When it resolved; `None` while it is still open, its alerts resolved, waiting out its
    /// stability window.
    pub resolved_at: Option<Timestamp>,
}

/// What is known when a new paging alert is placed.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub at: Timestamp,
    /// This service's name, for the words.
    pub service_name: &'a str,
    /// The alert's grouping key and its service's policy (`None`: grouping off).
    pub grouping: Option<(&'a str, &'a GroupingPolicy)>,
    /// Alerts of the service open now (triggered, acknowledged or held back).
    pub open_alerts: u64,
    /// The incident a folded alert is counted on: the service's most recent open one.
    pub fold_into: Option<IncidentRef>,
    /// The open incident of the grouping key.
    pub group_incident: Option<(IncidentRef, GroupCandidate)>,
    pub previous: Option<PreviousIncident>,
    /// Open incidents of services this one depends on, directly or not.
    pub upstream: &'a [UpstreamIncident],
}

/// Why an alert joins an open incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinReason {
    Grouped {
        key: String,
    },
    /// Its previous incident was waiting out its stability window: the wait is cancelled.
    Stabilising {
        window_seconds: u32,
    },
    Upstream {
        service_name: String,
        this_name: String,
        distance: u32,
    },
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Join {
        incident: IncidentRef,
        reason: JoinReason,
    },
    Reopen {
        incident: IncidentRef,
        resolved_seconds_ago: i64,
        window_seconds: u32,
    },
    Open {
        grouping_key: Option<String>,
    },
    /// Not stored as an alert: counted on `into` (or on a new incident opened for the storm).
    Fold {
        into: Option<IncidentRef>,
        open_alerts: u64,
        cap: u32,
    },
}

/// Decides where the alert goes: the cap first, then its grouping key's open incident, then its
/// previous incident, then an upstream incident, else a new one.
pub fn decide(lifecycle: &IncidentLifecycle, facts: &Facts<'_>) -> Placement {
    let at = facts.at;
    if lifecycle.at_cap(facts.open_alerts) {
        return Placement::Fold {
            into: facts.fold_into,
            open_alerts: facts.open_alerts,
            cap: lifecycle.max_open_alerts,
        };
    }
    if let (Some((key, policy)), Some((incident, candidate))) =
        (facts.grouping, facts.group_incident)
        && policy.should_join(candidate, at)
    {
        return Placement::Join {
            incident,
            reason: JoinReason::Grouped {
                key: key.to_owned(),
            },
        };
    }
    match facts.previous {
        Some(PreviousIncident {
            incident,
            resolved_at: None,
        }) => {
            return Placement::Join {
                incident,
                reason: JoinReason::Stabilising {
                    window_seconds: lifecycle.stability_window_seconds,
                },
            };
        }
        Some(PreviousIncident {
            incident,
            resolved_at: Some(resolved_at),
        }) if within(resolved_at, at, lifecycle.reopen_window_seconds) => {
            return Placement::Reopen {
                incident,
                resolved_seconds_ago: at.duration_since(resolved_at).as_secs(),
                window_seconds: lifecycle.reopen_window_seconds,
            };
        }
        _ => {}
    }
    if let Some(correlation) = lifecycle.correlate_with_upstream
        && let Some(upstream) = choose_upstream(facts.upstream, correlation.window_seconds, at)
    {
        return Placement::Join {
            incident: upstream.incident,
            reason: JoinReason::Upstream {
                service_name: upstream.service_name.clone(),
                this_name: facts.service_name.to_owned(),
                distance: upstream.distance,
            },
        };
    }
    Placement::Open {
        grouping_key: facts.grouping.map(|(key, _)| key.to_owned()),
    }
}

impl Placement {
    /// The incident it goes into, when one exists already.
    pub fn incident(&self) -> Option<IncidentRef> {
        match self {
            Placement::Join { incident, .. } | Placement::Reopen { incident, .. } => {
                Some(*incident)
            }
            Placement::Fold { into, .. } => *into,
            Placement::Open { .. } => None,
        }
    }

    /// A one-word name: join, reopen, open or fold.
    pub fn kind(&self) -> &'static str {
        match self {
            Placement::Join { .. } => "join",
            Placement::Reopen { .. } => "reopen",
            Placement::Open { .. } => "open",
            Placement::Fold { .. } => "fold",
        }
    }

    /// Why, in words, after what was done ("joined incident #4: <why>").
    pub fn why(&self) -> String {
        match self {
            Placement::Join { reason, .. } => match reason {
                JoinReason::Grouped { key } => {
                    format!("same grouping key {key:?} within the window")
                }
                JoinReason::Stabilising { window_seconds } => format!(
                    "re-triggered while it waited out its stability window of {window_seconds} s; it no longer resolves itself"
                ),
                JoinReason::Upstream {
                    this_name,
                    distance,
                    ..
                } => {
                    let how = match distance.saturating_sub(1) {
                        0 => String::new(),
                        1 => " (through 1 service in between)".to_owned(),
                        between => format!(" (through {between} services in between)"),
                    };
                    format!(
                        "{this_name} depends on it{how}; downstream impact, not paged separately"
                    )
                }
            },
            Placement::Reopen {
                resolved_seconds_ago,
                window_seconds,
                ..
            } => format!(
                "re-triggered {resolved_seconds_ago}s after it resolved, within the reopen window of {window_seconds} s"
            ),
            Placement::Open { grouping_key: None } => {
                "grouping is off, one incident per alert".into()
            }
            Placement::Open {
                grouping_key: Some(key),
            } => format!("no open incident of grouping key {key:?} within the window"),
            Placement::Fold {
                open_alerts, cap, ..
            } => format!(
                "the service has {open_alerts} open alerts, at its cap of {cap} (max_open_alerts): counted in the incident's folded_alerts, not stored as an alert"
            ),
        }
    }

    /// What is (or would be) done to which incident: `opened` is the number of the incident
    /// opened for it, `None` in a simulation, where nothing is done.
    fn what(&self, opened: Option<i64>) -> String {
        let verb = |past: &str, future: &str| match opened {
            Some(_) => past.to_owned(),
            None => format!("would {future}"),
        };
        match (self, opened) {
            (
                Placement::Join {
                    incident,
                    reason: JoinReason::Upstream { service_name, .. },
                },
                _,
            ) => format!(
                "{} incident #{} of upstream service {service_name}",
                verb("joined", "join"),
                incident.number
            ),
            (Placement::Join { incident, .. }, _) => {
                format!("{} incident #{}", verb("joined", "join"), incident.number)
            }
            (Placement::Reopen { incident, .. }, _) => {
                format!(
                    "{} incident #{}",
                    verb("reopened", "reopen"),
                    incident.number
                )
            }
            (
                Placement::Fold {
                    into: Some(incident),
                    ..
                },
                _,
            ) => format!(
                "{} incident #{}",
                verb("folded into", "fold into"),
                incident.number
            ),
            (Placement::Open { .. }, Some(number)) => format!("opened incident #{number}"),
            (Placement::Open { .. }, None) => "would open a new incident".into(),
            (Placement::Fold { into: None, .. }, Some(number)) => {
                format!("opened incident #{number} for the alert storm and folded into it")
            }
            (Placement::Fold { into: None, .. }, None) => {
                "would open an incident for the alert storm and fold into it".into()
            }
        }
    }

    /// The alert's explanation line: what was done and why. `opened` is the number of the
    /// incident opened for it (ignored when it went into an existing one).
    pub fn explain(&self, opened: i64) -> String {
        format!("{}: {}", self.what(Some(opened)), self.why())
    }

    /// The same as a simulation says it.
    pub fn explain_would(&self) -> String {
        format!("{}: {}", self.what(None), self.why())
    }
}

#[cfg(test)]
mod tests;
