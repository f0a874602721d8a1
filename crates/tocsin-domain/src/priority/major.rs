//! Major incident criteria: configurable thresholds (a priority at least as urgent as P1/P2,
//! customers affected, revenue at risk, regulatory exposure); the first one met marks the
//! incident major, and says which.
use serde::{Deserialize, Serialize};

use super::{ImpactInputs, Priority};
use crate::error::{Collector, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MajorCriteria {
    /// A priority this urgent or more (P1: only P1).
    #[serde(default)]
    pub priority_at_most: Option<Priority>,
    #[serde(default)]
    pub customers_at_least: Option<i64>,
    #[serde(default)]
    pub revenue_per_hour_minor_at_least: Option<i64>,
    #[serde(default)]
    pub regulatory_exposure: bool,
}

impl Default for MajorCriteria {
    /// P1, or 10,000 customers affected.
    fn default() -> Self {
        Self {
            priority_at_most: Some(Priority::P1),
            customers_at_least: Some(10_000),
            revenue_per_hour_minor_at_least: None,
            regulatory_exposure: false,
        }
    }
}

impl MajorCriteria {
    /// The criterion met, in words; `None`: not major.
    pub fn matched(&self, priority: Priority, inputs: &ImpactInputs) -> Option<String> {
        if let Some(at_most) = self.priority_at_most
            && priority <= at_most
        {
            return Some(format!(
                "priority {priority} (major at {at_most} or more urgent)"
            ));
        }
        if let (Some(at_least), Some(n)) = (self.customers_at_least, inputs.customers_affected)
            && n >= at_least
        {
            return Some(format!("{n} customers affected (major at {at_least})"));
        }
        if let (Some(at_least), Some(n)) = (
            self.revenue_per_hour_minor_at_least,
            inputs.revenue_per_hour_minor,
        ) && n >= at_least
        {
            return Some(format!(
                "revenue at risk {n} minor units per hour (major at {at_least})"
            ));
        }
        if self.regulatory_exposure && inputs.regulatory_exposure {
            return Some("regulatory exposure".to_owned());
        }
        None
    }

    pub(crate) fn check(&self, errors: &mut Collector) {
        if self.customers_at_least.is_some_and(|n| n < 0) {
            errors.push(FieldError::new(
                "/major/customers_at_least",
                "must not be negative",
            ));
        }
        if self.revenue_per_hour_minor_at_least.is_some_and(|n| n < 0) {
            errors.push(FieldError::new(
                "/major/revenue_per_hour_minor_at_least",
                "must not be negative",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_criterion_met_is_named() {
        let c = MajorCriteria {
            priority_at_most: Some(Priority::P2),
            customers_at_least: Some(500),
            revenue_per_hour_minor_at_least: Some(5_000_000),
            regulatory_exposure: true,
        };
        let none = ImpactInputs::default();
        assert_eq!(
            c.matched(Priority::P2, &none).as_deref(),
            Some("priority P2 (major at P2 or more urgent)")
        );
        assert_eq!(c.matched(Priority::P3, &none), None);
        let many = ImpactInputs {
            customers_affected: Some(500),
            ..none
        };
        assert_eq!(
            c.matched(Priority::P4, &many).as_deref(),
            Some("500 customers affected (major at 500)")
        );
        let money = ImpactInputs {
            revenue_per_hour_minor: Some(5_000_000),
            ..none
        };
        assert!(
            c.matched(Priority::P5, &money)
                .is_some_and(|w| w.contains("revenue"))
        );
        let regulated = ImpactInputs {
            regulatory_exposure: true,
            ..none
        };
        assert_eq!(
            c.matched(Priority::P5, &regulated).as_deref(),
            Some("regulatory exposure")
        );
        assert_eq!(MajorCriteria::default().matched(Priority::P2, &none), None);
    }
}
