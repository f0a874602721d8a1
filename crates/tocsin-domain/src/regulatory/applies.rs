//! Which regimes apply to an incident, from what it exposed and where: each regime answers
//! whether it applies and why, in a sentence, applied or not.
use serde::{Deserialize, Serialize};

use super::regime::Regime;

/// What the incident exposed or was determined to be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    #[serde(default)]
    pub personal_data: bool,
    #[serde(default)]
    pub health_data: bool,
    #[serde(default)]
    pub payment_card_data: bool,
    /// Determined material under the SEC's rules.
    #[serde(default)]
    pub material_cybersecurity_incident: bool,
    /// Classified as a major ICT-related incident under DORA.
    #[serde(default)]
    pub major_ict_incident: bool,
    /// A significant incident under NIS2.
    #[serde(default)]
    pub significant_incident: bool,
}

/// The EU member states' ISO 3166-1 alpha-2 codes: each counts as the EU.
const EU_MEMBERS: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// A jurisdiction as stored: `EU` or an ISO 3166-1 alpha-2 country code, uppercase.
pub fn parse_jurisdiction(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be EU or a two-letter country code (US, DE ...)".to_owned())
    }
}

fn in_eu(jurisdictions: &[String]) -> Option<&str> {
    jurisdictions
        .iter()
        .find(|code| *code == "EU" || EU_MEMBERS.contains(&code.as_str()))
        .map(String::as_str)
}

fn in_us(jurisdictions: &[String]) -> Option<&str> {
    jurisdictions
        .iter()
        .find(|code| *code == "US")
        .map(String::as_str)
}

/// Whether a regime applies, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applicability {
    pub regime: Regime,
    pub applies: bool,
    pub why: String,
}

fn decide(
    regime: Regime,
    trigger: Option<&str>,
    place: Option<&str>,
    missing_trigger: &str,
    missing_place: &str,
) -> Applicability {
    let title = regime.title();
    let (applies, why) = match (trigger, place) {
        (Some(trigger), Some(place)) => (
            true,
            format!("{title} applies: {trigger}, and the incident concerns {place}."),
        ),
        (None, _) => (false, format!("{title} does not apply: {missing_trigger}.")),
        (Some(_), None) => (false, format!("{title} does not apply: {missing_place}.")),
    };
    Applicability {
        regime,
        applies,
        why,
    }
}

/// Every regime, whether it applies to an incident with `exposure` in `jurisdictions`, and why.
pub fn applicable(exposure: &Exposure, jurisdictions: &[String]) -> Vec<Applicability> {
    let eu = in_eu(jurisdictions);
    let us = in_us(jurisdictions);
    let personal = if exposure.health_data {
        Some("health data (personal data of a special category) was exposed")
    } else if exposure.payment_card_data {
        Some("payment card data (personal data) was exposed")
    } else if exposure.personal_data {
        Some("personal data was exposed")
    } else {
        None
    };
    let no_eu = "no jurisdiction is in the EU";
    Regime::ALL
        .into_iter()
        .map(|regime| match regime {
            Regime::GdprArt33 => {
                decide(regime, personal, eu, "no personal data was exposed", no_eu)
            }
            Regime::HipaaBreach => decide(
                regime,
                exposure
                    .health_data
                    .then_some("protected health information was exposed"),
                us,
                "no health data was exposed",
                "the US is not among the jurisdictions",
            ),
            Regime::Sec8kItem105 => decide(
                regime,
                exposure
                    .material_cybersecurity_incident
                    .then_some("the incident was determined to be material"),
                us,
                "the incident is not marked a material cybersecurity incident",
                "the US is not among the jurisdictions",
            ),
            Regime::Nis2 => decide(
                regime,
                exposure
                    .significant_incident
                    .then_some("the incident is significant under NIS2"),
                eu,
                "the incident is not marked significant",
                no_eu,
            ),
            Regime::Dora => decide(
                regime,
                exposure
                    .major_ict_incident
                    .then_some("the incident was classified as a major ICT-related incident"),
                eu,
                "the incident is not classified as a major ICT-related incident",
                no_eu,
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|code| (*code).to_owned()).collect()
    }

    fn applying(exposure: Exposure, jurisdictions: &[&str]) -> Vec<Regime> {
        applicable(&exposure, &codes(jurisdictions))
            .into_iter()
            .filter(|a| a.applies)
            .map(|a| a.regime)
            .collect()
    }

    #[test]
    fn personal_data_in_the_eu_brings_gdpr_and_health_data_in_the_us_hipaa() {
        let personal = Exposure {
            personal_data: true,
            ..Exposure::default()
        };
        assert_eq!(applying(personal, &["DE"]), [Regime::GdprArt33]);
        assert_eq!(applying(personal, &["US"]), []);
        let health = Exposure {
            health_data: true,
            ..Exposure::default()
        };
        assert_eq!(
            applying(health, &["EU", "US"]),
            [Regime::GdprArt33, Regime::HipaaBreach]
        );
    }

    #[test]
    fn flags_bring_sec_nis2_and_dora_only_in_their_jurisdictions() {
        let flagged = Exposure {
            material_cybersecurity_incident: true,
            major_ict_incident: true,
            significant_incident: true,
            ..Exposure::default()
        };
        assert_eq!(applying(flagged, &["US"]), [Regime::Sec8kItem105]);
        assert_eq!(applying(flagged, &["FR"]), [Regime::Nis2, Regime::Dora]);
        assert_eq!(applying(flagged, &["GB"]), []);
    }

    #[test]
    fn every_regime_says_why_it_applies_or_not() {
        let answers = applicable(
            &Exposure {
                personal_data: true,
                ..Exposure::default()
            },
            &codes(&["US"]),
        );
        assert_eq!(answers.len(), Regime::ALL.len());
        assert_eq!(
            answers[0].why,
            "GDPR Art. 33 does not apply: no jurisdiction is in the EU."
        );
        let eu = applicable(
            &Exposure {
                personal_data: true,
                ..Exposure::default()
            },
            &codes(&["EU"]),
        );
        assert_eq!(
            eu[0].why,
            "GDPR Art. 33 applies: personal data was exposed, and the incident concerns EU."
        );
        assert_eq!(
            eu[2].why,
            "SEC Form 8-K Item 1.05 does not apply: the incident is not marked a material \
             cybersecurity incident."
        );
    }

    #[test]
    fn jurisdictions_are_two_letter_codes_stored_uppercase() {
        assert_eq!(parse_jurisdiction("eu"), Ok("EU".to_owned()));
        assert_eq!(parse_jurisdiction("US"), Ok("US".to_owned()));
        assert!(parse_jurisdiction("USA").is_err());
        assert!(parse_jurisdiction("").is_err());
        assert!(parse_jurisdiction("1A").is_err());
    }
}
