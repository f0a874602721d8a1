//! The incident lifecycle as alerts drive it: triggered, acknowledged, resolved. (The full
//! response lifecycle — investigating, identified, monitoring, closed — extends this.)
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Triggered,
    Acknowledged,
    Resolved,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 3] = [
        IncidentStatus::Triggered,
        IncidentStatus::Acknowledged,
        IncidentStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Triggered => "triggered",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    pub fn is_open(self) -> bool {
        self != IncidentStatus::Resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_only_resolved_is_closed() {
        for status in IncidentStatus::ALL {
            assert_eq!(IncidentStatus::parse(status.as_str()), Some(status));
        }
        assert!(IncidentStatus::Acknowledged.is_open());
        assert!(!IncidentStatus::Resolved.is_open());
        assert_eq!(IncidentStatus::parse("closed"), None);
    }
}
