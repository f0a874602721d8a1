//! Incident coordination tests beyond entries and pins: tasks (and, from them, a person's
//! open tasks across incidents).
pub mod tasks;
