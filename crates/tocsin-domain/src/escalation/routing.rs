//! Routing rules: a service's ordered rules that pick an escalation policy for an alert by its
//! fields (Prometheus-style matchers), its severity and the time of week; the first rule that
//! matches wins, otherwise the service's default policy.
use jiff::Timestamp;
use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use crate::alerting::config::Validate;
use crate::alerting::maintenance::{DayOfWeek, MaintenanceSchedule};
use crate::alerting::{FieldMap, Matchers, Severity};
use crate::error::{Collector, FieldError, ValidationError};
use crate::id::EscalationPolicyId;
use crate::values::{Name, TimeZoneName};

/// The most rules a service may have.
pub const MAX_RULES: usize = 50;

/// A service's routing rules, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    pub rules: Vec<RoutingRule>,
}

/// One rule: alerts that match go to `policy_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub name: Name,
    /// All must match; none matches every alert.
    #[serde(default)]
    pub conditions: Matchers,
    /// Only alerts at least this severe (`error` matches critical and error).
    #[serde(default)]
    pub severity_at_least: Option<Severity>,
    /// Only inside this weekly window.
    #[serde(default)]
    pub active: Option<ActiveWindow>,
    pub policy_id: EscalationPolicyId,
}

/// A weekly window in a time zone: on `days`, from local `start` until local `end` (an `end` at or
/// before `start` runs past midnight into the next day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveWindow {
    pub days: Vec<DayOfWeek>,
    pub start: Time,
    pub end: Time,
    pub time_zone: TimeZoneName,
}

/// The policy chosen for an alert, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChosenPolicy {
    pub policy_id: EscalationPolicyId,
    /// `routing rule "Nights"` or `service default`.
    pub reason: String,
}

impl ActiveWindow {
    /// Whether `at` is inside the window: the same weekly rule maintenance windows follow (local
    /// wall-clock starts, a start in a daylight saving gap moves forward).
    pub fn contains(&self, at: Timestamp) -> bool {
        let minutes = |t: Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
        let mut duration = minutes(self.end) - minutes(self.start);
        if duration <= 0 {
            duration += 24 * 60;
        }
        let weekly = MaintenanceSchedule::Weekly {
            days: self.days.clone(),
            start: self.start,
            duration_minutes: u32::try_from(duration).unwrap_or(0),
            time_zone: self.time_zone.clone(),
        };
        weekly.is_active(at)
    }
}

impl RoutingRule {
    /// Whether an alert with `fields` and `severity` at `at` is routed by this rule.
    pub fn matches(&self, fields: &FieldMap, severity: Severity, at: Timestamp) -> bool {
        self.severity_at_least.is_none_or(|least| severity <= least)
            && self
                .active
                .as_ref()
                .is_none_or(|window| window.contains(at))
            && self.conditions.matches_all(fields)
    }
}

/// The first rule that matches, else the service's `default` policy (`None`: nobody is paged).
pub fn choose_policy(
    default: Option<EscalationPolicyId>,
    rules: &[RoutingRule],
    fields: &FieldMap,
    severity: Severity,
    at: Timestamp,
) -> Option<ChosenPolicy> {
    match rules.iter().find(|rule| rule.matches(fields, severity, at)) {
        Some(rule) => Some(ChosenPolicy {
            policy_id: rule.policy_id,
            reason: format!("routing rule \"{}\"", rule.name),
        }),
        None => default.map(|policy_id| ChosenPolicy {
            policy_id,
            reason: "service default".to_owned(),
        }),
    }
}

impl Validate for RoutingRules {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.rules.len() > MAX_RULES {
            let detail = format!("at most {MAX_RULES} allowed");
            errors.push(FieldError::new("/rules", detail));
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let pointer = format!("/rules/{index}");
            let before = self.rules.get(..index).unwrap_or_default();
            if before.iter().any(|other| other.name == rule.name) {
                let detail = format!("duplicate rule name {:?}", rule.name.as_str());
                errors.push(FieldError::new(format!("{pointer}/name"), detail));
            }
            if let Some(window) = &rule.active
                && window.days.is_empty()
            {
                let detail = "at least one day is required";
                errors.push(FieldError::new(format!("{pointer}/active/days"), detail));
            }
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::alerting::from_json;

    const DAY: &str = "2026-11-30T12:00:00Z"; // a Monday, 12:00 UTC
    const NIGHT: &str = "2026-11-30T23:30:00Z";

    fn policy(n: u128) -> EscalationPolicyId {
        EscalationPolicyId(uuid::Uuid::from_u128(n))
    }

    fn rules() -> RoutingRules {
        from_json(json!({"rules": [
            {"name": "Critical db", "conditions": "{component=\"db\"}",
             "severity_at_least": "critical", "policy_id": policy(1)},
            {"name": "Nights", "active": {"days": ["monday"], "start": "22:00", "end": "06:00",
             "time_zone": "UTC"}, "policy_id": policy(2)},
        ]}))
        .expect("valid")
    }

    fn choose(fields: &FieldMap, severity: Severity, at: &str) -> Option<ChosenPolicy> {
        let at = at.parse().expect("instant");
        choose_policy(Some(policy(9)), &rules().rules, fields, severity, at)
    }

    #[test]
    fn the_first_matching_rule_wins_else_the_default() {
        let mut db = FieldMap::new();
        db.insert("component", "db");
        let chosen = choose(&db, Severity::Critical, NIGHT).expect("a policy");
        assert_eq!(chosen.policy_id, policy(1));
        assert_eq!(chosen.reason, "routing rule \"Critical db\"");
        let chosen = choose(&db, Severity::Error, NIGHT).expect("a policy");
        assert_eq!(
            chosen.policy_id,
            policy(2),
            "not severe enough for the first"
        );
        let chosen = choose(&db, Severity::Error, DAY).expect("a policy");
        assert_eq!(
            (chosen.policy_id, chosen.reason.as_str()),
            (policy(9), "service default")
        );
        assert_eq!(
            choose_policy(None, &[], &db, Severity::Critical, Timestamp::UNIX_EPOCH),
            None
        );
    }

    #[test]
    fn windows_past_midnight_run_into_the_next_day() {
        let window = &rules().rules[1];
        let window = window.active.as_ref().expect("window");
        assert!(window.contains("2026-12-01T05:59:00Z".parse().expect("instant")));
        assert!(!window.contains("2026-12-01T06:00:00Z".parse().expect("instant")));
        assert!(!window.contains("2026-11-30T21:59:00Z".parse().expect("instant")));
    }

    #[test]
    fn broken_rules_are_reported_under_their_field() {
        let error = from_json::<RoutingRules>(json!({"rules": [
            {"name": "A", "policy_id": policy(1)},
            {"name": "A", "active": {"days": [], "start": "22:00", "end": "06:00",
             "time_zone": "UTC"}, "policy_id": policy(1)},
        ]}))
        .expect_err("invalid");
        let pointers: Vec<_> = error.0.into_iter().map(|e| e.pointer).collect();
        assert_eq!(pointers, ["/rules/1/name", "/rules/1/active/days"]);
        let error = from_json::<RoutingRules>(json!({"rules": [
            {"name": "A", "conditions": "{a=~\"(\"}", "policy_id": policy(1)}]}))
        .expect_err("bad regex");
        assert_eq!(error.0[0].pointer, "/rules/0/conditions");
    }
}
