//! Inhibition, as in Alertmanager: while a source alert fires, target alerts that share the
//! `equal` labels with it are held back (a cluster-down alert mutes that cluster's host alerts).
use serde::{Deserialize, Serialize};

use super::config::{Validate, check_names};
use super::{FieldMap, Matchers};
use crate::error::{Collector, FieldError, ValidationError};

/// One inhibition rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitRule {
    /// What an inhibiting alert matches.
    pub source_matchers: Matchers,
    /// What an inhibited alert matches.
    pub target_matchers: Matchers,
    /// Labels whose values must be the same in both alerts (both missing counts as the same).
    #[serde(default)]
    pub equal: Vec<String>,
}

impl InhibitRule {
    /// Whether the firing alert `source` inhibits the alert `target` under this rule.
    ///
    /// As in Alertmanager, when `target` also matches the source matchers, a `source` that also
    /// matches the target matchers does not inhibit it: two alerts that each match both sides do
    /// not mute each other, and an alert passed as both `source` and `target` never mutes itself.
    pub fn inhibits(&self, source: &FieldMap, target: &FieldMap) -> bool {
        if !self.target_matchers.matches_all(target) || !self.source_matchers.matches_all(source) {
            return false;
        }
        if self.source_matchers.matches_all(target) && self.target_matchers.matches_all(source) {
            return false;
        }
        self.equal
            .iter()
            .all(|label| source.get(label) == target.get(label))
    }
}

/// The first rule and firing alert that inhibit `target`, trying rules in order and, for each,
/// the sources in the order given. A source with the target's own id is skipped.
pub fn first_inhibitor<'a, Id: PartialEq + Clone>(
    rules: &[InhibitRule],
    target: &FieldMap,
    target_id: &Id,
    active_sources: impl IntoIterator<Item = (&'a FieldMap, Id)> + Clone,
) -> Option<(usize, Id)> {
    rules.iter().enumerate().find_map(|(index, rule)| {
        if !rule.target_matchers.matches_all(target) {
            return None;
        }
        active_sources
            .clone()
            .into_iter()
            .find(|(source, id)| id != target_id && rule.inhibits(source, target))
            .map(|(_, id)| (index, id))
    })
}

impl Validate for InhibitRule {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        if self.source_matchers.is_empty() {
            errors.push(FieldError::new(
                "/source_matchers",
                "at least one matcher is required, or every alert would inhibit",
            ));
        }
        if self.target_matchers.is_empty() {
            errors.push(FieldError::new(
                "/target_matchers",
                "at least one matcher is required, or every alert could be inhibited",
            ));
        }
        check_names(&mut errors, "/equal", &self.equal, "label name");
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::from_json;
    use serde_json::json;

    fn alert(pairs: &[(&str, &str)]) -> FieldMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn cluster_rule() -> InhibitRule {
        InhibitRule {
            source_matchers: Matchers::parse(r#"{alertname="ClusterDown"}"#).expect("valid"),
            target_matchers: Matchers::parse(r#"{severity=~"warning|error"}"#).expect("valid"),
            equal: vec!["cluster".into()],
        }
    }

    #[test]
    fn a_source_inhibits_targets_with_the_same_equal_labels() {
        let rule = cluster_rule();
        let down = alert(&[("alertname", "ClusterDown"), ("cluster", "eu")]);
        let eu_host = alert(&[
            ("alertname", "HostDown"),
            ("severity", "error"),
            ("cluster", "eu"),
        ]);
        let us_host = alert(&[
            ("alertname", "HostDown"),
            ("severity", "error"),
            ("cluster", "us"),
        ]);
        let critical = alert(&[
            ("alertname", "HostDown"),
            ("severity", "critical"),
            ("cluster", "eu"),
        ]);
        assert!(rule.inhibits(&down, &eu_host));
        assert!(!rule.inhibits(&down, &us_host), "different cluster");
        assert!(
            !rule.inhibits(&down, &critical),
            "target matchers do not match"
        );
        assert!(
            !rule.inhibits(&eu_host, &eu_host),
            "source matchers do not match"
        );
    }

    #[test]
    fn equal_labels_missing_on_both_sides_count_as_equal() {
        let rule = cluster_rule();
        let down = alert(&[("alertname", "ClusterDown")]);
        let host = alert(&[("severity", "warning")]);
        assert!(rule.inhibits(&down, &host));
        let host_in_eu = alert(&[("severity", "warning"), ("cluster", "eu")]);
        assert!(
            !rule.inhibits(&down, &host_in_eu),
            "missing is not equal to eu"
        );
    }

    #[test]
    fn alerts_matching_both_sides_never_inhibit_themselves_or_each_other() {
        let rule = InhibitRule {
            source_matchers: Matchers::parse(r#"{team="db"}"#).expect("valid"),
            target_matchers: Matchers::parse(r#"{team="db"}"#).expect("valid"),
            equal: vec![],
        };
        let first = alert(&[("team", "db"), ("alertname", "A")]);
        let second = alert(&[("team", "db"), ("alertname", "B")]);
        assert!(!rule.inhibits(&first, &first));
        assert!(!rule.inhibits(&first, &second));
        assert!(!rule.inhibits(&second, &first));
    }

    #[test]
    fn first_inhibitor_names_the_rule_and_the_source_and_skips_the_target_itself() {
        let loose = InhibitRule {
            source_matchers: Matchers::parse(r#"{severity="critical"}"#).expect("valid"),
            target_matchers: Matchers::parse(r#"{severity=~".+"}"#).expect("valid"),
            equal: vec!["cluster".into()],
        };
        let rules = [cluster_rule(), loose];
        let down = alert(&[("alertname", "ClusterDown"), ("cluster", "eu")]);
        let disk = alert(&[("severity", "critical"), ("cluster", "eu")]);
        let host = alert(&[("severity", "error"), ("cluster", "eu")]);
        let sources = [(&down, 1_u32), (&disk, 2), (&host, 3)];
        assert_eq!(first_inhibitor(&rules, &host, &3, sources), Some((0, 1)));
        let sources_without_down = [(&disk, 2_u32), (&host, 3)];
        assert_eq!(
            first_inhibitor(&rules, &host, &3, sources_without_down),
            Some((1, 2))
        );
        assert_eq!(first_inhibitor(&rules, &disk, &2, [(&disk, 2_u32)]), None);
        assert_eq!(first_inhibitor(&rules, &host, &3, [(&host, 3_u32)]), None);
    }

    #[test]
    fn validation_points_at_empty_sides_and_bad_equal_labels() {
        let error = from_json::<InhibitRule>(json!({
            "source_matchers": [],
            "target_matchers": "{}",
            "equal": ["cluster", "", "cluster"]
        }))
        .expect_err("invalid");
        let pointers: Vec<_> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/source_matchers",
                "/target_matchers",
                "/equal/1",
                "/equal/2"
            ]
        );
        let parsed: InhibitRule = from_json(json!({
            "source_matchers": ["alertname=ClusterDown"],
            "target_matchers": "{severity=warning}"
        }))
        .expect("equal defaults to none");
        assert!(parsed.equal.is_empty());
        let error = from_json::<InhibitRule>(json!({
            "source_matchers": ["a=b"], "target_matchers": ["c=~("]
        }))
        .expect_err("bad regex");
        assert_eq!(error.0[0].pointer, "/target_matchers/0");
    }
}
