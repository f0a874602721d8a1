//! Management escalation windows: an incident still unresolved a window (per priority, from the
//! cadence policy) after it opened escalates to the first management level, another window after
//! that to the next, and so on; a delay justification holding when a level falls due defers it
//! until the justification ends.
use jiff::{SignedDuration, Timestamp};

use super::cadence::CadencePolicy;
use crate::error::{FieldError, ValidationError};
use crate::priority::Priority;

/// The longest reason accepted, in characters.
pub const MAX_REASON: usize = 2_000;

/// The longest a delay justification may hold from when it is recorded.
pub const MAX_JUSTIFICATION: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A recorded reason to delay management escalation, holding from `from` until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Justification {
    pub from: Timestamp,
    pub until: Timestamp,
}

impl Justification {
    pub fn holds_at(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.until
    }
}

/// Checks a justification recorded at `now`: a reason, and an end in the future at most
/// `MAX_JUSTIFICATION` ahead. Every bad field, named.
pub fn check_justification(
    reason: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<(), ValidationError> {
    let mut errors = Vec::new();
    let length = reason.trim().chars().count();
    if length == 0 || length > MAX_REASON {
        errors.push(FieldError::new(
            "/reason",
            format!("must be 1 to {MAX_REASON} characters"),
        ));
    }
    if until <= now {
        errors.push(FieldError::new("/until", "must be in the future"));
    } else if until > now + MAX_JUSTIFICATION {
        errors.push(FieldError::new("/until", "must be at most 7 days ahead"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationError(errors))
    }
}

/// The justification holding at `at` that ends last, if any.
pub fn holding(justifications: &[Justification], at: Timestamp) -> Option<Justification> {
    justifications
        .iter()
        .filter(|j| j.holds_at(at))
        .max_by_key(|j| j.until)
        .copied()
}

/// How far an incident's management escalation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Escalated {
    /// Levels escalated to so far (the last one is level `done`, 1-based).
    pub done: usize,
    /// When the last one was escalated to.
    pub last_at: Option<Timestamp>,
}

/// The next management level (1-based) and when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextEscalation {
    pub level: usize,
    pub at: Timestamp,
}

/// The next management escalation of an incident opened at `opened_at` at `priority`, seen at
/// `now`: a window after the last escalation (or the opening), deferred to the end of any
/// justification holding then — or holding now, once that instant has passed. None when the
/// priority has no window or every level was escalated to.
pub fn next_escalation(
    policy: &CadencePolicy,
    priority: Option<Priority>,
    opened_at: Timestamp,
    escalated: Escalated,
    justifications: &[Justification],
    now: Timestamp,
) -> Option<NextEscalation> {
    let window = policy.window(priority)?;
    if escalated.done >= policy.management_levels.len() {
        return None;
    }
    let mut at = escalated.last_at.unwrap_or(opened_at) + window;
    loop {
        let deferred = holding(justifications, at)
            .or_else(|| (at <= now).then(|| holding(justifications, now)).flatten());
        match deferred {
            Some(justification) if justification.until > at => at = justification.until,
            _ => break,
        }
    }
    Some(NextEscalation {
        level: escalated.done + 1,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::UserId;
    use crate::incident::cadence::ManagementLevel;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minutes * 60).expect("valid")
    }

    fn policy() -> CadencePolicy {
        let level = |name: &str| ManagementLevel {
            name: name.to_owned(),
            user_ids: vec![UserId(uuid::Uuid::nil())],
        };
        CadencePolicy {
            management_levels: vec![level("Directors"), level("VP")],
            ..CadencePolicy::default()
        }
    }

    fn next(
        escalated: Escalated,
        justifications: &[Justification],
        now: i64,
    ) -> Option<(usize, Timestamp)> {
        next_escalation(
            &policy(),
            Some(Priority::P1),
            at(0),
            escalated,
            justifications,
            at(now),
        )
        .map(|n| (n.level, n.at))
    }

    #[test]
    fn levels_fall_due_a_window_apart() {
        assert_eq!(next(Escalated::default(), &[], 0), Some((1, at(120))));
        let first = Escalated {
            done: 1,
            last_at: Some(at(120)),
        };
        assert_eq!(next(first, &[], 130), Some((2, at(240))));
        let both = Escalated {
            done: 2,
            last_at: Some(at(240)),
        };
        assert_eq!(next(both, &[], 250), None);
    }

    #[test]
    fn a_priority_without_a_window_never_escalates() {
        let p4 = next_escalation(
            &policy(),
            Some(Priority::P4),
            at(0),
            Escalated::default(),
            &[],
            at(0),
        );
        assert_eq!(p4, None);
        let none = next_escalation(&policy(), None, at(0), Escalated::default(), &[], at(0));
        assert_eq!(none, None);
    }

    #[test]
    fn a_justification_covering_the_window_defers_it_to_its_end() {
        let held = [Justification {
            from: at(100),
            until: at(180),
        }];
        assert_eq!(next(Escalated::default(), &held, 110), Some((1, at(180))));
        // chained: a second one recorded before the first ended
        let chained = [
            held[0],
            Justification {
                from: at(170),
                until: at(200),
            },
        ];
        assert_eq!(
            next(Escalated::default(), &chained, 175),
            Some((1, at(200)))
        );
    }

    #[test]
    fn an_expired_justification_no_longer_defers() {
        let expired = [Justification {
            from: at(10),
            until: at(60),
        }];
        assert_eq!(next(Escalated::default(), &expired, 70), Some((1, at(120))));
    }

    #[test]
    fn a_justification_recorded_after_the_due_instant_but_holding_now_defers() {
        let late = [Justification {
            from: at(125),
            until: at(150),
        }];
        assert_eq!(next(Escalated::default(), &late, 130), Some((1, at(150))));
        // once it ended, the level is due again at once
        assert_eq!(next(Escalated::default(), &late, 160), Some((1, at(120))));
    }

    #[test]
    fn a_justification_needs_a_reason_and_an_end_within_seven_days() {
        assert!(check_justification("vendor fix ETA 14:00", at(60), at(0)).is_ok());
        let pointers = |reason: &str, until: i64| {
            check_justification(reason, at(until), at(0))
                .expect_err("invalid")
                .0
                .into_iter()
                .map(|e| e.pointer)
                .collect::<Vec<_>>()
        };
        assert_eq!(pointers(" ", 0), vec!["/reason", "/until"]);
        assert_eq!(pointers("ok", 7 * 24 * 60 + 1), vec!["/until"]);
        assert!(check_justification("ok", at(7 * 24 * 60), at(0)).is_ok());
    }

    #[test]
    fn holding_picks_the_one_ending_last() {
        let both = [
            Justification {
                from: at(0),
                until: at(30),
            },
            Justification {
                from: at(5),
                until: at(50),
            },
        ];
        assert_eq!(holding(&both, at(10)).map(|j| j.until), Some(at(50)));
        assert_eq!(holding(&both, at(50)), None);
    }
}
