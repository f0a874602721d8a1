//! Pinned timeline entries, derived from the timeline's `incident.pinned` / `incident.unpinned`
//! events: the latest of the two for an entry decides, and pins are listed in timeline order.

/// A pin or an unpin of the timeline entry `seq`, in timeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFact {
    Pinned(i64),
    Unpinned(i64),
}

/// The seqs pinned after `facts` (oldest first), in timeline order.
pub fn pinned(facts: &[PinFact]) -> Vec<i64> {
    let mut pins: Vec<i64> = Vec::new();
    for fact in facts {
        match *fact {
            PinFact::Pinned(seq) if !pins.contains(&seq) => pins.push(seq),
            PinFact::Pinned(_) => {}
            PinFact::Unpinned(seq) => pins.retain(|p| *p != seq),
        }
    }
    pins.sort_unstable();
    pins
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_latest_pin_or_unpin_of_an_entry_decides() {
        use PinFact::*;
        assert_eq!(pinned(&[Pinned(5), Pinned(2), Unpinned(5)]), [2]);
        assert_eq!(
            pinned(&[Pinned(5), Unpinned(5), Pinned(5), Pinned(1)]),
            [1, 5]
        );
        assert_eq!(pinned(&[Unpinned(3)]), Vec::<i64>::new());
    }

    proptest! {
        #[test]
        fn an_entry_is_pinned_exactly_when_its_last_fact_is_a_pin(
            facts in proptest::collection::vec((any::<bool>(), 1i64..6), 0..30)
        ) {
            let facts: Vec<PinFact> = facts
                .into_iter()
                .map(|(pin, seq)| if pin { PinFact::Pinned(seq) } else { PinFact::Unpinned(seq) })
                .collect();
            let pins = pinned(&facts);
            for seq in 1..6 {
                let last = facts.iter().rev().find(|f| matches!(f, PinFact::Pinned(s) | PinFact::Unpinned(s) if *s == seq));
                prop_assert_eq!(pins.contains(&seq), matches!(last, Some(PinFact::Pinned(_))));
            }
            prop_assert!(pins.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
