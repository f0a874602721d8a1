//! What the escalation engine does when an incident's escalation timer is due: page a step and
//! arm the next one, wait out an acknowledgement, re-escalate when the acknowledgement times out,
//! or stop. Pure: the store supplies the incident's phase and the policy's shape, the engine
//! carries the decision out in one transaction.
use jiff::{SignedDuration, Timestamp};

use crate::alerting::severity::Severity;
use crate::delivery::Urgency;

/// Where in its escalation an incident is: the cycle (0, then one more each time an
/// acknowledgement times out or a responder restarts it), the round (0, then one more each time
/// the policy repeats) and the step within the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub cycle: u32,
    pub round: u32,
    pub step: u32,
}

impl Position {
    /// The first step of the first round of `cycle`.
    pub fn start_of(cycle: u32) -> Self {
        Self {
            cycle,
            round: 0,
            step: 0,
        }
    }

    /// The outbox key part naming this page (`c0.r1.s2`): one delivery sequence per contact
    /// method per position, however often the timer is processed.
    pub fn step_key(self) -> String {
        format!("c{}.r{}.s{}", self.cycle, self.round, self.step)
    }

    /// The step's number as people count it (1 for the first).
    pub fn level(self) -> u32 {
        self.step + 1
    }
}

/// Why a timer exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    /// Page the step at the timer's position (the first one is armed when the incident opens).
    Step,
    /// The incident was acknowledged; when this is due and it still is, it re-escalates.
    AckTimeout,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::Step => "step",
            TimerKind::AckTimeout => "ack_timeout",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [TimerKind::Step, TimerKind::AckTimeout]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// The incident's state as far as escalation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Triggered,
    Acknowledged {
        at: Timestamp,
    },
    /// Responders are working on it (investigating, identified or monitoring).
    Engaged,
    Resolved,
    /// Closed, declined, canceled or merged into another incident.
    Ended,
}

/// The parts of an escalation policy the engine walks: each step's wait before the next one,
/// how often the whole policy repeats, and the acknowledgement timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyShape {
    pub step_delays: Vec<SignedDuration>,
    pub repeat: u32,
    pub ack_timeout: Option<SignedDuration>,
}

impl PolicyShape {
    /// The position after `current`: the next step, the first step of the next round while
    /// rounds remain, else none (the policy is exhausted).
    pub fn next_position(&self, current: Position) -> Option<Position> {
        let steps = u32::try_from(self.step_delays.len()).unwrap_or(u32::MAX);
        if current.step + 1 < steps {
            return Some(Position {
                step: current.step + 1,
                ..current
            });
        }
        (current.round < self.repeat).then_some(Position {
            cycle: current.cycle,
            round: current.round + 1,
            step: 0,
        })
    }

    fn delay_after(&self, position: Position) -> Option<SignedDuration> {
        self.step_delays
            .get(usize::try_from(position.step).ok()?)
            .copied()
    }
}

/// The next timer to arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextTimer {
    pub kind: TimerKind,
    pub position: Position,
    pub due_at: Timestamp,
}

/// What to do with a due timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Page everyone the step at `position` names, then arm `next` (none: the policy is
    /// exhausted after this page). `reescalated`: the incident goes back to triggered first,
    /// because its acknowledgement timed out.
    Page {
        position: Position,
        next: Option<NextTimer>,
        reescalated: bool,
    },
    /// Nothing to page now; arm this timer instead (an acknowledgement to wait out).
    Rearm(NextTimer),
    /// Drop the timer: nothing more will be paged for this incident.
    Stop(StopReason),
}

/// Why escalation stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Resolved,
    /// Acknowledged, and the policy has no acknowledgement timeout.
    Acknowledged,
    /// The timer points past the policy's last step (the policy was shortened).
    PolicyExhausted,
    /// Responders are investigating, have identified the cause, or are monitoring a fix.
    Engaged,
    /// The incident was closed, declined, canceled or merged.
    Ended,
}

impl StopReason {
    pub fn describe(self) -> &'static str {
        match self {
            StopReason::Resolved => "the incident is resolved",
            StopReason::Acknowledged => {
                "the incident is acknowledged and its policy has no acknowledgement timeout"
            }
            StopReason::PolicyExhausted => "the escalation policy has no further step",
            StopReason::Engaged => "responders are working on the incident",
            StopReason::Ended => "the incident was closed, declined, canceled or merged",
        }
    }
}

/// Decides what a timer due at or before `now` does, given the incident's phase and the policy.
pub fn decide(
    kind: TimerKind,
    position: Position,
    phase: Phase,
    policy: &PolicyShape,
    now: Timestamp,
) -> Decision {
    match (phase, kind) {
        (Phase::Resolved, _) => Decision::Stop(StopReason::Resolved),
        (Phase::Ended, _) => Decision::Stop(StopReason::Ended),
        (Phase::Engaged, _) => Decision::Stop(StopReason::Engaged),
        (Phase::Acknowledged { at }, _) => match policy.ack_timeout {
            None => Decision::Stop(StopReason::Acknowledged),
            Some(timeout) if at + timeout <= now => {
                page(Position::start_of(position.cycle + 1), policy, now, true)
            }
            Some(timeout) => Decision::Rearm(NextTimer {
                kind: TimerKind::AckTimeout,
                position,
                due_at: at + timeout,
            }),
        },
        // Triggered again before the acknowledgement timeout fired (a responder restarted it):
        // the restart already paged; start the next cycle from the top.
        (Phase::Triggered, TimerKind::AckTimeout) => {
            page(Position::start_of(position.cycle + 1), policy, now, false)
        }
        (Phase::Triggered, TimerKind::Step) => page(position, policy, now, false),
    }
}

fn page(position: Position, policy: &PolicyShape, now: Timestamp, reescalated: bool) -> Decision {
    let Some(delay) = policy.delay_after(position) else {
        return Decision::Stop(StopReason::PolicyExhausted);
    };
    let next = policy.next_position(position).map(|next| NextTimer {
        kind: TimerKind::Step,
        position: next,
        due_at: now + delay,
    });
    Decision::Page {
        position,
        next,
        reescalated,
    }
}

/// How urgently an incident of `severity` pages: critical and error are high urgency (every
/// rule, any hour), warning and info low (low-urgency rules, held through quiet hours).
pub fn urgency_for(severity: Severity) -> Urgency {
    match severity {
        Severity::Critical | Severity::Error => Urgency::High,
        Severity::Warning | Severity::Info => Urgency::Low,
    }
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
