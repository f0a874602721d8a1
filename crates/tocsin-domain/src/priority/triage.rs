//! Auto-triage: symptom rules (words in the title, the service, a service tag -> a category, the
//! rule named) first; otherwise a suggestion from past classified incidents by nearest neighbours
//! over title words (Jaccard similarity of word sets, the 5 most similar vote by similarity).
//! Above the policy's confidence the category is applied; below it the incident waits in review.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Collector, FieldError};

/// How many past incidents vote.
pub const NEIGHBOURS: usize = 5;

/// A symptom rule: every matcher given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymptomRule {
    pub name: String,
    /// The category slug the rule assigns.
    pub category: String,
    /// Any of these words or phrases in the title (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title_contains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tag: Option<String>,
}

/// What triage looks at.
#[derive(Debug, Clone, Copy)]
pub struct TriageInput<'a> {
    pub title: &'a str,
    pub service_id: Uuid,
    pub service_tags: &'a [String],
}

/// A past incident's title and final category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastIncident {
    pub title: String,
    pub category: String,
}

/// A category suggested with a confidence (0..1) and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub category: String,
    pub confidence: f64,
    pub reason: String,
}

impl SymptomRule {
    fn matches(&self, input: &TriageInput<'_>) -> bool {
        let title = input.title.to_lowercase();
        (self.title_contains.is_empty()
            || self
                .title_contains
                .iter()
                .any(|w| title.contains(&w.to_lowercase())))
            && self.service_id.is_none_or(|s| s == input.service_id)
            && self
                .service_tag
                .as_ref()
                .is_none_or(|t| input.service_tags.contains(t))
    }
}

/// Whether any rule looks at service tags (so they need reading).
pub fn rules_use_tags(rules: &[SymptomRule]) -> bool {
    rules.iter().any(|r| r.service_tag.is_some())
}

/// The first symptom rule that matches, as a certain suggestion.
pub fn by_rules(input: &TriageInput<'_>, rules: &[SymptomRule]) -> Option<Suggestion> {
    rules.iter().find(|r| r.matches(input)).map(|r| Suggestion {
        category: r.category.clone(),
        confidence: 1.0,
        reason: format!("symptom rule {:?}", r.name),
    })
}

/// The title's words: lowercase, letters and digits, two characters or more.
fn words(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let shared = a.intersection(b).count();
    let all = a.union(b).count();
    if all == 0 {
        0.0
    } else {
        shared as f64 / all as f64
    }
}

/// The category the most similar past incidents share, with a confidence: the winners' share of
/// the neighbours' similarity times the best winner's similarity (so one weak match is not
/// confident). `None` when no past incident shares a word.
pub fn by_neighbours(title: &str, past: &[PastIncident]) -> Option<Suggestion> {
    let mine = words(title);
    let mut scored: Vec<(f64, &PastIncident)> = past
        .iter()
        .map(|p| (jaccard(&mine, &words(&p.title)), p))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.truncate(NEIGHBOURS);
    let total: f64 = scored.iter().map(|(s, _)| s).sum();
    let mut votes: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (similarity, p) in &scored {
        let vote = votes.entry(p.category.as_str()).or_insert((0.0, 0.0));
        vote.0 += similarity;
        vote.1 = vote.1.max(*similarity);
    }
    let (category, (score, best)) = votes
        .into_iter()
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))?;
    let confidence = ((score / total) * best * 1000.0).round() / 1000.0;
    Some(Suggestion {
        category: category.to_owned(),
        confidence,
        reason: format!(
            "similar to {} past incident(s) classified {category} (best title similarity {:.2})",
            scored
                .iter()
                .filter(|(_, p)| p.category == category)
                .count(),
            best
        ),
    })
}

pub(crate) fn check(rules: &[SymptomRule], errors: &mut Collector) {
    for (index, rule) in rules.iter().enumerate() {
        let at = format!("/symptom_rules/{index}");
        if rule.name.trim().is_empty() || rule.name.len() > 100 {
            errors.push(FieldError::new(
                format!("{at}/name"),
                "must be 1 to 100 characters",
            ));
        }
        if rule.title_contains.is_empty() && rule.service_id.is_none() && rule.service_tag.is_none()
        {
            errors.push(FieldError::new(
                at.clone(),
                "needs at least one matcher: title_contains, service_id or service_tag",
            ));
        }
        if rule.title_contains.iter().any(|w| w.trim().is_empty()) {
            errors.push(FieldError::new(
                format!("{at}/title_contains"),
                "words must not be empty",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past(title: &str, category: &str) -> PastIncident {
        PastIncident {
            title: title.into(),
            category: category.into(),
        }
    }

    #[test]
    fn the_first_matching_symptom_rule_names_itself() {
        let rules = vec![
            SymptomRule {
                name: "disk".into(),
                category: "capacity".into(),
                title_contains: vec!["Disk Full".into(), "out of space".into()],
                service_id: None,
                service_tag: None,
            },
            SymptomRule {
                name: "payments tag".into(),
                category: "third_party".into(),
                title_contains: vec![],
                service_id: None,
                service_tag: Some("psp".into()),
            },
        ];
        let tags = vec!["psp".to_owned()];
        let input = TriageInput {
            title: "db-1 disk full",
            service_id: Uuid::nil(),
            service_tags: &[],
        };
        let s = by_rules(&input, &rules).expect("matched");
        assert_eq!(
            (s.category.as_str(), s.confidence, s.reason.as_str()),
            ("capacity", 1.0, "symptom rule \"disk\"")
        );
        let input = TriageInput {
            title: "card declines",
            service_id: Uuid::nil(),
            service_tags: &tags,
        };
        assert_eq!(
            by_rules(&input, &rules).map(|s| s.category),
            Some("third_party".into())
        );
        let input = TriageInput {
            title: "card declines",
            service_id: Uuid::nil(),
            service_tags: &[],
        };
        assert_eq!(by_rules(&input, &rules), None);
        assert!(rules_use_tags(&rules));
    }

    #[test]
    fn neighbours_vote_by_similarity_and_weak_matches_are_not_confident() {
        let history = vec![
            past("checkout latency high", "degradation"),
            past("checkout latency high on eu", "degradation"),
            past("login failing for all users", "service_outage"),
        ];
        let strong = by_neighbours("checkout latency high", &history).expect("a suggestion");
        assert_eq!(strong.category, "degradation");
        assert!(strong.confidence >= 0.8, "{strong:?}");
        let weak = by_neighbours("users see latency in search", &history).expect("a suggestion");
        assert!(weak.confidence < 0.5, "{weak:?}");
        assert_eq!(by_neighbours("zzz", &history), None);
        assert_eq!(by_neighbours("anything", &[]), None);
    }

    #[test]
    fn rules_without_matchers_are_refused() {
        let rules = vec![SymptomRule {
            name: " ".into(),
            category: "capacity".into(),
            title_contains: vec![],
            service_id: None,
            service_tag: None,
        }];
        let mut errors = Collector::default();
        check(&rules, &mut errors);
        let pointers: Vec<_> = errors
            .finish()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/symptom_rules/0/name", "/symptom_rules/0"]);
    }
}
