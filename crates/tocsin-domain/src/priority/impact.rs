//! Impact from business inputs by thresholds (customers affected, revenue per hour in minor
//! units, the service's criticality tier, regulatory exposure), and urgency from severity.
//! Each answers its level with the threshold that set it, in words.
use serde::{Deserialize, Serialize};

use super::Level;
use crate::alerting::severity::Severity;
use crate::error::{Collector, FieldError};

/// What is known of an incident's business impact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactInputs {
    pub customers_affected: Option<i64>,
    /// Revenue at risk per hour, in minor units (cents).
    pub revenue_per_hour_minor: Option<i64>,
    /// The service's criticality tier, 1 (most critical) to 4.
    pub service_tier: Option<u8>,
    pub regulatory_exposure: bool,
}

/// What makes an impact at least this level: any one criterion met is enough.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactBand {
    #[serde(default)]
    pub customers_at_least: Option<i64>,
    #[serde(default)]
    pub revenue_per_hour_minor_at_least: Option<i64>,
    /// A service of this tier or more critical (1 is the most critical).
    #[serde(default)]
    pub tier_at_most: Option<u8>,
    /// Regulatory exposure alone reaches this level.
    #[serde(default)]
    pub regulatory_exposure: bool,
}

impl ImpactBand {
    /// The first criterion `inputs` meet, in words.
    fn met_by(&self, inputs: &ImpactInputs) -> Option<String> {
        if let (Some(at_least), Some(customers)) =
            (self.customers_at_least, inputs.customers_affected)
            && customers >= at_least
        {
            return Some(format!(
                "{customers} customers affected (at least {at_least})"
            ));
        }
        if let (Some(at_least), Some(revenue)) = (
            self.revenue_per_hour_minor_at_least,
            inputs.revenue_per_hour_minor,
        ) && revenue >= at_least
        {
            return Some(format!(
                "revenue at risk {revenue} minor units per hour (at least {at_least})"
            ));
        }
        if let (Some(at_most), Some(tier)) = (self.tier_at_most, inputs.service_tier)
            && tier <= at_most
        {
            return Some(format!(
                "service tier {tier} (tier {at_most} or more critical)"
            ));
        }
        if self.regulatory_exposure && inputs.regulatory_exposure {
            return Some("regulatory exposure".to_owned());
        }
        None
    }

    fn check(&self, errors: &mut Collector, pointer: &str) {
        if self.customers_at_least.is_some_and(|n| n < 0) {
            errors.push(FieldError::new(
                format!("{pointer}/customers_at_least"),
                "must not be negative",
            ));
        }
        if self.revenue_per_hour_minor_at_least.is_some_and(|n| n < 0) {
            errors.push(FieldError::new(
                format!("{pointer}/revenue_per_hour_minor_at_least"),
                "must not be negative",
            ));
        }
        if self.tier_at_most.is_some_and(|t| !(1..=4).contains(&t)) {
            errors.push(FieldError::new(
                format!("{pointer}/tier_at_most"),
                "must be a tier from 1 to 4",
            ));
        }
    }
}

/// The high and medium bands; anything below medium is low impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactThresholds {
    pub high: ImpactBand,
    pub medium: ImpactBand,
}

impl Default for ImpactThresholds {
    /// High: 1,000 customers, 1,000,000 minor units (10,000.00) an hour, or regulatory
    /// exposure. Medium: 100 customers, 100,000 minor units an hour, or a tier 1 service.
    fn default() -> Self {
        Self {
            high: ImpactBand {
                customers_at_least: Some(1000),
                revenue_per_hour_minor_at_least: Some(1_000_000),
                tier_at_most: None,
                regulatory_exposure: true,
            },
            medium: ImpactBand {
                customers_at_least: Some(100),
                revenue_per_hour_minor_at_least: Some(100_000),
                tier_at_most: Some(1),
                regulatory_exposure: false,
            },
        }
    }
}

impl ImpactThresholds {
    /// The impact of `inputs` and the threshold that set it.
    pub fn impact(&self, inputs: &ImpactInputs) -> (Level, String) {
        if let Some(why) = self.high.met_by(inputs) {
            return (Level::HIGH, format!("impact high: {why}"));
        }
        if let Some(why) = self.medium.met_by(inputs) {
            return (Level::MEDIUM, format!("impact medium: {why}"));
        }
        (Level::LOW, "impact low: no impact threshold met".to_owned())
    }

    pub(crate) fn check(&self, errors: &mut Collector, pointer: &str) {
        self.high.check(errors, &format!("{pointer}/high"));
        self.medium.check(errors, &format!("{pointer}/medium"));
    }
}

/// Urgency per severity, unless given by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgencyMap {
    pub critical: Level,
    pub error: Level,
    pub warning: Level,
    pub info: Level,
}

impl Default for UrgencyMap {
    fn default() -> Self {
        Self {
            critical: Level::HIGH,
            error: Level::MEDIUM,
            warning: Level::LOW,
            info: Level::LOW,
        }
    }
}

impl UrgencyMap {
    /// The urgency of `severity`, or `by_hand` when given, and why.
    pub fn urgency(&self, severity: Severity, by_hand: Option<Level>) -> (Level, String) {
        if let Some(level) = by_hand {
            return (level, format!("urgency {} (set by hand)", level.name()));
        }
        let level = match severity {
            Severity::Critical => self.critical,
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        };
        (
            level,
            format!(
                "urgency {} from severity {}",
                level.name(),
                severity.as_str()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_band_met_sets_the_impact_and_says_which_threshold() {
        let t = ImpactThresholds::default();
        let (level, why) = t.impact(&ImpactInputs {
            customers_affected: Some(2500),
            ..ImpactInputs::default()
        });
        assert_eq!(level, Level::HIGH);
        assert_eq!(why, "impact high: 2500 customers affected (at least 1000)");
        let (level, why) = t.impact(&ImpactInputs {
            revenue_per_hour_minor: Some(150_000),
            ..ImpactInputs::default()
        });
        assert_eq!(level, Level::MEDIUM);
        assert!(why.contains("revenue at risk 150000"), "{why}");
        let (level, why) = t.impact(&ImpactInputs {
            service_tier: Some(1),
            ..ImpactInputs::default()
        });
        assert_eq!(
            (level, why.as_str()),
            (
                Level::MEDIUM,
                "impact medium: service tier 1 (tier 1 or more critical)"
            )
        );
        let (level, _) = t.impact(&ImpactInputs {
            regulatory_exposure: true,
            service_tier: Some(3),
            ..ImpactInputs::default()
        });
        assert_eq!(level, Level::HIGH);
        let (level, why) = t.impact(&ImpactInputs::default());
        assert_eq!(
            (level, why.as_str()),
            (Level::LOW, "impact low: no impact threshold met")
        );
    }

    #[test]
    fn urgency_follows_severity_unless_set_by_hand() {
        let map = UrgencyMap::default();
        assert_eq!(map.urgency(Severity::Critical, None).0, Level::HIGH);
        assert_eq!(map.urgency(Severity::Info, None).0, Level::LOW);
        let (level, why) = map.urgency(Severity::Info, Some(Level::HIGH));
        assert_eq!(level, Level::HIGH);
        assert!(why.contains("by hand"));
    }

    #[test]
    fn bad_thresholds_are_named() {
        let mut t = ImpactThresholds::default();
        t.high.customers_at_least = Some(-1);
        t.medium.tier_at_most = Some(9);
        let mut errors = Collector::default();
        t.check(&mut errors, "/impact");
        let pointers: Vec<_> = errors
            .finish()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/impact/high/customers_at_least",
                "/impact/medium/tier_at_most"
            ]
        );
    }
}
