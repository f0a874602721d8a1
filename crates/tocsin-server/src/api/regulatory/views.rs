//! What the regulatory routes answer: an incident's profile, each obligation with its countdown
//! and state, the obligations that apply but wait for their start instant, and every regime with
//! why it applies or not.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::regulatory::{
    self, Applicability, ObligationState, Planned, StartEvent, regime, stages, state,
};
use tocsin_store::regulatory::{Obligation, StoredCalendar, StoredProfile};

/// An incident's regulatory profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    /// `{"personal_data": true, "health_data": false, "payment_card_data": false,
    /// "material_cybersecurity_incident": false, "major_ict_incident": false,
    /// "significant_incident": false}`
    #[schema(value_type = Object)]
    pub exposure: regulatory::Exposure,
    /// `EU` or two-letter country codes.
    pub jurisdictions: Vec<String>,
    #[schema(value_type = String, format = Uuid)]
    pub owner_user_id: uuid::Uuid,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub escalation_user_id: Option<uuid::Uuid>,
    pub escalation_margin_minutes: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub awareness_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub discovered_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub materiality_determined_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub classified_at: Option<Timestamp>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&StoredProfile> for ProfileView {
    fn from(stored: &StoredProfile) -> Self {
        let profile = &stored.profile;
        Self {
            exposure: profile.exposure,
            jurisdictions: profile.jurisdictions.clone(),
            owner_user_id: profile.owner_user_id.0,
            escalation_user_id: profile.escalation_user_id.map(|u| u.0),
            escalation_margin_minutes: profile.escalation_margin_minutes,
            awareness_at: profile.starts.awareness_at,
            discovered_at: profile.starts.discovered_at,
            materiality_determined_at: profile.starts.materiality_determined_at,
            classified_at: profile.starts.classified_at,
            version: stored.version,
            updated_at: stored.updated_at,
        }
    }
}

/// An obligation whose clock started, with its countdown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ObligationView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// `GDPR_ART33`, `HIPAA_BREACH`, `SEC_8K_ITEM105`, `NIS2` or `DORA`.
    #[schema(value_type = String)]
    pub regime: regulatory::Regime,
    pub regime_title: String,
    /// The obligation's key within the regime (`notification`, `early_warning` ...).
    pub obligation: String,
    /// What is filed.
    pub title: String,
    /// `awareness`, `discovery`, `materiality_determination` or `classification`.
    #[schema(value_type = String)]
    pub start_event: StartEvent,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub due_at: Timestamp,
    /// Seconds from now to the deadline (negative once overdue; frozen at the filing).
    pub seconds_remaining: i64,
    /// `on_track`, `reminder_sent`, `escalated`, `overdue`, `filed` or `withdrawn`.
    #[schema(value_type = String)]
    pub state: ObligationState,
    #[schema(value_type = String, format = Uuid)]
    pub owner_user_id: uuid::Uuid,
    /// When the next reminder or escalation is due (none once filed or all were sent).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_reminder_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub filed_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub filed_by: Option<uuid::Uuid>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub approved_by: Option<uuid::Uuid>,
    pub reference: Option<String>,
    /// Why the obligation applies.
    pub why: String,
}

impl ObligationView {
    /// The view of `obligation` at `now`; `why` is its regime's reason to apply.
    pub fn new(
        obligation: Obligation,
        stored: &StoredProfile,
        why: String,
        now: Timestamp,
    ) -> Self {
        let margin = stored
            .profile
            .escalation_margin_minutes
            .map(|m| jiff::SignedDuration::from_mins(m.max(0)));
        let all = stages(obligation.started_at, obligation.due_at, margin);
        let state = state(
            obligation.status,
            &all,
            obligation.stages_done,
            obligation.due_at,
            now,
        );
        let until = obligation.filed_at.unwrap_or(now);
        let title = regime::spec(obligation.regime, &obligation.obligation).map_or_else(
            || obligation.obligation.clone(),
            |spec| spec.title.to_owned(),
        );
        Self {
            id: obligation.id.0,
            regime: obligation.regime,
            regime_title: obligation.regime.title().to_owned(),
            obligation: obligation.obligation,
            title,
            start_event: obligation.start_event,
            started_at: obligation.started_at,
            due_at: obligation.due_at,
            seconds_remaining: obligation.due_at.duration_since(until).as_secs(),
            state,
            owner_user_id: obligation.owner_user_id.0,
            next_reminder_at: obligation.next_stage_at,
            filed_at: obligation.filed_at,
            filed_by: obligation.filed_by.map(|u| u.0),
            approved_by: obligation.approved_by.map(|u| u.0),
            reference: obligation.reference,
            why,
        }
    }
}

/// An obligation that applies but whose clock has not started.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitingObligationView {
    #[schema(value_type = String)]
    pub regime: regulatory::Regime,
    pub obligation: String,
    pub title: String,
    #[schema(value_type = String)]
    pub start_event: StartEvent,
    /// Why it has not started (`the classification instant is not known yet`).
    pub waiting_for: String,
    pub why: String,
}

impl WaitingObligationView {
    /// The view of `planned`, if its clock could not start.
    pub fn of(planned: &Planned) -> Option<Self> {
        let error = planned.clock.as_ref().err()?;
        Some(Self {
            regime: planned.regime,
            obligation: planned.spec.key.to_owned(),
            title: planned.spec.title.to_owned(),
            start_event: planned.spec.starts_at,
            waiting_for: error.to_string(),
            why: planned.why.clone(),
        })
    }
}

/// Whether a regime applies, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegimeView {
    #[schema(value_type = String)]
    pub regime: regulatory::Regime,
    pub applies: bool,
    pub why: String,
}

impl From<Applicability> for RegimeView {
    fn from(decision: Applicability) -> Self {
        Self {
            regime: decision.regime,
            applies: decision.applies,
            why: decision.why,
        }
    }
}

/// An incident's regulatory picture.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegulatoryView {
    #[schema(value_type = String, format = Uuid)]
    pub incident_id: uuid::Uuid,
    /// None until a profile is set.
    pub profile: Option<ProfileView>,
    pub obligations: Vec<ObligationView>,
    pub waiting: Vec<WaitingObligationView>,
    pub regimes: Vec<RegimeView>,
    /// The instant the countdowns were computed at.
    #[schema(value_type = String, format = DateTime)]
    pub now: Timestamp,
}

/// A holiday calendar.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    pub name: String,
    /// An IANA time zone (`America/New_York`).
    pub time_zone: String,
    pub holidays: Vec<HolidayView>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// One closed day.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayView {
    /// `2026-11-26`
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
    pub name: String,
}

impl From<StoredCalendar> for CalendarView {
    fn from(stored: StoredCalendar) -> Self {
        Self {
            name: stored.name,
            time_zone: stored.time_zone,
            holidays: stored
                .holidays
                .into_iter()
                .map(|h| HolidayView {
                    date: h.date,
                    name: h.name,
                })
                .collect(),
            version: stored.version,
            updated_at: stored.updated_at,
        }
    }
}
