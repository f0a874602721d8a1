//! Guest passes for external responders (a vendor's engineers): who they are, whether they may
//! write notes, and how long the pass lasts — a day unless asked otherwise, at most 30 days. The
//! pass is scoped to one incident; this module checks an invitation (every bad field named).
use jiff::{SignedDuration, Timestamp};

use crate::error::{Collector, FieldError, ValidationError};

/// How long a pass lasts when no expiry is asked for.
pub const DEFAULT_VALIDITY: SignedDuration = SignedDuration::from_hours(24);
/// The longest a pass may last.
pub const MAX_VALIDITY: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Longest name or organisation, in characters.
pub const MAX_NAME: usize = 200;
/// Longest email address, in characters.
pub const MAX_EMAIL: usize = 320;

/// An invitation as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invitation {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub may_write: bool,
    pub expires_at: Option<Timestamp>,
}

/// A checked invitation: trimmed, with its expiry decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub may_write: bool,
    pub expires_at: Timestamp,
}

fn text(errors: &mut Collector, pointer: &str, value: &str, max: usize) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(pointer, "must not be empty"));
    } else if trimmed.chars().count() > max {
        errors.push(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
    }
    trimmed.to_owned()
}

/// Checks `invitation` at `now`.
pub fn check(invitation: &Invitation, now: Timestamp) -> Result<Guest, ValidationError> {
    let mut errors = Collector::default();
    let name = text(&mut errors, "/name", &invitation.name, MAX_NAME);
    let email = text(&mut errors, "/email", &invitation.email, MAX_EMAIL);
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !email.is_empty() && !well_formed {
        errors.push(FieldError::new("/email", "must be an email address"));
    }
    let organisation = text(
        &mut errors,
        "/organisation",
        &invitation.organisation,
        MAX_NAME,
    );
    let expires_at = invitation.expires_at.unwrap_or(now + DEFAULT_VALIDITY);
    if expires_at <= now {
        errors.push(FieldError::new("/expires_at", "must be in the future"));
    } else if expires_at > now + MAX_VALIDITY {
        errors.push(FieldError::new(
            "/expires_at",
            "a guest pass lasts at most 30 days",
        ));
    }
    errors.finish()?;
    Ok(Guest {
        name,
        email,
        organisation,
        may_write: invitation.may_write,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-28T12:00:00Z".parse().expect("an instant")
    }

    fn invitation() -> Invitation {
        Invitation {
            name: " Vera Vendor ".to_owned(),
            email: "vera@cdn.example".to_owned(),
            organisation: "CDN Corp".to_owned(),
            may_write: true,
            expires_at: None,
        }
    }

    #[test]
    fn a_pass_lasts_a_day_unless_asked_and_names_are_trimmed() {
        let guest = check(&invitation(), now()).expect("a valid invitation");
        assert_eq!(guest.name, "Vera Vendor");
        assert_eq!(guest.expires_at, now() + SignedDuration::from_hours(24));
        let mut week = invitation();
        week.expires_at = Some(now() + SignedDuration::from_hours(7 * 24));
        assert_eq!(
            check(&week, now()).expect("a week").expires_at,
            now() + SignedDuration::from_hours(168)
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = Invitation {
            name: String::new(),
            email: "not-an-address".to_owned(),
            organisation: "x".repeat(MAX_NAME + 1),
            may_write: false,
            expires_at: Some(now()),
        };
        let error = check(&bad, now()).expect_err("invalid");
        let pointers: Vec<&str> = error.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/name", "/email", "/organisation", "/expires_at"]
        );
        let mut long = invitation();
        long.expires_at = Some(now() + MAX_VALIDITY + SignedDuration::from_secs(1));
        let error = check(&long, now()).expect_err("too long");
        assert_eq!(error.0[0].detail, "a guest pass lasts at most 30 days");
        long.expires_at = Some(now() + MAX_VALIDITY);
        assert!(check(&long, now()).is_ok());
    }
}
