//! The placement decision: precedence of cap, grouping, previous incident and upstream, and the
//! words each outcome is explained with.
use super::*;
use crate::alerting::lifecycle::UpstreamCorrelation;
use uuid::Uuid;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
}

fn incident(number: i64) -> IncidentRef {
    IncidentRef {
        id: IncidentId(Uuid::from_u128(number as u128)),
        number,
    }
}

fn upstream(number: i64, opened: i64) -> UpstreamIncident {
    UpstreamIncident {
        incident: incident(number),
        service: crate::id::ServiceId(Uuid::from_u128(99)),
        service_name: "db".into(),
        distance: 1,
        opened_at: at(opened),
    }
}

fn facts<'a>(upstream: &'a [UpstreamIncident]) -> Facts<'a> {
    Facts {
        at: at(1000),
        service_name: "api",
        grouping: None,
        open_alerts: 0,
        fold_into: None,
        group_incident: None,
        previous: None,
        upstream,
    }
}

fn settings() -> IncidentLifecycle {
    IncidentLifecycle {
        stability_window_seconds: 300,
        reopen_window_seconds: 600,
        max_open_alerts: 10,
        correlate_with_upstream: Some(UpstreamCorrelation {
            window_seconds: 900,
        }),
    }
}

#[test]
fn with_nothing_known_an_alert_opens_its_own_incident() {
    let placement = decide(&IncidentLifecycle::default(), &facts(&[]));
    assert_eq!(placement, Placement::Open { grouping_key: None });
    assert_eq!(
        placement.explain(7),
        "opened incident #7: grouping is off, one incident per alert"
    );
    assert_eq!(
        placement.explain_would(),
        "would open a new incident: grouping is off, one incident per alert"
    );
}

#[test]
fn at_the_cap_the_alert_is_folded_whatever_else_holds() {
    let ups = [upstream(3, 900)];
    let mut known = facts(&ups);
    known.open_alerts = 10;
    known.fold_into = Some(incident(4));
    known.previous = Some(PreviousIncident {
        incident: incident(5),
        resolved_at: None,
    });
    let placement = decide(&settings(), &known);
    assert_eq!(placement.kind(), "fold");
    assert_eq!(placement.incident(), Some(incident(4)));
    assert!(
        placement.explain(0).starts_with(
            "folded into incident #4: the service has 10 open alerts, at its cap of 10"
        ),
        "{}",
        placement.explain(0)
    );
    known.fold_into = None;
    let storm = decide(&settings(), &known);
    assert!(
        storm
            .explain(8)
            .starts_with("opened incident #8 for the alert storm")
    );
    known.open_alerts = 9;
    assert_ne!(decide(&settings(), &known).kind(), "fold");
}

#[test]
fn the_grouping_key_incident_comes_before_the_previous_one() {
    let policy = GroupingPolicy::TimeWindow {
        window_seconds: 300,
        group_wait_seconds: None,
    };
    let mut known = facts(&[]);
    known.grouping = Some(("k", &policy));
    known.group_incident = Some((
        incident(2),
        GroupCandidate {
            opened_at: at(900),
            last_alert_at: at(900),
        },
    ));
    known.previous = Some(PreviousIncident {
        incident: incident(1),
        resolved_at: Some(at(950)),
    });
    let joined = decide(&settings(), &known);
    assert_eq!(joined.incident(), Some(incident(2)));
    assert_eq!(
        joined.explain(0),
        "joined incident #2: same grouping key \"k\" within the window"
    );
    // Past the grouping window: the previous incident, resolved 50 s ago, reopens.
    known.group_incident = Some((
        incident(2),
        GroupCandidate {
            opened_at: at(0),
            last_alert_at: at(0),
        },
    ));
    let reopened = decide(&settings(), &known);
    assert_eq!(reopened.kind(), "reopen");
    assert_eq!(
        reopened.explain(0),
        "reopened incident #1: re-triggered 50s after it resolved, within the reopen window of 600 s"
    );
    assert_eq!(
        reopened.explain_would(),
        "would reopen incident #1: re-triggered 50s after it resolved, within the reopen window of 600 s"
    );
}

#[test]
fn reopening_only_within_the_window_and_a_stabilising_incident_is_rejoined() {
    let mut known = facts(&[]);
    known.previous = Some(PreviousIncident {
        incident: incident(1),
        resolved_at: Some(at(400)),
    });
    assert_eq!(
        decide(&settings(), &known).kind(),
        "open",
        "exactly 600 s later"
    );
    known.previous = Some(PreviousIncident {
        incident: incident(1),
        resolved_at: Some(at(401)),
    });
    assert_eq!(decide(&settings(), &known).kind(), "reopen");
    assert_eq!(
        decide(&IncidentLifecycle::default(), &known).kind(),
        "open",
        "no reopen window"
    );
    known.previous = Some(PreviousIncident {
        incident: incident(1),
        resolved_at: None,
    });
    let rejoined = decide(&settings(), &known);
    assert_eq!(rejoined.incident(), Some(incident(1)));
    assert!(rejoined.explain(0).contains("stability window of 300 s"));
}

#[test]
fn an_upstream_incident_within_the_window_is_joined_as_downstream_impact() {
    let ups = [upstream(3, 200)];
    let joined = decide(&settings(), &facts(&ups));
    assert_eq!(joined.incident(), Some(incident(3)));
    assert_eq!(
        joined.explain(0),
        "joined incident #3 of upstream service db: api depends on it; downstream impact, not paged separately"
    );
    let late = [upstream(3, 100)];
    assert_eq!(
        decide(&settings(), &facts(&late)).kind(),
        "open",
        "opened 900 s before"
    );
    assert_eq!(
        decide(&IncidentLifecycle::default(), &facts(&ups)).kind(),
        "open",
        "correlation off"
    );
    let mut far = upstream(3, 200);
    far.distance = 3;
    assert!(
        decide(&settings(), &facts(&[far]))
            .explain(0)
            .contains("api depends on it (through 2 services in between)")
    );
}
