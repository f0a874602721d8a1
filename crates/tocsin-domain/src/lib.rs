//! Tocsin's pure domain rules: no I/O, no async. Everything here is deterministic given its inputs,
//! so it is unit- and property-tested next to the code.
#![forbid(unsafe_code)]

pub mod access;
pub mod alerting;
pub mod catalog;
pub mod chain;
pub mod clock;
pub mod contact;
pub mod delivery;
pub mod error;
pub mod escalation;
pub mod id;
pub mod incident;
pub mod oncall;
pub mod paging;
pub mod priority;
pub mod rate;
pub mod regulatory;
pub mod roles;
pub mod values;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use error::{FieldError, ValidationError};
pub use jiff::Timestamp;
