//! Who fills an incident role at an instant, and why: the first person on call in the role's
//! schedule (in the on-call answer's order) who is active and has every required skill; else the
//! backup, if active; else nobody, with the reasons. The reason of being on call is the caller's
//! (`R`): the API keeps the layer, rotation turn or override, the engine a sentence.
use serde::Serialize;

use super::model::IncidentRole;
use crate::id::UserId;

/// What staffing needs to know about a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub active: bool,
    /// Stored lowercase.
    pub skills: Vec<String>,
}

/// Who fills a role, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staffing<R> {
    /// Nobody when the role is unstaffed.
    pub user: Option<UserId>,
    pub reason: StaffingReason<R>,
}

/// Why the role is filled by whom it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StaffingReason<R> {
    /// On call in the role's schedule and qualified; `skipped` were on call before them in the
    /// answer's order but not qualified.
    OnCall { on_call: R, skipped: Vec<Skipped> },
    /// The backup, because the schedule gave nobody qualified.
    Backup { because: NotOnCall },
    /// Nobody: the schedule gave nobody qualified and the backup cannot step in.
    Unstaffed {
        because: NotOnCall,
        backup: BackupProblem,
    },
}

/// Why the schedule does not staff the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotOnCall {
    /// The role names no schedule.
    NoSchedule,
    /// Its schedule has a gap.
    NobodyOnCall,
    /// Everyone on call was passed over.
    NotQualified { skipped: Vec<Skipped> },
}

/// Someone on call who was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub user: UserId,
    pub because: SkippedBecause,
}

/// Why someone on call was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkippedBecause {
    Deactivated,
    /// They lack these required skills (sorted).
    MissingSkills {
        missing: Vec<String>,
    },
}

/// Why the backup cannot fill the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackupProblem {
    NoBackup,
    Deactivated { user: UserId },
}

/// Who fills `role`: `on_call` is who is on call in its schedule at the instant, in the answer's
/// order, each with why (`None`: the role has no schedule); `person` tells whether someone is
/// active and their skills. The backup is the administrator's named choice: their skills are not
/// checked, only that they are active.
pub fn staff_role<R: Clone>(
    role: &IncidentRole,
    on_call: Option<&[(UserId, R)]>,
    person: impl Fn(UserId) -> Person,
) -> Staffing<R> {
    let because = match on_call {
        None => NotOnCall::NoSchedule,
        Some([]) => NotOnCall::NobodyOnCall,
        Some(entries) => {
            let mut skipped = Vec::new();
            for (user, why) in entries {
                match passed_over(role, &person(*user)) {
                    Some(because) => skipped.push(Skipped {
                        user: *user,
                        because,
                    }),
                    None => {
                        return Staffing {
                            user: Some(*user),
                            reason: StaffingReason::OnCall {
                                on_call: why.clone(),
                                skipped,
                            },
                        };
                    }
                }
            }
            NotOnCall::NotQualified { skipped }
        }
    };
    match role.backup_user_id {
        Some(backup) if person(backup).active => Staffing {
            user: Some(backup),
            reason: StaffingReason::Backup { because },
        },
        Some(backup) => unstaffed(because, BackupProblem::Deactivated { user: backup }),
        None => unstaffed(because, BackupProblem::NoBackup),
    }
}

fn unstaffed<R>(because: NotOnCall, backup: BackupProblem) -> Staffing<R> {
    Staffing {
        user: None,
        reason: StaffingReason::Unstaffed { because, backup },
    }
}

/// Why `person` cannot fill `role`, if they cannot.
fn passed_over(role: &IncidentRole, person: &Person) -> Option<SkippedBecause> {
    if !person.active {
        return Some(SkippedBecause::Deactivated);
    }
    let mut missing: Vec<String> = role
        .required_skills
        .iter()
        .filter(|skill| !person.skills.contains(skill))
        .cloned()
        .collect();
    missing.sort();
    (!missing.is_empty()).then_some(SkippedBecause::MissingSkills { missing })
}

impl<R> Staffing<R> {
    /// The staffing in words: `on_call` words the on-call reason, `name` names a person.
    pub fn explain(
        &self,
        on_call: impl Fn(&R) -> String,
        name: impl Fn(UserId) -> String,
    ) -> String {
        match &self.reason {
            StaffingReason::OnCall {
                on_call: why,
                skipped,
            } if skipped.is_empty() => on_call(why),
            StaffingReason::OnCall {
                on_call: why,
                skipped,
            } => {
                format!(
                    "{}; passed over: {}",
                    on_call(why),
                    skipped_words(skipped, &name)
                )
            }
            StaffingReason::Backup { because } => {
                format!(
                    "the role's backup, because {}",
                    not_on_call_words(because, &name)
                )
            }
            StaffingReason::Unstaffed { because, backup } => {
                let backup = match backup {
                    BackupProblem::NoBackup => "it has no backup".to_owned(),
                    BackupProblem::Deactivated { user } => {
                        format!("its backup {} is deactivated", name(*user))
                    }
                };
                format!(
                    "unstaffed: {}, and {backup}",
                    not_on_call_words(because, &name)
                )
            }
        }
    }
}

fn not_on_call_words(because: &NotOnCall, name: &impl Fn(UserId) -> String) -> String {
    match because {
        NotOnCall::NoSchedule => "the role has no schedule".to_owned(),
        NotOnCall::NobodyOnCall => "nobody is on call in its schedule".to_owned(),
        NotOnCall::NotQualified { skipped } => {
            format!(
                "nobody on call is qualified ({})",
                skipped_words(skipped, name)
            )
        }
    }
}

fn skipped_words(skipped: &[Skipped], name: &impl Fn(UserId) -> String) -> String {
    let words: Vec<String> = skipped
        .iter()
        .map(|skip| match &skip.because {
            SkippedBecause::Deactivated => format!("{} is deactivated", name(skip.user)),
            SkippedBecause::MissingSkills { missing } => {
                format!("{} lacks {}", name(skip.user), missing.join(", "))
            }
        })
        .collect();
    words.join("; ")
}

#[cfg(test)]
mod tests;
