//! An incident's status: the response lifecycle triggered -> acknowledged -> investigating ->
//! identified -> monitoring -> resolved -> closed, and the three ways out of it (declined,
//! canceled, merged into another incident).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Triggered,
    Acknowledged,
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Closed,
    /// Judged not to be an incident (a false alarm, a duplicate report).
    Declined,
    /// Declared by mistake and withdrawn.
    Canceled,
    /// A duplicate: its alerts and people moved to the primary incident it points at.
    Merged,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 10] = [
        IncidentStatus::Triggered,
        IncidentStatus::Acknowledged,
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
        IncidentStatus::Closed,
        IncidentStatus::Declined,
        IncidentStatus::Canceled,
        IncidentStatus::Merged,
    ];

    /// The statuses of an incident still being responded to.
    pub const OPEN: [IncidentStatus; 5] = [
        IncidentStatus::Triggered,
        IncidentStatus::Acknowledged,
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Triggered => "triggered",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
            IncidentStatus::Closed => "closed",
            IncidentStatus::Declined => "declined",
            IncidentStatus::Canceled => "canceled",
            IncidentStatus::Merged => "merged",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Still being responded to: it takes alerts, pages and counts as open.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// A responder has taken it on (acknowledged or further along, not yet resolved).
    pub fn is_engaged(self) -> bool {
        self.is_open() && self != IncidentStatus::Triggered
    }

    /// Nothing can change its status any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            IncidentStatus::Closed
                | IncidentStatus::Declined
                | IncidentStatus::Canceled
                | IncidentStatus::Merged
        )
    }

    /// The statuses listed for a user, as in "must be triggered, acknowledged, ... or merged".
    pub fn listing() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
        match names.split_last() {
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// The SQL condition "the incident is open" over a column `status`, spelled the same everywhere
/// (SQLite uses a partial index only for the exact text of its condition).
#[macro_export]
macro_rules! open_incident_sql {
    () => {
        "status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring')"
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in IncidentStatus::ALL {
            assert_eq!(IncidentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(IncidentStatus::parse("open"), None);
    }

    #[test]
    fn open_engaged_and_final_partition_the_statuses() {
        for status in IncidentStatus::ALL {
            let buckets = [
                status.is_open(),
                status == IncidentStatus::Resolved,
                status.is_final(),
            ];
            assert_eq!(buckets.iter().filter(|b| **b).count(), 1, "{status:?}");
        }
        assert!(!IncidentStatus::Triggered.is_engaged());
        assert!(IncidentStatus::Monitoring.is_engaged());
        assert!(!IncidentStatus::Resolved.is_engaged());
    }

    #[test]
    fn the_sql_condition_lists_exactly_the_open_statuses() {
        let sql = open_incident_sql!();
        for status in IncidentStatus::ALL {
            let quoted = format!("'{}'", status.as_str());
            assert_eq!(sql.contains(&quoted), status.is_open(), "{status:?}");
        }
    }

    #[test]
    fn listing_names_every_status() {
        let listing = IncidentStatus::listing();
        assert!(listing.starts_with("triggered, acknowledged"));
        assert!(listing.ends_with("canceled or merged"));
    }
}
