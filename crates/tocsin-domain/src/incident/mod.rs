//! Incidents: their status and the changes responders may make to it, declaring one by hand,
//! milestone times derived from the timeline, entries written by hand and pins, what it costs,
//! who may see a restricted incident, how it was resolved (recovery checklist and gate), its bridge
//! and meeting cadence, and its evidence with the preservation hold.
pub mod bridge;
pub mod cost;
pub mod declare;
pub mod entries;
pub mod evidence;
pub mod milestones;
pub mod pins;
pub mod resolution;
mod status;
pub mod tasks;
pub mod transition;
pub mod visibility;

pub use status::IncidentStatus;
pub use visibility::Visibility;
