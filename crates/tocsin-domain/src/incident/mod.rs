//! Incidents: their status and the changes responders may make to it, declaring one by hand,
//! milestone times derived from the timeline, and who may see a restricted incident.
pub mod cost;
pub mod declare;
pub mod milestones;
mod status;
pub mod transition;
pub mod visibility;

pub use status::IncidentStatus;
pub use visibility::Visibility;
