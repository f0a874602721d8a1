//! Incidents: their status and the changes responders may make to it, declaring one by hand,
//! milestone times derived from the timeline, entries written by hand and pins, what it costs,
//! which team owns it, who may see a restricted incident and which guests may, the response
//! plans that run on it, the status-update cadence and management escalation windows, how it was
//! resolved (recovery checklist and gate), its bridge and meeting cadence, and its evidence with
//! the preservation hold.
pub mod bridge;
pub mod cadence;
pub mod cost;
pub mod declare;
pub mod entries;
pub mod escalation_window;
pub mod evidence;
pub mod guests;
pub mod milestones;
pub mod ownership;
pub mod pins;
pub mod resolution;
pub mod response_plan;
mod status;
pub mod tasks;
pub mod transition;
pub mod visibility;

pub use status::IncidentStatus;
pub use visibility::Visibility;
