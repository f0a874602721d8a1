//! Alert severity, PagerDuty's four levels, and the mappings from other tools' scales.
use serde::{Deserialize, Serialize};

/// How bad an alert is, most severe first (so `Ord` sorts critical before info).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

/// A severity name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?}: expected critical, error, warning or info")]
pub struct UnknownSeverity(pub String);

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Opsgenie priorities: P1 critical, P2 error, P3 warning, P4 and P5 info.
    pub fn from_opsgenie_priority(priority: &str) -> Option<Severity> {
        match priority {
            "P1" => Some(Severity::Critical),
            "P2" => Some(Severity::Error),
            "P3" => Some(Severity::Warning),
            "P4" | "P5" => Some(Severity::Info),
            _ => None,
        }
    }

    /// Prometheus-style severity labels, leniently: the usual spellings, case-insensitive;
    /// anything else is `None` (the caller picks its default).
    pub fn from_label(label: &str) -> Option<Severity> {
        match label.to_ascii_lowercase().as_str() {
            "critical" | "crit" | "page" | "fatal" | "emergency" | "alert" | "p1" => {
                Some(Severity::Critical)
            }
            "error" | "err" | "high" | "major" | "p2" => Some(Severity::Error),
            "warning" | "warn" | "medium" | "minor" | "p3" => Some(Severity::Warning),
            "info" | "informational" | "low" | "notice" | "debug" | "none" | "p4" | "p5" => {
                Some(Severity::Info)
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = UnknownSeverity;
    /// Strict: exactly one of the four lowercase names (PagerDuty rejects anything else).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str() == s)
            .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_is_strict_and_round_trips() {
        for severity in Severity::ALL {
            assert_eq!(severity.as_str().parse::<Severity>(), Ok(severity));
        }
        assert!("Critical".parse::<Severity>().is_err());
        assert!("severe".parse::<Severity>().is_err());
        assert!(
            Severity::Critical < Severity::Info,
            "most severe sorts first"
        );
    }

    #[test]
    fn other_scales_map_onto_the_four_levels() {
        assert_eq!(
            Severity::from_opsgenie_priority("P1"),
            Some(Severity::Critical)
        );
        assert_eq!(Severity::from_opsgenie_priority("P5"), Some(Severity::Info));
        assert_eq!(Severity::from_opsgenie_priority("P6"), None);
        assert_eq!(Severity::from_label("WARN"), Some(Severity::Warning));
        assert_eq!(Severity::from_label("page"), Some(Severity::Critical));
        assert_eq!(Severity::from_label("whatever"), None);
    }
}
