//! Which status changes a responder may make by hand, and what each one needs (a reason for
//! declining, canceling or reopening). Alerts and the escalation engine move an incident between
//! triggered, acknowledged and resolved on their own; this is the rule for people.
use super::status::IncidentStatus;

/// A permitted change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: IncidentStatus,
    pub to: IncidentStatus,
    /// The change must carry a reason (declining, canceling, reopening).
    pub needs_reason: bool,
    /// A resolved incident is taken up again.
    pub reopens: bool,
}

/// Why a change is refused, in words a responder can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionRefused {
    #[error("the incident is already {}", .0.as_str())]
    Unchanged(IncidentStatus),
    #[error("the incident is {} and can no longer change status", .0.as_str())]
    Final(IncidentStatus),
    #[error("an incident cannot go from {} to {}: {why}", .from.as_str(), .to.as_str())]
    NotAllowed {
        from: IncidentStatus,
        to: IncidentStatus,
        why: &'static str,
    },
}

/// Decides whether a responder may move an incident from `from` to `to`.
pub fn check(from: IncidentStatus, to: IncidentStatus) -> Result<Transition, TransitionRefused> {
    use IncidentStatus as S;
    if from == to {
        return Err(TransitionRefused::Unchanged(from));
    }
    if from.is_final() {
        return Err(TransitionRefused::Final(from));
    }
    let refuse = |why| Err(TransitionRefused::NotAllowed { from, to, why });
    let allowed = |needs_reason, reopens| {
        Ok(Transition {
            from,
            to,
            needs_reason,
            reopens,
        })
    };
    match to {
        S::Triggered => refuse("alerts and escalation trigger an incident; escalate it instead"),
        S::Merged => refuse("merge it into its primary incident instead"),
        S::Acknowledged if from == S::Triggered => allowed(false, false),
        S::Acknowledged => refuse("only a triggered incident can be acknowledged"),
        S::Investigating | S::Identified | S::Monitoring if from.is_open() => allowed(false, false),
        S::Investigating if from == S::Resolved => allowed(true, true),
        S::Identified | S::Monitoring => refuse("reopen it as investigating first"),
        S::Resolved if from.is_open() => allowed(false, false),
        S::Resolved => refuse("only an open incident can be resolved"),
        S::Closed if from == S::Resolved => allowed(false, false),
        S::Closed => refuse("resolve it first"),
        S::Declined if matches!(from, S::Triggered | S::Acknowledged | S::Investigating) => {
            allowed(true, false)
        }
        S::Declined => refuse("an incident can be declined only before its cause is identified"),
        S::Canceled if from.is_open() => allowed(true, false),
        S::Canceled => refuse("only an open incident can be canceled"),
        S::Investigating => refuse("only an open or resolved incident can be investigated"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus as S;

    #[test]
    fn the_forward_path_is_allowed_step_by_step() {
        let path = [
            S::Triggered,
            S::Acknowledged,
            S::Investigating,
            S::Identified,
            S::Monitoring,
            S::Resolved,
            S::Closed,
        ];
        for pair in path.windows(2) {
            let step = check(pair[0], pair[1]).expect("forward step");
            assert!(!step.needs_reason && !step.reopens, "{pair:?}");
        }
    }

    #[test]
    fn responders_may_go_back_and_forth_while_it_is_open() {
        assert!(check(S::Monitoring, S::Investigating).is_ok());
        assert!(check(S::Identified, S::Investigating).is_ok());
        assert!(check(S::Triggered, S::Monitoring).is_ok());
    }

    #[test]
    fn reopening_declining_and_canceling_need_a_reason() {
        let reopen = check(S::Resolved, S::Investigating).expect("reopen");
        assert!(reopen.needs_reason && reopen.reopens);
        assert!(
            check(S::Triggered, S::Declined)
                .expect("decline")
                .needs_reason
        );
        assert!(
            check(S::Monitoring, S::Canceled)
                .expect("cancel")
                .needs_reason
        );
    }

    #[test]
    fn final_statuses_never_change() {
        for from in IncidentStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for to in IncidentStatus::ALL {
                assert!(check(from, to).is_err(), "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn refusals_say_what_to_do_instead() {
        let merged = check(S::Investigating, S::Merged).expect_err("refused");
        assert!(merged.to_string().contains("merge it into its primary"));
        let closed = check(S::Monitoring, S::Closed).expect_err("refused");
        assert!(closed.to_string().contains("resolve it first"));
        assert!(check(S::Identified, S::Declined).is_err());
        assert!(check(S::Acknowledged, S::Triggered).is_err());
        assert!(check(S::Investigating, S::Acknowledged).is_err());
        assert_eq!(
            check(S::Resolved, S::Resolved),
            Err(TransitionRefused::Unchanged(S::Resolved))
        );
    }

    #[test]
    fn every_pair_has_an_answer_and_only_open_or_resolved_incidents_move() {
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                if let Ok(step) = check(from, to) {
                    assert!(from.is_open() || from == S::Resolved, "{from:?} -> {to:?}");
                    assert!(to != S::Triggered && to != S::Merged);
                    assert_eq!(step.reopens, !from.is_open() && to.is_open());
                }
            }
        }
    }
}
