//! The taxonomy of incident categories and attributions: slugs and names, versioned (a version
//! is proposed by one admin and approved by another before it applies; an incident keeps the
//! version it was classified with). The default is the issue's lists.
use serde::{Deserialize, Serialize};

use crate::error::{Collector, FieldError, ValidationError};

/// One category or attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyEntry {
    /// Lowercase `[a-z][a-z0-9_]{0,39}`.
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub categories: Vec<TaxonomyEntry>,
    pub attributions: Vec<TaxonomyEntry>,
}

fn entries(list: &[(&str, &str)]) -> Vec<TaxonomyEntry> {
    list.iter()
        .map(|(slug, name)| TaxonomyEntry {
            slug: (*slug).to_owned(),
            name: (*name).to_owned(),
        })
        .collect()
}

impl Default for Taxonomy {
    fn default() -> Self {
        Self {
            categories: entries(&[
                ("service_outage", "Service outage"),
                ("degradation", "Degradation"),
                ("security_breach", "Security breach"),
                ("data_corruption", "Data corruption"),
                ("configuration_error", "Configuration error"),
                ("user_error", "User error"),
                ("third_party", "Third party"),
                ("capacity", "Capacity"),
            ]),
            attributions: entries(&[
                ("system_failure", "System failure"),
                ("user_error", "User error"),
                (
                    "privileged_misconfiguration",
                    "Privileged-user misconfiguration",
                ),
                ("process_failure", "Process failure"),
                ("external", "External"),
            ]),
        }
    }
}

fn valid_slug(slug: &str) -> bool {
    let mut chars = slug.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && slug.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_list(list: &[TaxonomyEntry], pointer: &str, errors: &mut Collector) {
    if list.is_empty() {
        errors.push(FieldError::new(pointer, "must list at least one entry"));
    }
    for (index, entry) in list.iter().enumerate() {
        if !valid_slug(&entry.slug) {
            errors.push(FieldError::new(
                format!("{pointer}/{index}/slug"),
                "must be lowercase letters, digits and _, starting with a letter, at most 40",
            ));
        } else if list[..index].iter().any(|e| e.slug == entry.slug) {
            errors.push(FieldError::new(
                format!("{pointer}/{index}/slug"),
                format!("duplicate slug {:?}", entry.slug),
            ));
        }
        if entry.name.trim().is_empty() || entry.name.len() > 100 {
            errors.push(FieldError::new(
                format!("{pointer}/{index}/name"),
                "must be 1 to 100 characters",
            ));
        }
    }
}

impl crate::alerting::Validate for Taxonomy {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Collector::default();
        check_list(&self.categories, "/categories", &mut errors);
        check_list(&self.attributions, "/attributions", &mut errors);
        errors.finish()
    }
}

impl Taxonomy {
    pub fn has_category(&self, slug: &str) -> bool {
        self.categories.iter().any(|e| e.slug == slug)
    }

    pub fn has_attribution(&self, slug: &str) -> bool {
        self.attributions.iter().any(|e| e.slug == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::Validate;

    #[test]
    fn the_default_lists_the_issue_categories_and_attributions() {
        let t = Taxonomy::default();
        assert!(t.validate().is_ok());
        assert_eq!(t.categories.len(), 8);
        assert!(t.has_category("security_breach") && t.has_category("capacity"));
        assert!(t.has_attribution("privileged_misconfiguration"));
        assert!(!t.has_category("alien_invasion"));
    }

    #[test]
    fn bad_slugs_duplicates_and_empty_lists_are_named() {
        let t = Taxonomy {
            categories: entries(&[("Outage", "Outage"), ("ok", "Ok"), ("ok", "Again")]),
            attributions: vec![],
        };
        let pointers: Vec<_> = t
            .validate()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/categories/0/slug", "/categories/2/slug", "/attributions"]
        );
    }
}
