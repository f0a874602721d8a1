//! Dynamic priority rules, applied in order after the matrix: each has conditions (a time-of-day
//! window in a time zone, days of the week, inside a named business-event window such as "Black
//! Friday sale", the service's tier) that must all hold, and an effect (raise or lower by N
//! steps, or set). Evaluation answers the final priority and every rule that applied, in words.
use jiff::Timestamp;
use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use super::Priority;
use crate::error::{Collector, FieldError};
use crate::values::TimeZoneName;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    fn of(weekday: jiff::civil::Weekday) -> Day {
        use jiff::civil::Weekday as W;
        match weekday {
            W::Monday => Day::Monday,
            W::Tuesday => Day::Tuesday,
            W::Wednesday => Day::Wednesday,
            W::Thursday => Day::Thursday,
            W::Friday => Day::Friday,
            W::Saturday => Day::Saturday,
            W::Sunday => Day::Sunday,
        }
    }
}

/// A local time-of-day window; `from` after `to` wraps past midnight (22:00 to 06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    pub from: Time,
    pub to: Time,
}

impl TimeWindow {
    fn contains(&self, time: Time) -> bool {
        if self.from <= self.to {
            self.from <= time && time < self.to
        } else {
            time >= self.from || time < self.to
        }
    }
}

/// A named window of the business-event calendar (a sales peak, a launch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessEvent {
    pub name: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// What must all hold for a rule to apply (at least one is given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConditions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_of_day: Option<TimeWindow>,
    /// The IANA zone `time_of_day` and `days` are read in (UTC when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Day>,
    /// Inside a window of the calendar with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<u8>,
}

/// What a rule does to the priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// More urgent by N steps (towards P1).
    Raise(u8),
    /// Less urgent by N steps (towards P5).
    Lower(u8),
    Set(Priority),
}

impl Effect {
    fn apply(self, priority: Priority) -> Priority {
        match self {
            Effect::Raise(n) => priority.raised(n),
            Effect::Lower(n) => priority.lowered(n),
            Effect::Set(p) => p,
        }
    }
}

/// A named rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicRule {
    pub name: String,
    pub when: RuleConditions,
    pub effect: Effect,
}

/// What rules are evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext {
    pub at: Timestamp,
    pub service_tier: Option<u8>,
}

impl DynamicRule {
    /// Why the rule applies at `context`, or `None` when a condition does not hold.
    fn applies(&self, context: &RuleContext, calendar: &[BusinessEvent]) -> Option<Vec<String>> {
        let when = &self.when;
        let mut why = Vec::new();
        if when.time_of_day.is_some() || !when.days.is_empty() {
            let zone = when.time_zone.as_deref().unwrap_or("UTC");
            let local = jiff::tz::TimeZone::get(zone).ok()?;
            let local = local.to_datetime(context.at);
            if let Some(window) = when.time_of_day {
                if !window.contains(local.time()) {
                    return None;
                }
                why.push(format!("between {} and {} {zone}", window.from, window.to));
            }
            if !when.days.is_empty() {
                let day = Day::of(local.weekday());
                if !when.days.contains(&day) {
                    return None;
                }
                why.push(format!("on a {day:?}"));
            }
        }
        if let Some(name) = &when.business_event {
            let inside = calendar
                .iter()
                .any(|e| &e.name == name && e.starts_at <= context.at && context.at < e.ends_at);
            if !inside {
                return None;
            }
            why.push(format!("during the business event {name:?}"));
        }
        if let Some(tier) = when.service_tier {
            if context.service_tier != Some(tier) {
                return None;
            }
            why.push(format!("service tier {tier}"));
        }
        Some(why)
    }
}

/// Applies `rules` in order to `base`; answers the final priority and, per rule that applied,
/// what it did and why.
pub fn apply_rules(
    base: Priority,
    context: &RuleContext,
    rules: &[DynamicRule],
    calendar: &[BusinessEvent],
) -> (Priority, Vec<String>) {
    let mut priority = base;
    let mut trail = Vec::new();
    for rule in rules {
        let Some(why) = rule.applies(context, calendar) else {
            continue;
        };
        let next = rule.effect.apply(priority);
        let did = match rule.effect {
            Effect::Raise(n) => format!("raised {priority} by {n} to {next}"),
            Effect::Lower(n) => format!("lowered {priority} by {n} to {next}"),
            Effect::Set(p) => format!("set {p} (was {priority})"),
        };
        trail.push(format!("rule {:?} ({}): {did}", rule.name, why.join(", ")));
        priority = next;
    }
    (priority, trail)
}

/// Checks the rules and the calendar, naming fields under `/rules` and `/calendar`.
pub(crate) fn check(rules: &[DynamicRule], calendar: &[BusinessEvent], errors: &mut Collector) {
    for (index, rule) in rules.iter().enumerate() {
        let at = format!("/rules/{index}");
        if rule.name.trim().is_empty() || rule.name.len() > 100 {
            errors.push(FieldError::new(
                format!("{at}/name"),
                "must be 1 to 100 characters",
            ));
        }
        let when = &rule.when;
        if when.time_of_day.is_none()
            && when.days.is_empty()
            && when.business_event.is_none()
            && when.service_tier.is_none()
        {
            errors.push(FieldError::new(
                format!("{at}/when"),
                "needs at least one condition: time_of_day, days, business_event or service_tier",
            ));
        }
        if let Some(zone) = &when.time_zone
            && let Err(e) = TimeZoneName::parse(zone)
        {
            errors.push(FieldError::new(
                format!("{at}/when/time_zone"),
                e.to_string(),
            ));
        }
        if let Some(name) = &when.business_event
            && !calendar.iter().any(|e| &e.name == name)
        {
            errors.push(FieldError::new(
                format!("{at}/when/business_event"),
                format!("no window of the calendar is named {name:?}"),
            ));
        }
        if when.service_tier.is_some_and(|t| !(1..=4).contains(&t)) {
            errors.push(FieldError::new(
                format!("{at}/when/service_tier"),
                "must be a tier from 1 to 4",
            ));
        }
        if let Effect::Raise(n) | Effect::Lower(n) = rule.effect
            && !(1..=4).contains(&n)
        {
            errors.push(FieldError::new(
                format!("{at}/effect"),
                "must move 1 to 4 steps",
            ));
        }
    }
    for (index, event) in calendar.iter().enumerate() {
        let at = format!("/calendar/{index}");
        if event.name.trim().is_empty() || event.name.len() > 100 {
            errors.push(FieldError::new(
                format!("{at}/name"),
                "must be 1 to 100 characters",
            ));
        }
        if event.ends_at <= event.starts_at {
            errors.push(FieldError::new(
                format!("{at}/ends_at"),
                "must be after starts_at",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    fn black_friday() -> Vec<BusinessEvent> {
        vec![BusinessEvent {
            name: "Black Friday sale".into(),
            starts_at: at("2026-11-27T00:00:00Z"),
            ends_at: at("2026-11-30T00:00:00Z"),
        }]
    }

    fn rule(name: &str, when: RuleConditions, effect: Effect) -> DynamicRule {
        DynamicRule {
            name: name.into(),
            when,
            effect,
        }
    }

    #[test]
    fn a_business_event_window_raises_only_inside_it() {
        let rules = [rule(
            "sales peak",
            RuleConditions {
                business_event: Some("Black Friday sale".into()),
                ..Default::default()
            },
            Effect::Raise(1),
        )];
        let inside = RuleContext {
            at: at("2026-11-28T10:00:00Z"),
            service_tier: None,
        };
        let (p, trail) = apply_rules(Priority::P3, &inside, &rules, &black_friday());
        assert_eq!(p, Priority::P2);
        assert_eq!(
            trail,
            [
                "rule \"sales peak\" (during the business event \"Black Friday sale\"): raised P3 by 1 to P2"
            ]
        );
        let after = RuleContext {
            at: at("2026-12-01T10:00:00Z"),
            service_tier: None,
        };
        assert_eq!(
            apply_rules(Priority::P3, &after, &rules, &black_friday()),
            (Priority::P3, vec![])
        );
    }

    #[test]
    fn time_of_day_in_a_zone_and_days_and_tier_all_must_hold() {
        let night = rule(
            "nights in Paris",
            RuleConditions {
                time_of_day: Some(TimeWindow {
                    from: Time::constant(22, 0, 0, 0),
                    to: Time::constant(6, 0, 0, 0),
                }),
                time_zone: Some("Europe/Paris".into()),
                days: vec![Day::Saturday, Day::Sunday],
                ..Default::default()
            },
            Effect::Lower(1),
        );
        let tier1 = rule(
            "tier 1",
            RuleConditions {
                service_tier: Some(1),
                ..Default::default()
            },
            Effect::Set(Priority::P1),
        );
        let rules = [night, tier1];
        // Saturday 2026-11-28 23:30 UTC is Sunday 00:30 in Paris: night, weekend.
        let ctx = RuleContext {
            at: at("2026-11-28T23:30:00Z"),
            service_tier: Some(2),
        };
        let (p, trail) = apply_rules(Priority::P2, &ctx, &rules, &[]);
        assert_eq!(p, Priority::P3);
        assert_eq!(trail.len(), 1);
        assert!(
            trail[0].contains("between 22:00:00 and 06:00:00 Europe/Paris, on a Sunday"),
            "{trail:?}"
        );
        // Friday 12:00 UTC: neither night nor weekend; the tier rule sets P1.
        let ctx = RuleContext {
            at: at("2026-11-27T12:00:00Z"),
            service_tier: Some(1),
        };
        let (p, trail) = apply_rules(Priority::P4, &ctx, &rules, &[]);
        assert_eq!(p, Priority::P1);
        assert_eq!(trail, ["rule \"tier 1\" (service tier 1): set P1 (was P4)"]);
    }

    #[test]
    fn rules_and_calendar_are_checked() {
        let rules = [
            rule("", RuleConditions::default(), Effect::Raise(9)),
            rule(
                "x",
                RuleConditions {
                    business_event: Some("nope".into()),
                    time_zone: Some("Mars/Base".into()),
                    ..Default::default()
                },
                Effect::Raise(1),
            ),
        ];
        let calendar = [BusinessEvent {
            name: "y".into(),
            starts_at: at("2026-11-28T00:00:00Z"),
            ends_at: at("2026-11-27T00:00:00Z"),
        }];
        let mut errors = Collector::default();
        check(&rules, &calendar, &mut errors);
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
                "/rules/0/name",
                "/rules/0/when",
                "/rules/0/effect",
                "/rules/1/when/time_zone",
                "/rules/1/when/business_event",
                "/calendar/0/ends_at"
            ]
        );
    }
}
