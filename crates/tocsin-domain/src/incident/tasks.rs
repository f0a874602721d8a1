//! Incident tasks: a title, an optional owner and due time, and a status that moves by a fixed
//! rule: done and canceled are final, and sending a task back to open from in progress (a reopen)
//! or canceling it needs a reason.
use serde::Serialize;

use crate::error::FieldError;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    InProgress,
    Done,
    Canceled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Open,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Canceled => "canceled",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Done and canceled tasks never change again.
    pub fn is_final(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Canceled)
    }
}

/// A task title, trimmed: 1 to `MAX_TITLE` characters.
pub fn title(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("/title", "must not be empty"));
    }
    if text.chars().count() > MAX_TITLE {
        return Err(FieldError::new(
            "/title",
            format!("at most {MAX_TITLE} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Whether a task may move from `from` to `to`, given the `reason` sent (if any).
pub fn transition(
    from: TaskStatus,
    to: TaskStatus,
    reason: Option<&str>,
) -> Result<(), FieldError> {
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    if from.is_final() {
        return Err(FieldError::new(
            "/status",
            format!(
                "the task is {}: done and canceled tasks are final",
                from.as_str()
            ),
        ));
    }
    let reopen = from == TaskStatus::InProgress && to == TaskStatus::Open;
    if (reopen || to == TaskStatus::Canceled) && !has_reason {
        return Err(FieldError::new(
            "/reason",
            format!(
                "moving a task from {} to {} needs a reason",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    Ok(())
}

/// Whether a change to anything but the status is allowed (a final task is closed to edits).
pub fn editable(status: TaskStatus, pointer: &str) -> Result<(), FieldError> {
    if status.is_final() {
        return Err(FieldError::new(
            pointer,
            format!(
                "the task is {}: done and canceled tasks are final",
                status.as_str()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(TaskStatus::parse("finished"), None);
    }

    #[test]
    fn done_and_canceled_are_final_whatever_the_target_or_reason() {
        for from in [Done, Canceled] {
            for to in TaskStatus::ALL {
                let refused = transition(from, to, Some("please")).expect_err("final");
                assert_eq!(refused.pointer, "/status");
            }
            assert!(editable(from, "/title").is_err());
        }
    }

    #[test]
    fn reopening_and_canceling_need_a_reason_the_rest_does_not() {
        assert_eq!(
            transition(InProgress, Open, None)
                .expect_err("reason")
                .pointer,
            "/reason"
        );
        assert_eq!(
            transition(InProgress, Open, Some("  "))
                .expect_err("reason")
                .pointer,
            "/reason"
        );
        assert!(transition(InProgress, Open, Some("blocked on vendor")).is_ok());
        assert!(transition(Open, Canceled, None).is_err());
        assert!(transition(Open, Canceled, Some("not needed")).is_ok());
        for (from, to) in [(Open, InProgress), (Open, Done), (InProgress, Done)] {
            assert!(transition(from, to, None).is_ok(), "{from:?} -> {to:?}");
        }
        assert!(editable(Open, "/title").is_ok());
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  page the DBA ").expect("ok"), "page the DBA");
        assert!(title(" ").is_err());
        assert!(title(&"t".repeat(MAX_TITLE + 1)).is_err());
    }
}
