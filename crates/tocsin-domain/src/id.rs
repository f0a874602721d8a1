//! UUIDv7 identifier newtypes, one per domain noun, minted from the injected clock.
use jiff::Timestamp;
use uuid::Uuid;

/// Makes a UUIDv7 whose time part is `at` (random bits fill the rest).
pub fn uuid_v7_at(at: Timestamp) -> Uuid {
    let seconds = u64::try_from(at.as_second()).unwrap_or(0);
    let nanos = u32::try_from(at.subsec_nanosecond()).unwrap_or(0);
    Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, nanos))
}

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id minted at `at`.
            pub fn new(at: Timestamp) -> Self {
                Self(uuid_v7_at(at))
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

define_id!(/// A person who signs in.
    UserId);
define_id!(/// A team of people.
    TeamId);
define_id!(/// A service in the catalog.
    ServiceId);
define_id!(/// One event in the log.
    EventId);
define_id!(/// A bearer API token.
    ApiTokenId);
define_id!(/// An ingest-only integration key.
    IntegrationKeyId);
define_id!(/// A web login session.
    SessionId);
define_id!(/// One alert: a signal from a monitoring tool, deduplicated by its key.
    AlertId);
define_id!(/// An incident: what responders work on; alerts group into it.
    IncidentId);
define_id!(/// An intake request answered 202 (Opsgenie's `requestId`).
    IntakeRequestId);
define_id!(/// A heartbeat monitor.
    HeartbeatId);
define_id!(/// An on-call schedule.
    ScheduleId);
define_id!(/// A way to reach a person: an email address, a phone number, a webhook, a chat channel.
    ContactMethodId);
define_id!(/// A person's notification rule: which contact method, for which urgency, after how long.
    NotificationRuleId);
define_id!(/// An escalation policy: who is paged, in which order, for a service's incidents.
    EscalationPolicyId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_carry_the_clock_time() {
        let at: Timestamp = "2026-11-27T10:00:00.123Z".parse().expect("valid");
        let id = UserId::new(at);
        assert_eq!(id.0.get_version_num(), 7);
        let (secs, nanos) = id.0.get_timestamp().expect("v7 has a timestamp").to_unix();
        assert_eq!(secs as i64, at.as_second());
        assert_eq!(nanos / 1_000_000, 123);
    }

    #[test]
    fn ids_minted_later_sort_later() {
        let early = TeamId::new("2026-01-01T00:00:00Z".parse().expect("valid"));
        let late = TeamId::new("2026-01-01T00:00:01Z".parse().expect("valid"));
        assert!(early < late);
        assert_eq!(
            early.to_string().parse::<TeamId>().expect("round trip"),
            early
        );
    }
}
define_id!(/// An incident role: a responsibility (incident commander, communications lead) a schedule staffs.
    IncidentRoleId);
define_id!(/// A regulatory obligation of an incident: one report to one authority, with its deadline.
    RegulatoryObligationId);
