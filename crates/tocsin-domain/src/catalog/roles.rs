//! Organisation roles (one per user) and team roles (one per team membership).
use serde::{Deserialize, Serialize};

use crate::values::ValueError;

/// A user's organisation-wide role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Everything, including appointing owners and admins.
    Owner,
    /// Users, access and every configuration object; not owners.
    Admin,
    /// The catalog organisation-wide: teams, members, services, integrations.
    Manager,
    /// Reads the catalog and responds to incidents; manages teams where they are a team manager.
    Responder,
    /// Reads everything but changes nothing (except their own API tokens).
    Observer,
    /// Reads teams and services only; no user directory, no tokens.
    Stakeholder,
}

impl OrgRole {
    pub const ALL: [OrgRole; 6] = [
        Self::Owner,
        Self::Admin,
        Self::Manager,
        Self::Responder,
        Self::Observer,
        Self::Stakeholder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Responder => "responder",
            Self::Observer => "observer",
            Self::Stakeholder => "stakeholder",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| {
                ValueError(
                    "must be one of owner, admin, manager, responder, observer, stakeholder".into(),
                )
            })
    }

    /// True when this role has at least the powers of `other`.
    pub fn at_least(self, other: OrgRole) -> bool {
        self <= other
    }
}

/// A member's role within one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Manages the team's members, services and integrations.
    Manager,
    /// Responds for the team.
    Responder,
    /// Follows the team's work.
    Observer,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [Self::Manager, Self::Responder, Self::Observer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manager => "manager",
            Self::Responder => "responder",
            Self::Observer => "observer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| ValueError("must be one of manager, responder, observer".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in OrgRole::ALL {
            assert_eq!(OrgRole::parse(role.as_str()), Ok(role));
        }
        for role in TeamRole::ALL {
            assert_eq!(TeamRole::parse(role.as_str()), Ok(role));
        }
        assert!(OrgRole::parse("root").is_err());
    }

    #[test]
    fn role_order_is_by_power() {
        assert!(OrgRole::Owner.at_least(OrgRole::Admin));
        assert!(OrgRole::Admin.at_least(OrgRole::Admin));
        assert!(!OrgRole::Observer.at_least(OrgRole::Responder));
    }
}
