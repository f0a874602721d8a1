//! Timeline entries written by hand during a response: notes, decisions (with their rationale),
//! commands executed, configuration changes and status updates. Each is validated here (every bad
//! field named at once) and becomes one timeline event; entries are never edited: a correction is
//! another entry pointing at the earlier one with `corrects_seq`.
use serde::Serialize;

use crate::error::{Collector, FieldError, ValidationError};

/// Longest body, in characters.
pub const MAX_BODY: usize = 10_000;
/// Longest rationale, rollback or change description, in characters.
pub const MAX_DETAIL: usize = 5_000;
/// Longest short field (target, outcome, system), in characters.
pub const MAX_SHORT: usize = 500;

/// What kind of entry a responder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Note,
    Decision,
    Command,
    ConfigChange,
    StatusUpdate,
}

impl EntryKind {
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Note,
        EntryKind::Decision,
        EntryKind::Command,
        EntryKind::ConfigChange,
        EntryKind::StatusUpdate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::Decision => "decision",
            EntryKind::Command => "command",
            EntryKind::ConfigChange => "config_change",
            EntryKind::StatusUpdate => "status_update",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The timeline event kind an entry of this kind is recorded as.
    pub fn event_kind(self) -> &'static str {
        match self {
            EntryKind::Note => "incident.note",
            EntryKind::Decision => "incident.decision",
            EntryKind::Command => "incident.command",
            EntryKind::ConfigChange => "incident.config_change",
            EntryKind::StatusUpdate => "incident.status_update",
        }
    }
}

/// Whether a timeline event kind is an entry written by hand (the only kind a correction may
/// point at).
pub fn is_by_hand(event_kind: &str) -> bool {
    EntryKind::ALL.iter().any(|k| k.event_kind() == event_kind)
}

/// An entry as sent, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryInput {
    pub kind: String,
    pub body: String,
    pub rationale: Option<String>,
    pub target: Option<String>,
    pub outcome: Option<String>,
    pub system: Option<String>,
    pub change: Option<String>,
    pub rollback: Option<String>,
    pub audience: Option<String>,
    pub corrects_seq: Option<i64>,
}

/// A valid entry: its timeline payload is this, serialised (absent fields left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[serde(rename = "entry_kind")]
    pub kind: EntryKind,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects_seq: Option<i64>,
}

/// Which kind may carry which optional field, and which kind requires it.
struct FieldRule {
    name: &'static str,
    kinds: &'static [EntryKind],
    required: bool,
    max: usize,
}

const RULES: [FieldRule; 7] = [
    FieldRule {
        name: "rationale",
        kinds: &[EntryKind::Decision],
        required: true,
        max: MAX_DETAIL,
    },
    FieldRule {
        name: "target",
        kinds: &[EntryKind::Command],
        required: false,
        max: MAX_SHORT,
    },
    FieldRule {
        name: "outcome",
        kinds: &[EntryKind::Command],
        required: false,
        max: MAX_SHORT,
    },
    FieldRule {
        name: "system",
        kinds: &[EntryKind::ConfigChange],
        required: true,
        max: MAX_SHORT,
    },
    FieldRule {
        name: "change",
        kinds: &[EntryKind::ConfigChange],
        required: true,
        max: MAX_DETAIL,
    },
    FieldRule {
        name: "rollback",
        kinds: &[EntryKind::ConfigChange],
        required: false,
        max: MAX_DETAIL,
    },
    FieldRule {
        name: "audience",
        kinds: &[EntryKind::StatusUpdate],
        required: true,
        max: MAX_SHORT,
    },
];

/// Audiences a status update may be written for.
pub const AUDIENCES: [&str; 2] = ["internal", "stakeholders"];

/// A trimmed text within `max` characters; empty counts as absent.
fn text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    Ok(Some(value.to_owned()))
}

/// Validates an entry, naming every bad field.
pub fn validate(input: &EntryInput) -> Result<Entry, ValidationError> {
    let mut errors = Collector::default();
    let kind = EntryKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "/kind",
            "must be note, decision, command, config_change or status_update",
        ));
    }
    let body = match text(Some(&input.body), MAX_BODY) {
        Ok(Some(body)) => Some(body),
        Ok(None) => {
            errors.push(FieldError::new("/body", "must not be empty"));
            None
        }
        Err(detail) => {
            errors.push(FieldError::new("/body", detail));
            None
        }
    };
    let given = [
        input.rationale.as_deref(),
        input.target.as_deref(),
        input.outcome.as_deref(),
        input.system.as_deref(),
        input.change.as_deref(),
        input.rollback.as_deref(),
        input.audience.as_deref(),
    ];
    let mut values: [Option<String>; 7] = Default::default();
    for ((rule, value), slot) in RULES.iter().zip(given).zip(values.iter_mut()) {
        let pointer = format!("/{}", rule.name);
        let Some(kind) = kind else {
            continue;
        };
        let belongs = rule.kinds.contains(&kind);
        match text(value, rule.max) {
            Err(detail) => errors.push(FieldError::new(pointer, detail)),
            Ok(Some(_)) if !belongs => errors.push(FieldError::new(
                pointer,
                format!("a {} entry has no {}", kind.as_str(), rule.name),
            )),
            Ok(None) if belongs && rule.required => errors.push(FieldError::new(
                pointer,
                format!("a {} entry needs a {}", kind.as_str(), rule.name),
            )),
            Ok(found) => *slot = found,
        }
    }
    if values[6]
        .as_deref()
        .is_some_and(|audience| !AUDIENCES.contains(&audience))
    {
        errors.push(FieldError::new(
            "/audience",
            "must be internal or stakeholders",
        ));
    }
    if input.corrects_seq.is_some_and(|seq| seq < 1) {
        errors.push(FieldError::new(
            "/corrects_seq",
            "must be the seq of an earlier entry (from 1)",
        ));
    }
    errors.finish()?;
    let (Some(kind), Some(body)) = (kind, body) else {
        return Err(ValidationError::field("/kind", "missing"));
    };
    let [
        rationale,
        target,
        outcome,
        system,
        change,
        rollback,
        audience,
    ] = values;
    Ok(Entry {
        kind,
        body,
        rationale,
        target,
        outcome,
        system,
        change,
        rollback,
        audience,
        corrects_seq: input.corrects_seq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, body: &str) -> EntryInput {
        EntryInput {
            kind: kind.to_owned(),
            body: body.to_owned(),
            ..EntryInput::default()
        }
    }

    fn pointers(error: ValidationError) -> Vec<String> {
        error.0.into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn a_note_needs_only_a_body_and_is_trimmed() {
        let entry = validate(&input("note", "  rolled the dice  ")).expect("valid");
        assert_eq!(entry.kind, EntryKind::Note);
        assert_eq!(entry.body, "rolled the dice");
        assert_eq!(entry.kind.event_kind(), "incident.note");
    }

    #[test]
    fn a_decision_needs_its_rationale() {
        let missing = validate(&input("decision", "fail over")).expect_err("no rationale");
        assert_eq!(pointers(missing), ["/rationale"]);
        let mut decided = input("decision", "fail over");
        decided.rationale = Some("primary is unrecoverable".into());
        let entry = validate(&decided).expect("valid");
        assert_eq!(entry.rationale.as_deref(), Some("primary is unrecoverable"));
    }

    #[test]
    fn a_config_change_needs_system_and_change_and_may_carry_a_rollback() {
        let missing = validate(&input("config_change", "raised pool")).expect_err("missing");
        assert_eq!(pointers(missing), ["/system", "/change"]);
        let mut change = input("config_change", "raised pool");
        change.system = Some("pgbouncer".into());
        change.change = Some("pool_size 20 -> 50".into());
        change.rollback = Some("set back to 20".into());
        let entry = validate(&change).expect("valid");
        assert_eq!(entry.rollback.as_deref(), Some("set back to 20"));
    }

    #[test]
    fn a_status_update_names_a_known_audience() {
        let missing = validate(&input("status_update", "still down")).expect_err("missing");
        assert_eq!(pointers(missing), ["/audience"]);
        let mut wrong = input("status_update", "still down");
        wrong.audience = Some("press".into());
        assert_eq!(pointers(validate(&wrong).expect_err("bad")), ["/audience"]);
        wrong.audience = Some("stakeholders".into());
        assert!(validate(&wrong).is_ok());
    }

    #[test]
    fn fields_of_another_kind_are_refused_and_every_bad_field_is_named() {
        let mut note = input("note", "");
        note.target = Some("db-1".into());
        note.audience = Some("internal".into());
        note.corrects_seq = Some(0);
        assert_eq!(
            pointers(validate(&note).expect_err("bad")),
            ["/body", "/target", "/audience", "/corrects_seq"]
        );
        let mut command = input("command", "systemctl restart api");
        command.target = Some("api-3".into());
        command.outcome = Some("restarted".into());
        assert!(validate(&command).is_ok());
    }

    #[test]
    fn unknown_kinds_and_long_texts_are_refused() {
        assert_eq!(
            pointers(validate(&input("rumour", "x")).expect_err("bad")),
            ["/kind"]
        );
        let long = "x".repeat(MAX_BODY + 1);
        assert_eq!(
            pointers(validate(&input("note", &long)).expect_err("long")),
            ["/body"]
        );
        let mut command = input("command", "ls");
        command.target = Some("h".repeat(MAX_SHORT + 1));
        assert_eq!(pointers(validate(&command).expect_err("long")), ["/target"]);
    }

    #[test]
    fn only_entries_by_hand_are_correctable() {
        assert!(is_by_hand("incident.decision"));
        assert!(is_by_hand("incident.status_update"));
        assert!(!is_by_hand("incident.opened"));
        assert!(!is_by_hand("incident.pinned"));
    }
}
