//! What the schedule routes answer: schedules (with their gap warnings), overrides, shifts and the
//! reason someone is on call, each person named by id and name.
use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::UserId;
use tocsin_domain::oncall::{Interval, Schedule, Source, Turn};
use tocsin_store::Reader;
use tocsin_store::catalog::users;
use tocsin_store::schedule::{ScheduleOverride, StoredSchedule};

use crate::error::ApiError;

/// A person, by id and name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
}

/// Users' names, looked up once each.
#[derive(Debug, Default)]
pub struct Names(HashMap<UserId, String>);

impl Names {
    /// The names of `users` (each read once).
    pub async fn of(
        reader: Reader<'_>,
        users: impl IntoIterator<Item = UserId>,
    ) -> Result<Self, ApiError> {
        let mut names = HashMap::new();
        for user in users.into_iter().collect::<BTreeSet<_>>() {
            let name = match users::get_user(reader, user).await {
                Ok(found) => found.name.into(),
                Err(tocsin_store::StoreError::NotFound(_)) => "unknown user".to_owned(),
                Err(other) => return Err(other.into()),
            };
            names.insert(user, name);
        }
        Ok(Self(names))
    }

    pub fn name(&self, user: UserId) -> &str {
        self.0.get(&user).map_or("unknown user", String::as_str)
    }

    pub fn user(&self, user: UserId) -> UserRef {
        UserRef {
            id: user.0,
            name: self.name(user).to_owned(),
        }
    }
}

/// A rotation turn: its number counts handoffs from the first handoff (0), negative before it;
/// it goes to the rotation's participant at `participant_index`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TurnView {
    pub number: i64,
    pub participant_index: usize,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
}

impl From<Turn> for TurnView {
    fn from(turn: Turn) -> Self {
        Self {
            number: turn.number,
            participant_index: turn.participant,
            start: turn.start,
            end: turn.end,
        }
    }
}

/// Why someone is on call: a layer's rotation, a temporary schedule, or an override.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The layer at `layer_index` (the last layer is on top) put them on call.
    Layer {
        layer_index: usize,
        layer_name: String,
        /// The rotation turn (in the on-call answer; absent from timeline shifts, which may span
        /// several turns of the same person).
        #[serde(skip_serializing_if = "Option::is_none")]
        turn: Option<TurnView>,
    },
    /// A shift of the temporary schedule at `temporary_index`.
    Temporary {
        temporary_index: usize,
        #[schema(value_type = String, format = DateTime)]
        start: Timestamp,
        #[schema(value_type = String, format = DateTime)]
        end: Timestamp,
    },
    /// An override: they replace whoever the schedule says.
    Override {
        #[schema(value_type = String, format = Uuid)]
        override_id: uuid::Uuid,
        #[schema(value_type = String, format = DateTime)]
        start: Timestamp,
        #[schema(value_type = String, format = DateTime)]
        end: Timestamp,
        created_by: String,
    },
}

impl Reason {
    /// The reason for `source` in `schedule`, whose overrides are `overrides` (in the same
    /// order as `schedule.overrides`).
    pub fn of(
        source: Source,
        turn: Option<Turn>,
        schedule: &Schedule,
        overrides: &[ScheduleOverride],
    ) -> Self {
        match source {
            Source::Layer(index) => Reason::Layer {
                layer_index: index,
                layer_name: schedule
                    .layers
                    .get(index)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                turn: turn.map(TurnView::from),
            },
            Source::Temporary(index) => {
                let period = schedule.temporary.get(index);
                Reason::Temporary {
                    temporary_index: index,
                    start: period.map_or(Timestamp::UNIX_EPOCH, |t| t.start),
                    end: period.map_or(Timestamp::UNIX_EPOCH, |t| t.end),
                }
            }
            Source::Override(index) => match overrides.get(index) {
                Some(o) => Reason::Override {
                    override_id: o.id,
                    start: o.start,
                    end: o.end,
                    created_by: o.created_by.clone(),
                },
                None => Reason::Override {
                    override_id: uuid::Uuid::nil(),
                    start: Timestamp::UNIX_EPOCH,
                    end: Timestamp::UNIX_EPOCH,
                    created_by: String::new(),
                },
            },
        }
    }

    /// The reason in words.
    pub fn explain(&self, schedule: &Schedule) -> String {
        match self {
            Reason::Layer {
                layer_index,
                layer_name,
                turn,
            } => {
                let layer = format!("layer {layer_index} \"{layer_name}\"");
                match turn {
                    Some(turn) => {
                        let of = schedule
                            .layers
                            .get(*layer_index)
                            .map_or(0, |l| l.rotation.participants.len());
                        format!(
                            "{layer}: rotation turn {} (participant {} of {of}) from {} until {}",
                            turn.number,
                            turn.participant_index + 1,
                            turn.start,
                            turn.end
                        )
                    }
                    None => layer,
                }
            }
            Reason::Temporary {
                temporary_index,
                start,
                end,
            } => format!("temporary schedule {temporary_index} from {start} until {end}"),
            Reason::Override {
                start,
                end,
                created_by,
                ..
            } => format!("override from {start} until {end}, added by {created_by}"),
        }
    }
}

/// Something about a schedule that needs attention.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Warning {
    /// `uncovered`: no one is on call from `start` until `end`; `more_uncovered`: further gaps
    /// than listed (see the gaps route); `not_checked`: the shifts are too short to check the
    /// whole period at once, so `start` to `end` was not checked.
    pub kind: &'static str,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<Timestamp>,
    pub message: String,
}

/// At most this many gaps are named one by one in a schedule's warnings.
const MOST_GAP_WARNINGS: usize = 50;

/// One warning per uncovered interval (up to a limit, then one saying how many more), in the
/// days ahead the caller looked at.
pub fn gap_warnings(gaps: &[Interval], days: i64) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = gaps
        .iter()
        .take(MOST_GAP_WARNINGS)
        .map(|gap| Warning {
            kind: "uncovered",
            start: Some(gap.start),
            end: Some(gap.end),
            message: format!("uncovered from {} to {}", gap.start, gap.end),
        })
        .collect();
    if let Some(more) = gaps.len().checked_sub(MOST_GAP_WARNINGS).filter(|n| *n > 0) {
        warnings.push(Warning {
            kind: "more_uncovered",
            start: None,
            end: None,
            message: format!("and {more} more uncovered intervals in the next {days} days"),
        });
    }
    warnings
}

/// A schedule: its definition (time zone, layers, temporary schedules, as accepted on create and
/// replace) and, when the next 14 days have gaps, warnings naming them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    /// The IANA zone the schedule is shown in.
    pub time_zone: String,
    /// Bottom first: a later layer covers the earlier ones where it has someone on call.
    #[schema(value_type = Vec<Object>)]
    pub layers: serde_json::Value,
    /// Periods where only their own shifts count.
    #[schema(value_type = Vec<Object>)]
    pub temporary: serde_json::Value,
    pub warnings: Vec<Warning>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl ScheduleView {
    pub fn new(schedule: StoredSchedule, warnings: Vec<Warning>) -> Self {
        let definition = &schedule.definition;
        Self {
            id: schedule.id.0,
            time_zone: definition.time_zone.as_str().to_owned(),
            layers: serde_json::to_value(&definition.layers).unwrap_or_default(),
            temporary: serde_json::to_value(&definition.temporary).unwrap_or_default(),
            name: schedule.name.into(),
            description: schedule.description.into(),
            team_id: schedule.team_id.map(|t| t.0),
            warnings,
            version: schedule.version,
            created_at: schedule.created_at,
            updated_at: schedule.updated_at,
        }
    }
}

/// An override of a schedule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverrideView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub schedule_id: uuid::Uuid,
    pub user: UserRef,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
    /// Who added it (`user:<id>`).
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl OverrideView {
    pub fn new(stored: ScheduleOverride, names: &Names) -> Self {
        Self {
            id: stored.id,
            schedule_id: stored.schedule_id.0,
            user: names.user(stored.user_id),
            start: stored.start,
            end: stored.end,
            created_by: stored.created_by,
            created_at: stored.created_at,
        }
    }
}
