//! The verdict on one incoming trigger: the event rules (route, severity, keys, tags, suppress,
//! drop), then whether anything holds it back — a silence, a maintenance window of its service,
//! or an inhibiting alert that is firing — each decision explained in words.
use std::collections::HashMap;

use jiff::Timestamp;
use uuid::Uuid;

use super::FieldMap;
use super::Severity;
use super::grouping::GroupingPolicy;
use super::hold::{NamedThreshold, NoiseCheck};
use super::inhibit::{InhibitRule, first_inhibitor};
use super::lifecycle::IncidentLifecycle;
use super::maintenance::MaintenanceWindow;
use super::noise::NoiseControl;
use super::rules::{Rule, RuleOutcome, evaluate};
use super::silence::Silence;
use crate::id::ServiceId;

/// Everything configured that can decide about an alert.
#[derive(Debug, Clone, Default)]
pub struct Orchestration {
    pub global_rules: Vec<Rule>,
    pub service_rules: HashMap<ServiceId, Vec<Rule>>,
    pub silences: Vec<(Uuid, Silence)>,
    pub maintenance: Vec<(Uuid, MaintenanceWindow)>,
    pub inhibit_rules: Vec<InhibitRule>,
    /// How each service groups its alerts into incidents (absent: off, one incident per alert).
    pub grouping: HashMap<ServiceId, GroupingPolicy>,
    /// Each service's incident lifecycle settings (absent: the defaults).
    pub lifecycle: HashMap<ServiceId, IncidentLifecycle>,
    /// Each service's transient pause and flap detection (absent: off).
    pub noise: HashMap<ServiceId, NoiseControl>,
}

/// A firing (open, not suppressed) alert that may inhibit others.
#[derive(Debug, Clone)]
pub struct FiringAlert {
    pub id: Uuid,
    pub fields: FieldMap,
}

/// What happens to the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Store it and let it page.
    Page,
    /// Store and count it, but hold it back: it pages only if it is still firing when the
    /// reason ends.
    Suppress { reason: String },
    /// Do not store it as an alert; the drop itself is recorded.
    Drop { reason: String },
}

/// The verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub rules: RuleOutcome,
    /// The service the alert belongs to after routing.
    pub service: ServiceId,
    pub disposition: Disposition,
    /// Every decision, in words, in the order taken.
    pub explanations: Vec<String>,
}

/// Decides about a trigger for `service` with `fields`, at `at`. `firing` are the open alerts
/// that may inhibit it; `self_id` (an existing open alert under the same key) is never its own
/// inhibitor.
pub fn decide(
    config: &Orchestration,
    service: ServiceId,
    fields: &FieldMap,
    firing: &[FiringAlert],
    self_id: Option<Uuid>,
    at: Timestamp,
) -> Verdict {
    let no_rules: &[Rule] = &[];
    let rules = evaluate(
        &config.global_rules,
        service,
        |routed| {
            config
                .service_rules
                .get(&routed)
                .map_or(no_rules, Vec::as_slice)
        },
        fields,
    );
    let service = rules.service_or(service);
    let mut explanations = rules.explanations.clone();
    let disposition = if rules.drop {
        Disposition::Drop {
            reason: "dropped by an event rule".into(),
        }
    } else if rules.suppress {
        Disposition::Suppress {
            reason: "suppressed by an event rule".into(),
        }
    } else {
        held_back(config, service, fields, firing, self_id, at)
            .map_or(Disposition::Page, |reason| Disposition::Suppress { reason })
    };
    match &disposition {
        Disposition::Page => {}
        Disposition::Suppress { reason } | Disposition::Drop { reason } => {
            explanations.push(reason.clone());
        }
    }
    Verdict {
        rules,
        service,
        disposition,
        explanations,
    }
}

impl Verdict {
    /// The alert's grouping key and its routed service's policy, when the service groups.
    pub fn grouping(
        &self,
        config: &Orchestration,
        fields: &FieldMap,
    ) -> Option<(String, GroupingPolicy)> {
        let policy = config.grouping.get(&self.service)?;
        policy
            .grouping_key(fields, self.rules.grouping_key.as_deref())
            .map(|key| (key, policy.clone()))
    }

    /// The noise rules (see `hold`) for a trigger this verdict lets page, with `severity` after
    /// the rules: the rules' threshold and the routed service's noise control; `None` when none
    /// applies or the verdict does not page.
    pub fn noise_check(&self, config: &Orchestration, severity: Severity) -> Option<NoiseCheck> {
        if self.disposition != Disposition::Page {
            return None;
        }
        let threshold = self.rules.threshold.map(|threshold| NamedThreshold {
            rule: self.rules.threshold_rule.clone().unwrap_or_default(),
            threshold,
        });
        NoiseCheck::new(
            severity,
            threshold,
            config.noise.get(&self.service).copied(),
        )
    }
}

/// Why a silence, maintenance window or inhibition holds the alert back, if one does.
pub fn held_back(
    config: &Orchestration,
    service: ServiceId,
    fields: &FieldMap,
    firing: &[FiringAlert],
    self_id: Option<Uuid>,
    at: Timestamp,
) -> Option<String> {
    if let Some((id, silence)) = config
        .silences
        .iter()
        .find(|(_, silence)| silence.suppresses(fields, at))
    {
        return Some(format!(
            "silenced by silence {id} ({}) by {} until {}: {}",
            silence.matchers, silence.created_by, silence.ends_at, silence.comment
        ));
    }
    if let Some((id, window)) = config
        .maintenance
        .iter()
        .find(|(_, window)| window.holds(service, at))
    {
        let what = if window.description.is_empty() {
            String::new()
        } else {
            format!(" ({})", window.description)
        };
        return Some(format!(
            "held by maintenance window {id}{what}: the service is in maintenance"
        ));
    }
    let target = self_id.unwrap_or_else(Uuid::nil);
    let sources = firing.iter().map(|alert| (&alert.fields, alert.id));
    first_inhibitor(&config.inhibit_rules, fields, &target, sources).map(|(index, source)| {
        let rule = &config.inhibit_rules[index];
        format!(
            "inhibited by firing alert {source} (inhibition rule {}: {} inhibits {}{})",
            index + 1,
            rule.source_matchers,
            rule.target_matchers,
            if rule.equal.is_empty() {
                String::new()
            } else {
                format!(" with equal {}", rule.equal.join(", "))
            }
        )
    })
}

/// When the answer of `held_back` may next change on its own (a silence starting or ending, a
/// maintenance window opening or closing): the instant to re-evaluate held alerts.
pub fn next_change_after(config: &Orchestration, at: Timestamp) -> Option<Timestamp> {
    let silences = config.silences.iter().flat_map(|(_, silence)| {
        [silence.starts_at, silence.ends_at]
            .into_iter()
            .filter(move |instant| *instant > at)
    });
    let windows = config
        .maintenance
        .iter()
        .filter_map(|(_, window)| window.next_change_after(at));
    silences.chain(windows).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::Matchers;
    use crate::alerting::maintenance::MaintenanceSchedule;

    fn at(n: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + n).expect("valid")
    }

    fn fields(pairs: &[(&str, &str)]) -> FieldMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn matchers(text: &str) -> Matchers {
        Matchers::parse(text).expect("valid matchers")
    }

    const SERVICE: ServiceId = ServiceId(Uuid::from_u128(7));

    #[test]
    fn with_nothing_configured_an_alert_pages() {
        let verdict = decide(
            &Orchestration::default(),
            SERVICE,
            &fields(&[]),
            &[],
            None,
            at(0),
        );
        assert_eq!(verdict.disposition, Disposition::Page);
        assert_eq!(verdict.service, SERVICE);
        assert!(verdict.explanations.is_empty());
    }

    #[test]
    fn an_active_matching_silence_suppresses_and_says_which() {
        let silence_id = Uuid::from_u128(1);
        let config = Orchestration {
            silences: vec![(
                silence_id,
                Silence {
                    matchers: matchers(r#"alertname="DiskFull""#),
                    starts_at: at(0),
                    ends_at: at(100),
                    created_by: "ada".into(),
                    comment: "disk swap".into(),
                },
            )],
            ..Orchestration::default()
        };
        let disk = fields(&[("alertname", "DiskFull")]);
        let verdict = decide(&config, SERVICE, &disk, &[], None, at(50));
        let Disposition::Suppress { reason } = verdict.disposition else {
            panic!("expected a suppression");
        };
        assert!(
            reason.contains(&silence_id.to_string()) && reason.contains("disk swap"),
            "{reason}"
        );
        assert_eq!(
            decide(&config, SERVICE, &disk, &[], None, at(100)).disposition,
            Disposition::Page
        );
        let other = fields(&[("alertname", "CpuHigh")]);
        assert_eq!(
            decide(&config, SERVICE, &other, &[], None, at(50)).disposition,
            Disposition::Page
        );
        assert_eq!(next_change_after(&config, at(50)), Some(at(100)));
        assert_eq!(next_change_after(&config, at(100)), None);
    }

    #[test]
    fn maintenance_holds_only_its_services_while_active() {
        let config = Orchestration {
            maintenance: vec![(
                Uuid::from_u128(2),
                MaintenanceWindow {
                    services: vec![SERVICE],
                    description: "db upgrade".into(),
                    schedule: MaintenanceSchedule::OneOff {
                        starts_at: at(10),
                        ends_at: at(20),
                    },
                },
            )],
            ..Orchestration::default()
        };
        let any = fields(&[]);
        assert_eq!(
            decide(&config, SERVICE, &any, &[], None, at(5)).disposition,
            Disposition::Page
        );
        assert!(matches!(
            decide(&config, SERVICE, &any, &[], None, at(15)).disposition,
            Disposition::Suppress { reason } if reason.contains("db upgrade")
        ));
        let elsewhere = ServiceId(Uuid::from_u128(8));
        assert_eq!(
            decide(&config, elsewhere, &any, &[], None, at(15)).disposition,
            Disposition::Page
        );
        assert_eq!(next_change_after(&config, at(5)), Some(at(10)));
        assert_eq!(next_change_after(&config, at(15)), Some(at(20)));
    }

    #[test]
    fn noise_rules_apply_only_to_a_trigger_that_pages() {
        use crate::alerting::flap::FlapPolicy;
        use crate::alerting::rules::RuleAction;
        let mut config = Orchestration {
            global_rules: vec![Rule {
                name: "three strikes".into(),
                conditions: matchers(r#"alertname="Disk""#),
                actions: vec![RuleAction::Threshold {
                    count: 3,
                    window_seconds: 60,
                }],
                continue_after: false,
            }],
            ..Orchestration::default()
        };
        let disk = fields(&[("alertname", "Disk")]);
        let verdict = decide(&config, SERVICE, &disk, &[], None, at(0));
        let check = verdict
            .noise_check(&config, Severity::Warning)
            .expect("a threshold applies");
        assert_eq!(
            check.threshold.map(|t| t.rule),
            Some("three strikes".to_owned())
        );
        let other = decide(&config, SERVICE, &fields(&[]), &[], None, at(0));
        assert_eq!(other.noise_check(&config, Severity::Warning), None);
        config.noise.insert(
            SERVICE,
            NoiseControl {
                transient_pause_seconds: 0,
                flap: Some(FlapPolicy {
                    max_changes: 2,
                    window_seconds: 60,
                }),
            },
        );
        assert!(other.noise_check(&config, Severity::Info).is_some());
        config.global_rules[0].actions = vec![RuleAction::Suppress];
        let suppressed = decide(&config, SERVICE, &disk, &[], None, at(0));
        assert_eq!(
            suppressed.noise_check(&config, Severity::Info),
            None,
            "held by a rule already"
        );
    }

    #[test]
    fn a_firing_source_inhibits_a_matching_target_but_never_itself() {
        let config = Orchestration {
            inhibit_rules: vec![InhibitRule {
                source_matchers: matchers(r#"alertname="HostDown""#),
                target_matchers: matchers(r#"severity="warning""#),
                equal: vec!["host".into()],
            }],
            ..Orchestration::default()
        };
        let host_down = FiringAlert {
            id: Uuid::from_u128(3),
            fields: fields(&[("alertname", "HostDown"), ("host", "db-1")]),
        };
        let same_host = fields(&[("severity", "warning"), ("host", "db-1")]);
        let other_host = fields(&[("severity", "warning"), ("host", "db-2")]);
        let firing = [host_down.clone()];
        assert!(matches!(
            decide(&config, SERVICE, &same_host, &firing, None, at(0)).disposition,
            Disposition::Suppress { reason } if reason.contains(&host_down.id.to_string())
        ));
        assert_eq!(
            decide(&config, SERVICE, &other_host, &firing, None, at(0)).disposition,
            Disposition::Page
        );
        assert_eq!(
            decide(
                &config,
                SERVICE,
                &same_host,
                &firing,
                Some(host_down.id),
                at(0)
            )
            .disposition,
            Disposition::Page,
            "an alert is never its own inhibitor"
        );
    }
}
