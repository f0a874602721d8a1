//! What an incident costs: people's time weighted by their role (a configurable hourly cost and
//! role weights) plus revenue lost over the impact window, in integer minor units of one currency.
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::alerting::Validate;
use crate::error::{FieldError, ValidationError};

/// The largest hourly cost accepted, in minor units.
pub const MAX_HOURLY_MINOR: i64 = 1_000_000_000;
/// The largest role weight, in percent.
pub const MAX_WEIGHT_PERCENT: u32 = 1_000;

/// How people's time is priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostPolicy {
    /// ISO 4217 code, three capital letters.
    pub currency: String,
    /// One person-hour, in minor units (cents).
    pub hourly_cost_minor: i64,
    /// Per role slug, in percent of the hourly cost (a role not listed counts 100).
    pub role_weights_percent: BTreeMap<String, u32>,
    /// For participants who hold no role, in percent.
    pub participant_weight_percent: u32,
}

impl Default for CostPolicy {
    fn default() -> Self {
        Self {
            currency: "USD".to_owned(),
            hourly_cost_minor: 10_000,
            role_weights_percent: BTreeMap::from([
                ("incident_commander".to_owned(), 150),
                ("technical_lead".to_owned(), 125),
            ]),
            participant_weight_percent: 50,
        }
    }
}

impl Validate for CostPolicy {
    /// Every bad field, named.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let currency_ok =
            self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase());
        if !currency_ok {
            errors.push(FieldError::new(
                "/currency",
                "must be an ISO 4217 code such as USD or EUR",
            ));
        }
        if !(0..=MAX_HOURLY_MINOR).contains(&self.hourly_cost_minor) {
            errors.push(FieldError::new(
                "/hourly_cost_minor",
                format!("must be 0 to {MAX_HOURLY_MINOR}"),
            ));
        }
        for (role, weight) in &self.role_weights_percent {
            if *weight > MAX_WEIGHT_PERCENT {
                errors.push(FieldError::new(
                    format!("/role_weights_percent/{role}"),
                    format!("must be 0 to {MAX_WEIGHT_PERCENT}"),
                ));
            }
        }
        if self.participant_weight_percent > MAX_WEIGHT_PERCENT {
            errors.push(FieldError::new(
                "/participant_weight_percent",
                format!("must be 0 to {MAX_WEIGHT_PERCENT}"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError(errors))
        }
    }
}

impl CostPolicy {
    fn weight_of(&self, role: Option<&str>) -> u32 {
        match role {
            None => self.participant_weight_percent,
            Some(role) => self.role_weights_percent.get(role).copied().unwrap_or(100),
        }
    }
}

/// A stretch of someone's time on the incident: in a role, or as a participant without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub role: Option<String>,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// One line of the people cost: a role (or plain participation) summed over its stretches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostLine {
    /// None: participants without a role.
    pub role: Option<String>,
    pub seconds: i64,
    pub weight_percent: u32,
    pub cost_minor: i64,
}

/// The incident's cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub currency: String,
    pub people_minor: i64,
    pub lines: Vec<CostLine>,
    /// Revenue lost per hour times the impact window.
    pub revenue_minor: i64,
    pub impact_seconds: i64,
    pub total_minor: i64,
}

fn seconds(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs().max(0)
}

/// `amount` per hour over `seconds`, scaled by `percent`, rounded down; saturating.
fn prorate(amount_per_hour: i64, seconds: i64, percent: u32) -> i64 {
    let value =
        i128::from(amount_per_hour) * i128::from(seconds) * i128::from(percent) / (3600 * 100);
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The cost of `stretches` of people's time and of `revenue_per_hour_minor` lost over `impact`.
pub fn cost(
    policy: &CostPolicy,
    stretches: &[Stretch],
    revenue_per_hour_minor: Option<i64>,
    impact: Option<(Timestamp, Timestamp)>,
) -> Cost {
    let mut by_role: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for stretch in stretches {
        *by_role.entry(stretch.role.clone()).or_default() += seconds(stretch.from, stretch.to);
    }
    let lines: Vec<CostLine> = by_role
        .into_iter()
        .map(|(role, seconds)| {
            let weight_percent = policy.weight_of(role.as_deref());
            CostLine {
                cost_minor: prorate(policy.hourly_cost_minor, seconds, weight_percent),
                role,
                seconds,
                weight_percent,
            }
        })
        .collect();
    let people_minor = lines
        .iter()
        .map(|l| l.cost_minor)
        .fold(0i64, i64::saturating_add);
    let impact_seconds = impact.map_or(0, |(from, to)| seconds(from, to));
    let revenue_minor = prorate(
        revenue_per_hour_minor.unwrap_or(0).max(0),
        impact_seconds,
        100,
    );
    Cost {
        currency: policy.currency.clone(),
        people_minor,
        lines,
        revenue_minor,
        impact_seconds,
        total_minor: people_minor.saturating_add(revenue_minor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).expect("in range")
    }

    fn stretch(role: Option<&str>, from: i64, to: i64) -> Stretch {
        Stretch {
            role: role.map(str::to_owned),
            from: at(from),
            to: at(to),
        }
    }

    #[test]
    fn people_time_is_weighted_by_role_and_revenue_counts_over_the_impact_window() {
        let policy = CostPolicy::default();
        let cost = cost(
            &policy,
            &[
                stretch(Some("incident_commander"), 0, 60),
                stretch(Some("scribe"), 0, 30),
                stretch(Some("scribe"), 30, 60),
                stretch(None, 0, 120),
            ],
            Some(1_200_000),
            Some((at(-30), at(90))),
        );
        // One hour at 100.00 x 150% + one hour x 100% + two hours x 50%.
        assert_eq!(cost.people_minor, 15_000 + 10_000 + 10_000);
        let scribe = cost
            .lines
            .iter()
            .find(|l| l.role.as_deref() == Some("scribe"))
            .expect("scribe");
        assert_eq!((scribe.seconds, scribe.weight_percent), (3600, 100));
        // 12,000.00 an hour over two hours.
        assert_eq!(cost.revenue_minor, 2_400_000);
        assert_eq!(cost.impact_seconds, 7200);
        assert_eq!(cost.total_minor, 2_435_000);
    }

    #[test]
    fn nothing_known_costs_nothing_and_backwards_stretches_count_zero() {
        let cost = cost(&CostPolicy::default(), &[stretch(None, 10, 5)], None, None);
        assert_eq!(
            (cost.people_minor, cost.revenue_minor, cost.total_minor),
            (0, 0, 0)
        );
    }

    #[test]
    fn huge_inputs_saturate_instead_of_overflowing() {
        let policy = CostPolicy {
            hourly_cost_minor: MAX_HOURLY_MINOR,
            ..CostPolicy::default()
        };
        let long = Stretch {
            role: Some("incident_commander".into()),
            from: Timestamp::MIN,
            to: Timestamp::MAX,
        };
        let cost = cost(
            &policy,
            &[long.clone(), long],
            Some(i64::MAX),
            Some((Timestamp::MIN, Timestamp::MAX)),
        );
        assert_eq!(cost.total_minor, i64::MAX);
    }

    #[test]
    fn bad_policies_name_each_field() {
        let policy = CostPolicy {
            currency: "usd".into(),
            hourly_cost_minor: -1,
            role_weights_percent: BTreeMap::from([("scribe".to_owned(), 5_000)]),
            participant_weight_percent: 2_000,
        };
        let pointers: Vec<String> = policy
            .validate()
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/currency",
                "/hourly_cost_minor",
                "/role_weights_percent/scribe",
                "/participant_weight_percent"
            ]
        );
        assert!(CostPolicy::default().validate().is_ok());
    }
}
