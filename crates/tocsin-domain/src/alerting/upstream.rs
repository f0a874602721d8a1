//! Dependency-aware correlation: the services a service depends on, directly or transitively,
//! with their distance in the dependency DAG, and the upstream incident a new alert joins — the
//! nearest upstream service's, then the most recently opened, among open incidents opened within
//! the window.
use std::cmp::Reverse;
use std::collections::{BTreeMap, VecDeque};

use jiff::Timestamp;

use super::lifecycle::within;
use super::placement::IncidentRef;
use crate::id::ServiceId;

/// An open incident of an upstream service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamIncident {
    pub incident: IncidentRef,
    pub service: ServiceId,
    pub service_name: String,
    /// Dependency edges from the alert's service to this one (1: a direct dependency).
    pub distance: u32,
    pub opened_at: Timestamp,
}

/// Every service `service` depends on, directly or transitively, with its shortest distance.
/// `depends_on` maps a service to its direct dependencies; `service` itself is never included
/// (even through a cycle, which the catalog refuses anyway).
pub fn upstream_distances(
    depends_on: &BTreeMap<ServiceId, Vec<ServiceId>>,
    service: ServiceId,
) -> BTreeMap<ServiceId, u32> {
    let mut distances = BTreeMap::new();
    let mut queue = VecDeque::from([(service, 0_u32)]);
    while let Some((node, distance)) = queue.pop_front() {
        for &next in depends_on.get(&node).map_or(&[][..], Vec::as_slice) {
            if next != service && !distances.contains_key(&next) {
                distances.insert(next, distance + 1);
                queue.push_back((next, distance + 1));
            }
        }
    }
    distances
}

/// The incident to join among `candidates`: only those opened less than `window_seconds` before
/// `at` (and not after it) count; the nearest upstream service wins, then the most recently
/// opened incident, then the highest id (so the choice never depends on the input order).
pub fn choose_upstream(
    candidates: &[UpstreamIncident],
    window_seconds: u32,
    at: Timestamp,
) -> Option<&UpstreamIncident> {
    candidates
        .iter()
        .filter(|candidate| within(candidate.opened_at, at, window_seconds))
        .min_by_key(|candidate| {
            (
                candidate.distance,
                Reverse(candidate.opened_at),
                Reverse(candidate.incident.id),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::IncidentId;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn service(n: u128) -> ServiceId {
        ServiceId(Uuid::from_u128(n))
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    fn incident(n: u128, distance: u32, opened: i64) -> UpstreamIncident {
        UpstreamIncident {
            incident: IncidentRef {
                id: IncidentId(Uuid::from_u128(n)),
                number: i64::try_from(n).expect("small"),
            },
            service: service(n),
            service_name: format!("svc{n}"),
            distance,
            opened_at: at(opened),
        }
    }

    #[test]
    fn distances_are_shortest_paths_through_the_dag() {
        // 1 -> 2 -> 4, 1 -> 3 -> 4 -> 5, 6 unrelated.
        let graph = BTreeMap::from([
            (service(1), vec![service(2), service(3)]),
            (service(2), vec![service(4)]),
            (service(3), vec![service(4)]),
            (service(4), vec![service(5)]),
            (service(6), vec![service(1)]),
        ]);
        let distances = upstream_distances(&graph, service(1));
        assert_eq!(
            distances,
            BTreeMap::from([
                (service(2), 1),
                (service(3), 1),
                (service(4), 2),
                (service(5), 3)
            ])
        );
        assert!(upstream_distances(&graph, service(5)).is_empty());
    }

    #[test]
    fn the_nearest_then_most_recent_incident_within_the_window_wins() {
        let candidates = [
            incident(1, 2, 50),
            incident(2, 1, 10),
            incident(3, 1, 40),
            incident(4, 1, -1000),
        ];
        let chosen = choose_upstream(&candidates, 900, at(60)).expect("one is eligible");
        assert_eq!(
            chosen.incident.number, 3,
            "distance 1, opened most recently"
        );
        assert_eq!(
            choose_upstream(&candidates[..1], 900, at(60)).map(|c| c.incident.number),
            Some(1)
        );
        assert_eq!(
            choose_upstream(&candidates[3..], 900, at(60)),
            None,
            "opened before the window"
        );
        assert_eq!(
            choose_upstream(&[incident(5, 1, 100)], 900, at(60)),
            None,
            "opened after the alert"
        );
        assert_eq!(choose_upstream(&[], 900, at(60)), None);
    }

    proptest! {
        #[test]
        fn the_choice_is_eligible_and_nothing_eligible_beats_it(
            specs in prop::collection::vec((1_u32..4, -2000_i64..200), 0..12),
            window in 1_u32..1500,
        ) {
            let candidates: Vec<_> = specs
                .iter()
                .enumerate()
                .map(|(n, (distance, opened))| incident(n as u128 + 1, *distance, *opened))
                .collect();
            let now = at(100);
            let eligible: Vec<_> = candidates
                .iter()
                .filter(|c| c.opened_at <= now && now.duration_since(c.opened_at).as_secs() < i64::from(window))
                .collect();
            let chosen = choose_upstream(&candidates, window, now);
            prop_assert_eq!(chosen.is_some(), !eligible.is_empty());
            if let Some(chosen) = chosen {
                prop_assert!(eligible.contains(&chosen));
                for other in &eligible {
                    prop_assert!(other.distance >= chosen.distance);
                    if other.distance == chosen.distance {
                        prop_assert!(other.opened_at <= chosen.opened_at);
                    }
                }
                let mut reversed = candidates.clone();
                reversed.reverse();
                prop_assert_eq!(choose_upstream(&reversed, window, now), Some(chosen));
            }
        }
    }
}
