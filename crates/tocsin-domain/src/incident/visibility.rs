//! Who may see an incident. A normal incident is visible to everyone who may read incidents; a
//! restricted one (security and HR cases by default) only to its participants and to the
//! organisation roles named on it.
use serde::{Deserialize, Serialize};

use crate::catalog::OrgRole;
use crate::id::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Normal,
    Restricted,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Normal => "normal",
            Visibility::Restricted => "restricted",
        }
    }

    pub fn parse(text: &str) -> Option<Visibility> {
        [Visibility::Normal, Visibility::Restricted]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// Incident types whose incidents are restricted unless the declarer says otherwise.
pub const RESTRICTED_BY_DEFAULT: [&str; 2] = ["security", "hr"];

/// The visibility an incident of `incident_type` gets when none is asked for.
pub fn default_for(incident_type: &str) -> Visibility {
    if RESTRICTED_BY_DEFAULT.contains(&incident_type) {
        Visibility::Restricted
    } else {
        Visibility::Normal
    }
}

/// The people a restricted incident is shown to.
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    pub visibility: Visibility,
    pub participants: &'a [UserId],
    /// Organisation roles named on the incident (for example the security team's admins).
    pub roles: &'a [OrgRole],
}

/// Who is looking: a user (with their organisation role), or a credential with no user.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user: Option<UserId>,
    pub role: OrgRole,
}

/// Whether `viewer` may see the incident at all.
pub fn may_see(audience: &Audience<'_>, viewer: &Viewer) -> bool {
    match audience.visibility {
        Visibility::Normal => true,
        Visibility::Restricted => {
            viewer
                .user
                .is_some_and(|user| audience.participants.contains(&user))
                || audience.roles.contains(&viewer.role)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId(uuid::Uuid::now_v7())
    }

    #[test]
    fn security_and_hr_cases_are_restricted_by_default() {
        assert_eq!(default_for("security"), Visibility::Restricted);
        assert_eq!(default_for("hr"), Visibility::Restricted);
        assert_eq!(default_for("outage"), Visibility::Normal);
    }

    #[test]
    fn a_restricted_incident_is_seen_by_participants_and_named_roles_only() {
        let (alice, bob) = (user(), user());
        let participants = [alice];
        let audience = Audience {
            visibility: Visibility::Restricted,
            participants: &participants,
            roles: &[OrgRole::Admin],
        };
        let viewer = |user, role| Viewer { user, role };
        assert!(may_see(&audience, &viewer(Some(alice), OrgRole::Observer)));
        assert!(!may_see(&audience, &viewer(Some(bob), OrgRole::Responder)));
        assert!(may_see(&audience, &viewer(Some(bob), OrgRole::Admin)));
        // An owner is not an admin for this purpose: only the named roles see it.
        assert!(!may_see(&audience, &viewer(Some(bob), OrgRole::Owner)));
        assert!(!may_see(&audience, &viewer(None, OrgRole::Responder)));
    }

    #[test]
    fn a_normal_incident_is_seen_by_everyone() {
        let audience = Audience {
            visibility: Visibility::Normal,
            participants: &[],
            roles: &[],
        };
        let viewer = Viewer {
            user: None,
            role: OrgRole::Stakeholder,
        };
        assert!(may_see(&audience, &viewer));
    }
}
