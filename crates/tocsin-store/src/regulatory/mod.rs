//! Regulatory clocks: an incident's regulatory profile (what it exposed, where, who owns the
//! reporting, the start instants known so far), the obligations that started from it (each once,
//! under a unique key), their filing, the reminder and escalation stages the engine acts on, and
//! the holiday calendars business-day deadlines count in. Every change to an incident's profile or
//! obligations is an event on the incident's timeline (`regulatory.*`).
mod calendars;
mod filing;
mod profile;
mod reads;
mod stages;

use jiff::Timestamp;
use tocsin_domain::id::{IncidentId, RegulatoryObligationId, UserId};
use tocsin_domain::regulatory::{Exposure, Regime, StartEvent, StartInstants, Status};

pub use calendars::{Holiday, StoredCalendar, get_calendar, put_calendar};
pub use filing::{Filing, file};
pub use profile::{ProfileSet, set_profile};
pub use reads::{get_obligations, get_profile, notice_summary};
pub use stages::{Acted, act_on_due, next_stage_due};

/// What an incident exposed, where, who owns its reporting, and when its clocks start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub exposure: Exposure,
    /// `EU` or two-letter country codes, uppercase, sorted, each once.
    pub jurisdictions: Vec<String>,
    pub owner_user_id: UserId,
    /// Told at escalation besides the owner; none: the organisation's owners and admins.
    pub escalation_user_id: Option<UserId>,
    /// Escalate when less than this is left, if earlier than at 90% of the window.
    pub escalation_margin_minutes: Option<i64>,
    pub starts: StartInstants,
}

/// A profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub incident_id: IncidentId,
    pub profile: Profile,
    pub version: i64,
    pub updated_at: Timestamp,
}

/// One obligation whose clock started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub id: RegulatoryObligationId,
    pub incident_id: IncidentId,
    pub regime: Regime,
    /// The obligation's key within the regime.
    pub obligation: String,
    pub start_event: StartEvent,
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    pub owner_user_id: UserId,
    pub status: Status,
    /// How many reminder and escalation stages were acted on.
    pub stages_done: usize,
    pub next_stage_at: Option<Timestamp>,
    pub filed_at: Option<Timestamp>,
    pub filed_by: Option<UserId>,
    pub approved_by: Option<UserId>,
    pub reference: Option<String>,
}

/// The prefix of the outbox step key of an obligation's notifications.
fn step_prefix(id: RegulatoryObligationId) -> String {
    format!("regulatory:{id}:")
}
