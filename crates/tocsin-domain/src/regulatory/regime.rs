//! The regimes Tocsin tracks and the obligations each imposes: which instant an obligation's
//! clock counts from and how its deadline is computed (hours, calendar months, business days, or
//! the earlier of two hour limits for DORA's initial notification).
use serde::{Deserialize, Serialize};

/// A body of rules that obliges an organisation to report an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Regime {
    /// GDPR Art. 33: notify the supervisory authority of a personal data breach.
    #[serde(rename = "GDPR_ART33")]
    GdprArt33,
    /// HIPAA breach notification rule (45 CFR 164.404-410).
    #[serde(rename = "HIPAA_BREACH")]
    HipaaBreach,
    /// SEC Form 8-K Item 1.05: material cybersecurity incidents.
    #[serde(rename = "SEC_8K_ITEM105")]
    Sec8kItem105,
    /// NIS2 Directive Art. 23: significant incidents of essential and important entities.
    #[serde(rename = "NIS2")]
    Nis2,
    /// DORA Art. 19: major ICT-related incidents of financial entities.
    #[serde(rename = "DORA")]
    Dora,
}

impl Regime {
    /// Every regime, in a stable order.
    pub const ALL: [Regime; 5] = [
        Regime::GdprArt33,
        Regime::HipaaBreach,
        Regime::Sec8kItem105,
        Regime::Nis2,
        Regime::Dora,
    ];

    /// The stored and displayed name (`GDPR_ART33`).
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::GdprArt33 => "GDPR_ART33",
            Regime::HipaaBreach => "HIPAA_BREACH",
            Regime::Sec8kItem105 => "SEC_8K_ITEM105",
            Regime::Nis2 => "NIS2",
            Regime::Dora => "DORA",
        }
    }

    /// The regime named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<Regime> {
        Self::ALL.into_iter().find(|regime| regime.as_str() == text)
    }

    /// How people refer to it.
    pub fn title(self) -> &'static str {
        match self {
            Regime::GdprArt33 => "GDPR Art. 33",
            Regime::HipaaBreach => "HIPAA breach notification",
            Regime::Sec8kItem105 => "SEC Form 8-K Item 1.05",
            Regime::Nis2 => "NIS2",
            Regime::Dora => "DORA",
        }
    }

    /// The obligations the regime imposes once it applies.
    pub fn obligations(self) -> &'static [ObligationSpec] {
        match self {
            Regime::GdprArt33 => &GDPR,
            Regime::HipaaBreach => &HIPAA,
            Regime::Sec8kItem105 => &SEC,
            Regime::Nis2 => &NIS2,
            Regime::Dora => &DORA,
        }
    }
}

/// The instant an obligation's clock counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartEvent {
    /// The organisation became aware of the incident.
    Awareness,
    /// The breach was discovered (HIPAA; the awareness instant unless set apart).
    Discovery,
    /// The incident was determined to be material (SEC).
    MaterialityDetermination,
    /// The incident was classified as major (DORA).
    Classification,
}

impl StartEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            StartEvent::Awareness => "awareness",
            StartEvent::Discovery => "discovery",
            StartEvent::MaterialityDetermination => "materiality_determination",
            StartEvent::Classification => "classification",
        }
    }

    /// The start event named `text` (its `as_str`).
    pub fn parse(text: &str) -> Option<StartEvent> {
        [
            StartEvent::Awareness,
            StartEvent::Discovery,
            StartEvent::MaterialityDetermination,
            StartEvent::Classification,
        ]
        .into_iter()
        .find(|event| event.as_str() == text)
    }
}

/// How a deadline follows from its start instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DeadlineRule {
    /// A fixed number of hours (60 days is 1440 hours).
    Hours { hours: u32 },
    /// The same instant `months` calendar months later (UTC; clamped to the month's last day).
    CalendarMonths { months: u32 },
    /// The end of the `days`-th business day after the start's local date in the named
    /// holiday calendar's time zone.
    BusinessDays { days: u32, calendar: &'static str },
    /// The earlier of `hours` after the start and `or_hours` after `or_from` (DORA: 4 hours
    /// after classification, at most 24 hours after awareness).
    EarlierOf {
        hours: u32,
        or_from: StartEvent,
        or_hours: u32,
    },
}

/// One report a regime requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ObligationSpec {
    /// Stable key within the regime (`notification`, `early_warning` ...).
    pub key: &'static str,
    /// What is filed.
    pub title: &'static str,
    pub starts_at: StartEvent,
    pub deadline: DeadlineRule,
}

/// The holiday calendar SEC business days are counted in.
pub const US_FEDERAL: &str = "us-federal";

const GDPR: [ObligationSpec; 1] = [ObligationSpec {
    key: "notification",
    title: "Notify the supervisory authority",
    starts_at: StartEvent::Awareness,
    deadline: DeadlineRule::Hours { hours: 72 },
}];

const HIPAA: [ObligationSpec; 1] = [ObligationSpec {
    key: "notification",
    title: "Notify affected individuals and HHS",
    starts_at: StartEvent::Discovery,
    deadline: DeadlineRule::Hours { hours: 60 * 24 },
}];

const SEC: [ObligationSpec; 1] = [ObligationSpec {
    key: "form_8k",
    title: "File Form 8-K Item 1.05",
    starts_at: StartEvent::MaterialityDetermination,
    deadline: DeadlineRule::BusinessDays {
        days: 4,
        calendar: US_FEDERAL,
    },
}];

const NIS2: [ObligationSpec; 3] = [
    ObligationSpec {
        key: "early_warning",
        title: "Send the early warning to the CSIRT or competent authority",
        starts_at: StartEvent::Awareness,
        deadline: DeadlineRule::Hours { hours: 24 },
    },
    ObligationSpec {
        key: "notification",
        title: "Send the incident notification",
        starts_at: StartEvent::Awareness,
        deadline: DeadlineRule::Hours { hours: 72 },
    },
    ObligationSpec {
        key: "final_report",
        title: "Send the final report",
        starts_at: StartEvent::Awareness,
        deadline: DeadlineRule::CalendarMonths { months: 1 },
    },
];

const DORA: [ObligationSpec; 3] = [
    ObligationSpec {
        key: "initial_notification",
        title: "Send the initial notification to the competent authority",
        starts_at: StartEvent::Classification,
        deadline: DeadlineRule::EarlierOf {
            hours: 4,
            or_from: StartEvent::Awareness,
            or_hours: 24,
        },
    },
    ObligationSpec {
        key: "intermediate_report",
        title: "Send the intermediate report",
        starts_at: StartEvent::Classification,
        deadline: DeadlineRule::Hours { hours: 72 },
    },
    ObligationSpec {
        key: "final_report",
        title: "Send the final report",
        starts_at: StartEvent::Classification,
        deadline: DeadlineRule::CalendarMonths { months: 1 },
    },
];

/// The obligation `key` of `regime`.
pub fn spec(regime: Regime, key: &str) -> Option<&'static ObligationSpec> {
    regime.obligations().iter().find(|spec| spec.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regimes_and_start_events_round_trip_through_their_names() {
        for regime in Regime::ALL {
            assert_eq!(Regime::parse(regime.as_str()), Some(regime));
            let json = serde_json::to_value(regime).expect("serializes");
            assert_eq!(json, serde_json::json!(regime.as_str()));
        }
        assert_eq!(
            StartEvent::parse("materiality_determination"),
            Some(StartEvent::MaterialityDetermination)
        );
        assert_eq!(Regime::parse("gdpr_art33"), None);
    }

    #[test]
    fn each_regime_yields_its_obligations_with_their_clocks() {
        let keys = |regime: Regime| -> Vec<&str> {
            regime.obligations().iter().map(|spec| spec.key).collect()
        };
        assert_eq!(
            keys(Regime::Nis2),
            ["early_warning", "notification", "final_report"]
        );
        assert_eq!(
            keys(Regime::Dora),
            [
                "initial_notification",
                "intermediate_report",
                "final_report"
            ]
        );
        assert_eq!(
            spec(Regime::GdprArt33, "notification").map(|s| s.deadline),
            Some(DeadlineRule::Hours { hours: 72 })
        );
        assert_eq!(
            spec(Regime::HipaaBreach, "notification").map(|s| (s.starts_at, s.deadline)),
            Some((StartEvent::Discovery, DeadlineRule::Hours { hours: 1440 }))
        );
        assert_eq!(
            spec(Regime::Sec8kItem105, "form_8k").map(|s| s.starts_at),
            Some(StartEvent::MaterialityDetermination)
        );
    }
}
