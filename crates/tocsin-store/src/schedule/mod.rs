//! On-call schedules' persistence: a schedule's definition (the domain `Schedule`: time zone,
//! layers, temporary schedules) with its name and owning team, overrides as rows of their own
//! (folded into the definition when computing), the users a schedule names, and secret calendar
//! subscriptions. Every change appends an event to the schedule's stream in the same transaction
//! that updates these tables.
mod members;
pub mod overrides;
mod reads;
pub mod subscriptions;
mod writes;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::{ScheduleId, TeamId};
use tocsin_domain::oncall::Schedule;
use tocsin_domain::values::{Description, Name};

pub(crate) use members::check_user;
pub use members::schedules_naming_user;
pub(crate) use overrides::with_overrides_in;
pub use overrides::{
    NewOverride, ScheduleOverride, add_override, list_overrides, remove_override, with_overrides,
};
pub(crate) use reads::load;
pub use reads::{get_schedule, list_all_schedules, list_schedules, schedules_of_user};
pub use subscriptions::{
    CalendarSubscription, SubscriptionKind, find_live_subscription, subscribe_calendar,
};
pub use writes::{NewSchedule, ScheduleChange, create_schedule, delete_schedule, update_schedule};

/// A schedule as stored. `definition.overrides` is always empty here: overrides are rows of their
/// own, folded in by [`with_overrides`] for a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSchedule {
    pub id: ScheduleId,
    pub name: Name,
    pub description: Description,
    pub team_id: Option<TeamId>,
    pub definition: Schedule,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
