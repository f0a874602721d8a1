//! Noise holds on a trigger that nothing else holds back (no rule, silence, maintenance window or
//! inhibition), tried in this order: a rule's threshold (held until N occurrences within a window;
//! never a critical alert), flapping (more than K triggers and resolves of the alert's key within
//! a window) and the service's transient pause. Each hold is explained in words and says when to
//! look at the alert again; the caller only fetches the instants and applies the answer.
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::Severity;
use super::flap::FlapPolicy;
use super::noise::NoiseControl;
use super::threshold::{Threshold, ThresholdDecision};

/// Which noise rule holds an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    Threshold,
    Flapping,
    TransientPause,
}

impl HoldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::Threshold => "threshold",
            HoldKind::Flapping => "flapping",
            HoldKind::TransientPause => "transient_pause",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            HoldKind::Threshold,
            HoldKind::Flapping,
            HoldKind::TransientPause,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// A rule's threshold, with the rule's name for the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedThreshold {
    pub rule: String,
    pub threshold: Threshold,
}

impl NamedThreshold {
    fn describe(&self) -> String {
        format!("threshold of rule {:?}", self.rule)
    }
}

/// The noise rules that apply to one trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoiseCheck {
    /// The alert's severity after the event rules.
    pub severity: Severity,
    pub threshold: Option<NamedThreshold>,
    pub control: NoiseControl,
}

/// The instants the noise rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// When the alert was first seen (for a new trigger: now); the transient pause runs from it.
    pub first_seen_at: Timestamp,
    /// The alert's recent occurrences, this one included (read only under a threshold).
    pub occurrences: Vec<Timestamp>,
    /// Triggers and resolves of the alert's key, this alert's trigger included (read only under
    /// a flap policy).
    pub changes: Vec<Timestamp>,
}

impl History {
    /// A new trigger at `at`: its first sighting, first occurrence and a state change after
    /// `past_changes` (the key's earlier triggers and resolves).
    pub fn new_trigger(at: Timestamp, mut past_changes: Vec<Timestamp>) -> Self {
        past_changes.push(at);
        Self {
            first_seen_at: at,
            occurrences: vec![at],
            changes: past_changes,
        }
    }

    /// A repeat at `at` of an open alert first seen at `first_seen_at`, whose kept occurrences
    /// are `kept`; a repeat is an occurrence, not a state change.
    pub fn repeat(
        first_seen_at: Timestamp,
        kept: &[Timestamp],
        at: Timestamp,
        changes: Vec<Timestamp>,
    ) -> Self {
        let mut occurrences = kept.to_vec();
        occurrences.push(at);
        Self {
            first_seen_at,
            occurrences,
            changes,
        }
    }
}

/// A noise rule holds the alert back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoiseHold {
    pub kind: HoldKind,
    /// Why, in words.
    pub reason: String,
    /// When to decide again if nothing else happens (none: only a repeat or a change of the
    /// configuration can end it).
    pub revisit_at: Option<Timestamp>,
}

/// The noise rules' answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoiseVerdict {
    /// Decisions that did not hold the alert (a threshold reached, or not applied to a critical
    /// alert), in words.
    pub notes: Vec<String>,
    pub hold: Option<NoiseHold>,
}

impl NoiseCheck {
    /// The check for a trigger of `severity`, or `None` when no noise rule applies.
    pub fn new(
        severity: Severity,
        threshold: Option<NamedThreshold>,
        control: Option<NoiseControl>,
    ) -> Option<Self> {
        let control = control.unwrap_or_default();
        if threshold.is_none() && control.is_off() {
            return None;
        }
        Some(Self {
            severity,
            threshold,
            control,
        })
    }

    /// The flap policy, when the key's state changes must be read.
    pub fn flap(&self) -> Option<FlapPolicy> {
        self.control.flap
    }

    /// The occurrences to keep on the alert for later decisions (none without a threshold).
    pub fn occurrences_to_keep(&self, history: &History, at: Timestamp) -> Vec<Timestamp> {
        self.threshold.as_ref().map_or_else(Vec::new, |named| {
            named.threshold.keep_recent(at, &history.occurrences)
        })
    }

    /// Decides at `at`.
    pub fn decide(&self, history: &History, at: Timestamp) -> NoiseVerdict {
        let mut notes = Vec::new();
        if let Some(named) = &self.threshold {
            let Threshold {
                count,
                window_seconds,
            } = named.threshold;
            let what = named.describe();
            match named
                .threshold
                .decide(self.severity, at, &history.occurrences)
            {
                ThresholdDecision::Hold { seen, needed } => {
                    let reason = format!(
                        "held by {what}: seen {seen} of {needed} occurrences within {window_seconds} s; \
                         pages when {needed} are seen within the window"
                    );
                    return NoiseVerdict {
                        notes,
                        hold: Some(NoiseHold {
                            kind: HoldKind::Threshold,
                            reason,
                            revisit_at: None,
                        }),
                    };
                }
                ThresholdDecision::Page if self.severity == Severity::Critical => {
                    notes.push(format!(
                        "not held by {what} ({count} occurrences within {window_seconds} s): \
                         thresholds do not hold critical alerts"
                    ))
                }
                ThresholdDecision::Page => {
                    let seen = named.threshold.seen(at, &history.occurrences);
                    notes.push(format!(
                        "{what} reached: seen {seen} of {count} occurrences within {window_seconds} s"
                    ));
                }
            }
        }
        let hold = self
            .flapping(history, at)
            .or_else(|| self.paused(history, at));
        NoiseVerdict { notes, hold }
    }

    fn flapping(&self, history: &History, at: Timestamp) -> Option<NoiseHold> {
        let flap = self.control.flap?;
        let until = flap.stops_flapping_at(&history.changes, at)?;
        let count = flap.changes_in_window(&history.changes, at);
        Some(NoiseHold {
            kind: HoldKind::Flapping,
            reason: format!(
                "held as flapping: {count} state changes of this alert key within {} s (more than {}); \
                 looked at again at {until}, when it stops flapping, and pages then if still firing",
                flap.window_seconds, flap.max_changes
            ),
            revisit_at: Some(until),
        })
    }

    fn paused(&self, history: &History, at: Timestamp) -> Option<NoiseHold> {
        let seconds = self.control.transient_pause_seconds;
        let end = history
            .first_seen_at
            .checked_add(SignedDuration::from_secs(i64::from(seconds)))
            .ok()?;
        (seconds > 0 && at < end).then(|| NoiseHold {
            kind: HoldKind::TransientPause,
            reason: format!(
                "paused for {seconds} s to see whether it is transient: pages at {end} if still \
                 firing; resolving before then marks it transient"
            ),
            revisit_at: Some(end),
        })
    }
}

/// Why a held alert pages now, in words: the decisions noted, then what ended the hold.
pub fn release_reason(previous: Option<HoldKind>, notes: &[String]) -> String {
    let ended = match previous {
        None => Some(
            "nothing holds it back any more (silence, maintenance or inhibition ended) and it is \
             still firing",
        ),
        Some(HoldKind::Threshold) if !notes.is_empty() => None,
        Some(HoldKind::Threshold) => {
            Some("its threshold no longer holds it and it is still firing")
        }
        Some(HoldKind::Flapping) => Some("no longer flapping and still firing"),
        Some(HoldKind::TransientPause) => Some("still firing after its transient pause"),
    };
    let mut parts: Vec<&str> = notes.iter().map(String::as_str).collect();
    parts.extend(ended);
    format!("{}: paging now", parts.join("; "))
}

/// Whether an alert resolving at `at` while held is transient: its transient pause held it and
/// had not ended yet.
pub fn is_transient(hold: Option<HoldKind>, held_until: Option<Timestamp>, at: Timestamp) -> bool {
    hold == Some(HoldKind::TransientPause) && held_until.is_some_and(|end| at < end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    fn times(seconds: &[i64]) -> Vec<Timestamp> {
        seconds.iter().map(|s| at(*s)).collect()
    }

    fn threshold(count: u32, window_seconds: u32) -> Option<NamedThreshold> {
        Some(NamedThreshold {
            rule: "flaky disks".into(),
            threshold: Threshold {
                count,
                window_seconds,
            },
        })
    }

    fn control(pause: u32, flap: Option<(u32, u32)>) -> Option<NoiseControl> {
        Some(NoiseControl {
            transient_pause_seconds: pause,
            flap: flap.map(|(max_changes, window_seconds)| FlapPolicy {
                max_changes,
                window_seconds,
            }),
        })
    }

    fn history(first_seen: i64, occurrences: &[i64], changes: &[i64]) -> History {
        History {
            first_seen_at: at(first_seen),
            occurrences: times(occurrences),
            changes: times(changes),
        }
    }

    #[test]
    fn nothing_configured_is_no_check() {
        assert_eq!(NoiseCheck::new(Severity::Warning, None, None), None);
        assert_eq!(
            NoiseCheck::new(Severity::Warning, None, control(0, None)),
            None
        );
    }

    #[test]
    fn a_threshold_holds_until_reached_and_says_which_rule() {
        let check = NoiseCheck::new(Severity::Warning, threshold(3, 300), None).expect("on");
        let held = check.decide(&history(0, &[0, 100], &[]), at(100));
        let hold = held.hold.expect("held");
        assert_eq!(hold.kind, HoldKind::Threshold);
        assert_eq!(hold.revisit_at, None, "only a repeat can reach it");
        assert!(
            hold.reason.contains(
                r#"threshold of rule "flaky disks": seen 2 of 3 occurrences within 300 s"#
            ),
            "{}",
            hold.reason
        );
        let reached = check.decide(&history(0, &[0, 100, 200], &[]), at(200));
        assert_eq!(reached.hold, None);
        assert!(
            reached.notes[0].contains("reached: seen 3 of 3"),
            "{reached:?}"
        );
        // The first occurrence aged out of the window: two seen, still held.
        let aged = check.decide(&history(0, &[0, 100, 300], &[]), at(300));
        assert!(aged.hold.is_some(), "{aged:?}");
    }

    #[test]
    fn a_critical_alert_is_never_held_by_a_threshold() {
        let check = NoiseCheck::new(Severity::Critical, threshold(5, 60), None).expect("on");
        let verdict = check.decide(&history(0, &[0], &[]), at(0));
        assert_eq!(verdict.hold, None);
        assert!(
            verdict.notes[0].contains("thresholds do not hold critical alerts"),
            "{verdict:?}"
        );
    }

    #[test]
    fn flapping_holds_until_it_stops_then_the_pause_applies() {
        let check =
            NoiseCheck::new(Severity::Warning, None, control(0, Some((3, 600)))).expect("on");
        let changes = [0, 60, 120, 180];
        let hold = check
            .decide(&history(180, &[], &changes), at(180))
            .hold
            .expect("flapping");
        assert_eq!(hold.kind, HoldKind::Flapping);
        assert_eq!(hold.revisit_at, Some(at(600)));
        assert!(hold.reason.contains("4 state changes"), "{}", hold.reason);
        assert!(hold.reason.contains("within 600 s"), "{}", hold.reason);
        assert_eq!(
            check.decide(&history(180, &[], &changes), at(600)).hold,
            None
        );
        assert_eq!(
            check
                .decide(&history(180, &[], &changes[1..]), at(180))
                .hold,
            None,
            "three changes are allowed"
        );
    }

    #[test]
    fn the_transient_pause_runs_from_the_first_sighting() {
        let check = NoiseCheck::new(Severity::Critical, None, control(30, None)).expect("on");
        let hold = check
            .decide(&history(0, &[], &[]), at(10))
            .hold
            .expect("paused");
        assert_eq!(hold.kind, HoldKind::TransientPause);
        assert_eq!(hold.revisit_at, Some(at(30)));
        assert!(
            hold.reason
                .contains("paused for 30 s to see whether it is transient"),
            "{}",
            hold.reason
        );
        assert_eq!(check.decide(&history(0, &[], &[]), at(30)).hold, None);
    }

    #[test]
    fn precedence_is_threshold_then_flapping_then_pause() {
        let check = NoiseCheck::new(
            Severity::Warning,
            threshold(2, 60),
            control(30, Some((1, 60))),
        )
        .expect("on");
        let kind = |occurrences: &[i64], changes: &[i64]| {
            check
                .decide(&history(0, occurrences, changes), at(0))
                .hold
                .map(|h| h.kind)
        };
        assert_eq!(kind(&[0], &[-10, 0]), Some(HoldKind::Threshold));
        assert_eq!(kind(&[-5, 0], &[-10, 0]), Some(HoldKind::Flapping));
        assert_eq!(kind(&[-5, 0], &[0]), Some(HoldKind::TransientPause));
    }

    #[test]
    fn histories_count_a_new_trigger_as_a_change_and_a_repeat_as_an_occurrence() {
        let new = History::new_trigger(at(10), times(&[0, 5]));
        assert_eq!(new.changes, times(&[0, 5, 10]));
        assert_eq!(new.occurrences, times(&[10]));
        let repeat = History::repeat(at(0), &times(&[0, 4]), at(9), times(&[0]));
        assert_eq!(repeat.occurrences, times(&[0, 4, 9]));
        assert_eq!(repeat.changes, times(&[0]));
        let check = NoiseCheck::new(Severity::Info, threshold(2, 5), None).expect("on");
        assert_eq!(check.occurrences_to_keep(&repeat, at(9)), times(&[9]));
        let untracked = NoiseCheck::new(Severity::Info, None, control(5, None)).expect("on");
        assert!(untracked.occurrences_to_keep(&repeat, at(9)).is_empty());
    }

    #[test]
    fn release_reasons_say_what_ended() {
        assert!(release_reason(None, &[]).contains("silence, maintenance or inhibition"));
        assert_eq!(
            release_reason(Some(HoldKind::Flapping), &[]),
            "no longer flapping and still firing: paging now"
        );
        assert_eq!(
            release_reason(Some(HoldKind::Threshold), &["x reached".into()]),
            "x reached: paging now"
        );
        assert!(release_reason(Some(HoldKind::TransientPause), &[]).contains("transient pause"));
    }

    #[test]
    fn only_a_resolve_within_the_pause_is_transient() {
        let kind = Some(HoldKind::TransientPause);
        assert!(is_transient(kind, Some(at(30)), at(29)));
        assert!(!is_transient(kind, Some(at(30)), at(30)));
        assert!(!is_transient(kind, None, at(0)));
        assert!(!is_transient(Some(HoldKind::Flapping), Some(at(30)), at(0)));
        assert_eq!(HoldKind::parse("transient_pause"), kind);
        assert_eq!(HoldKind::parse("other"), None);
    }

    proptest! {
        #[test]
        fn a_hold_with_a_deadline_is_over_at_that_deadline(
            pause in 0_u32..120,
            max_changes in 1_u32..5,
            window in 1_u32..600,
            changes in prop::collection::vec(0_i64..1000, 0..12),
            first_seen in 0_i64..1000,
            now in 0_i64..1100,
        ) {
            let check = NoiseCheck::new(
                Severity::Warning, None, control(pause, Some((max_changes, window)))
            ).expect("on");
            // Changes are in the past: nothing new happens before the deadline.
            let past: Vec<i64> = changes.into_iter().filter(|c| *c <= now).collect();
            let history = History {
                first_seen_at: at(first_seen),
                occurrences: Vec::new(),
                changes: times(&past),
            };
            if let Some(hold) = check.decide(&history, at(now)).hold {
                let revisit = hold.revisit_at.expect("flapping and pauses have deadlines");
                prop_assert!(revisit > at(now));
                // At the deadline the same hold is over (another may take over, never the same
                // one again).
                let later = check.decide(&history, revisit).hold.map(|h| h.kind);
                prop_assert_ne!(later, Some(hold.kind));
            }
        }
    }
}
