//! Incident coordination tests beyond entries and pins: tasks (and, from them, a person's
//! open tasks across incidents) and responder load.
pub mod load;
pub mod tasks;
