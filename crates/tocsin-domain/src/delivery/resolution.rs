//! The outbox step key of resolution notices: one key per resolution of an incident, so each
//! resolution (the first, and each after a reopen) is told once to everyone paged.

/// The step key of an incident's first resolution notices (kept from before incidents reopened).
pub const FIRST_RESOLUTION_STEP: &str = "resolved";

/// The step key of the notices for the resolution that follows `reopens` reopenings: `resolved`
/// for the first, then `resolved.2`, `resolved.3`, ...
pub fn resolution_step_key(reopens: u64) -> String {
    match reopens {
        0 => FIRST_RESOLUTION_STEP.to_owned(),
        n => format!("{FIRST_RESOLUTION_STEP}.{}", n.saturating_add(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_resolution_keeps_its_old_key_and_later_ones_are_numbered() {
        assert_eq!(resolution_step_key(0), "resolved");
        assert_eq!(resolution_step_key(1), "resolved.2");
        assert_eq!(resolution_step_key(2), "resolved.3");
    }

    proptest! {
        #[test]
        fn distinct_resolutions_have_distinct_keys(a in 0u64..1_000_000, b in 0u64..1_000_000) {
            prop_assert_eq!(a == b, resolution_step_key(a) == resolution_step_key(b));
        }

        #[test]
        fn keys_never_collide_with_escalation_steps(n in 0u64..1_000_000) {
            prop_assert!(resolution_step_key(n).starts_with("resolved"));
        }
    }
}
