//! Incidents: their status and the changes responders may make to it, declaring one by hand,
//! milestone times derived from the timeline, entries written by hand and pins, what it costs,
//! which team owns it, and who may see a restricted incident.
pub mod cost;
pub mod declare;
pub mod entries;
pub mod guests;
pub mod milestones;
pub mod ownership;
pub mod pins;
pub mod response_plan;
mod status;
pub mod tasks;
pub mod transition;
pub mod visibility;

pub use status::IncidentStatus;
pub use visibility::Visibility;
