//! Incidents: their status and the changes responders may make to it, declaring one by hand,
//! milestone times derived from the timeline, entries written by hand and pins, what it costs,
//! who may see a restricted incident, and the status-update cadence and management escalation
//! windows.
pub mod cadence;
pub mod cost;
pub mod declare;
pub mod entries;
pub mod escalation_window;
pub mod milestones;
pub mod pins;
mod status;
pub mod tasks;
pub mod transition;
pub mod visibility;

pub use status::IncidentStatus;
pub use visibility::Visibility;
