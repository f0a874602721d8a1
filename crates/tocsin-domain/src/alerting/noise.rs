//! Per-service noise control settings, as JSON `{"transient_pause_seconds": 30, "flap":
//! {"max_changes": 4, "window_seconds": 600}}`: a transient pause (every new alert waits that long
//! before paging, to see whether it resolves on its own) and flap detection. Both off by default.
use serde::{Deserialize, Serialize};

use super::config::Validate;
use super::flap::FlapPolicy;
use crate::error::{Collector, FieldError, ValidationError};

/// Longest transient pause and flap window: one day.
pub const MAX_SECONDS: u32 = 24 * 60 * 60;
/// Largest number of state changes a flap policy allows within its window.
pub const MAX_FLAP_CHANGES: u32 = 1000;

/// A service's noise control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseControl {
    /// Seconds a new alert is held to see whether it is transient; 0 is off.
    #[serde(default)]
    pub transient_pause_seconds: u32,
    /// More than `max_changes` triggers and resolves of one alert key within `window_seconds`
    /// is flapping; absent is off.
    #[serde(default)]
    pub flap: Option<FlapPolicy>,
}

impl NoiseControl {
    /// Whether neither the pause nor flap detection is on.
    pub fn is_off(&self) -> bool {
        self.transient_pause_seconds == 0 && self.flap.is_none()
    }
}

impl Validate for NoiseControl {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.transient_pause_seconds > MAX_SECONDS {
            errors.push(FieldError::new(
                "/transient_pause_seconds",
                format!("must be from 0 (off) to {MAX_SECONDS} (one day)"),
            ));
        }
        if let Some(flap) = self.flap {
            if !(1..=MAX_FLAP_CHANGES).contains(&flap.max_changes) {
                errors.push(FieldError::new(
                    "/flap/max_changes",
                    format!("must be from 1 to {MAX_FLAP_CHANGES}"),
                ));
            }
            if !(1..=MAX_SECONDS).contains(&flap.window_seconds) {
                errors.push(FieldError::new(
                    "/flap/window_seconds",
                    format!("must be from 1 to {MAX_SECONDS} (one day)"),
                ));
            }
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use serde_json::json;

    #[test]
    fn reads_the_settings_and_defaults_to_off() {
        let parsed: NoiseControl = from_json(json!({
            "transient_pause_seconds": 30, "flap": {"max_changes": 4, "window_seconds": 600}
        }))
        .expect("valid");
        assert_eq!(parsed.transient_pause_seconds, 30);
        assert_eq!(
            parsed.flap,
            Some(FlapPolicy {
                max_changes: 4,
                window_seconds: 600
            })
        );
        let off: NoiseControl = from_json(json!({})).expect("empty is off");
        assert!(off.is_off());
        assert_eq!(off, NoiseControl::default());
    }

    #[test]
    fn refuses_out_of_bounds_and_unknown_fields_naming_them() {
        let error = from_json::<NoiseControl>(json!({
            "transient_pause_seconds": 86401, "flap": {"max_changes": 0, "window_seconds": 0}
        }))
        .expect_err("out of bounds");
        let pointers: Vec<_> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/transient_pause_seconds",
                "/flap/max_changes",
                "/flap/window_seconds"
            ]
        );
        let typo =
            from_json::<NoiseControl>(json!({"transient_pause": 3})).expect_err("unknown field");
        assert!(typo.0[0].detail.contains("unknown field"), "{typo}");
        let negative = from_json::<NoiseControl>(json!({"transient_pause_seconds": -1}))
            .expect_err("negative");
        assert_eq!(negative.0[0].pointer, "/transient_pause_seconds");
        let nested = from_json::<NoiseControl>(json!({"flap": {"max_changes": 1}}))
            .expect_err("missing window");
        assert!(nested.0[0].pointer.starts_with("/flap"), "{nested}");
    }
}
