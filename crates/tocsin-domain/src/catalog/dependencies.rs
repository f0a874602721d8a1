//! Service dependencies must form a directed acyclic graph; a change that would close a cycle is
//! refused with the cycle spelled out.
use std::collections::{BTreeMap, BTreeSet};

use crate::id::ServiceId;

/// A cycle, listed from the service being changed back to itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dependency cycle: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
pub struct DependencyCycle(pub Vec<ServiceId>);

/// Checks that giving `service` the dependencies `new_dependencies` keeps the graph acyclic.
/// `existing` maps every other service to what it depends on (the entry for `service`, if any, is
/// replaced by `new_dependencies`).
pub fn check_acyclic(
    existing: &BTreeMap<ServiceId, Vec<ServiceId>>,
    service: ServiceId,
    new_dependencies: &[ServiceId],
) -> Result<(), DependencyCycle> {
    let depends_on = |node: ServiceId| -> &[ServiceId] {
        if node == service {
            new_dependencies
        } else {
            existing.get(&node).map_or(&[], Vec::as_slice)
        }
    };
    // Depth-first search from `service`, iterative so a long chain cannot overflow the stack.
    let mut path = vec![service];
    let mut cursors = vec![0_usize];
    let mut finished: BTreeSet<ServiceId> = BTreeSet::new();
    while let Some(&node) = path.last() {
        let index = cursors.last().copied().unwrap_or(0);
        let children = depends_on(node);
        if let Some(&child) = children.get(index) {
            if let Some(last) = cursors.last_mut() {
                *last += 1;
            }
            if child == service {
                let mut cycle = path.clone();
                cycle.push(service);
                return Err(DependencyCycle(cycle));
            }
            if !finished.contains(&child) && !path.contains(&child) {
                path.push(child);
                cursors.push(0);
            }
        } else {
            finished.insert(node);
            path.pop();
            cursors.pop();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn id(n: u128) -> ServiceId {
        ServiceId(Uuid::from_u128(n))
    }

    #[test]
    fn a_self_dependency_is_a_cycle() {
        let cycle = check_acyclic(&BTreeMap::new(), id(1), &[id(1)]).expect_err("self loop");
        assert_eq!(cycle.0, vec![id(1), id(1)]);
    }

    #[test]
    fn a_longer_cycle_is_named_in_order() {
        let existing = BTreeMap::from([(id(2), vec![id(3)]), (id(3), vec![id(1)])]);
        let cycle = check_acyclic(&existing, id(1), &[id(2)]).expect_err("1 -> 2 -> 3 -> 1");
        assert_eq!(cycle.0, vec![id(1), id(2), id(3), id(1)]);
    }

    #[test]
    fn a_diamond_is_fine() {
        let existing = BTreeMap::from([(id(2), vec![id(4)]), (id(3), vec![id(4)])]);
        assert!(check_acyclic(&existing, id(1), &[id(2), id(3)]).is_ok());
    }

    #[test]
    fn replacing_dependencies_can_remove_a_cycle() {
        let existing = BTreeMap::from([(id(1), vec![id(2)]), (id(2), vec![id(1)])]);
        assert!(check_acyclic(&existing, id(1), &[]).is_ok());
    }

    /// Brute force: a cycle through `service` exists iff `service` reaches itself.
    fn reaches_itself(graph: &BTreeMap<ServiceId, Vec<ServiceId>>, service: ServiceId) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<ServiceId> = graph.get(&service).cloned().unwrap_or_default();
        while let Some(node) = stack.pop() {
            if node == service {
                return true;
            }
            if seen.insert(node) {
                stack.extend(graph.get(&node).cloned().unwrap_or_default());
            }
        }
        false
    }

    proptest! {
        #[test]
        fn agrees_with_a_brute_force_reachability_check(
            edges in proptest::collection::vec((0_u128..8, 0_u128..8), 0..20),
            new_edges in proptest::collection::vec(0_u128..8, 0..4),
        ) {
            let mut existing: BTreeMap<ServiceId, Vec<ServiceId>> = BTreeMap::new();
            for (from, to) in edges.into_iter().filter(|(from, _)| *from != 0) {
                existing.entry(id(from)).or_default().push(id(to));
            }
            let new: Vec<ServiceId> = new_edges.into_iter().map(id).collect();
            let mut combined = existing.clone();
            combined.insert(id(0), new.clone());
            let verdict = check_acyclic(&existing, id(0), &new);
            prop_assert_eq!(verdict.is_err(), reaches_itself(&combined, id(0)));
            if let Err(cycle) = verdict {
                prop_assert_eq!(cycle.0.first(), Some(&id(0)));
                prop_assert_eq!(cycle.0.last(), Some(&id(0)));
                for pair in cycle.0.windows(2) {
                    prop_assert!(combined.get(&pair[0]).is_some_and(|deps| deps.contains(&pair[1])));
                }
            }
        }
    }
}
