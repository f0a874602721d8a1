//! Escalation policies: who is paged for an incident, in which order, and how often the whole
//! policy repeats; walking a policy step by step; resolving a step's targets (users, schedules,
//! teams with optional round-robin, skills) to the people paged at an instant, and why; and the
//! routing rules that choose a service's policy for an alert. Pure: the engine owns the timers,
//! the store the directory.
mod model;
mod resolve;
mod routing;
mod skill;
mod walk;

pub use model::{EscalationPolicy, EscalationStep, Target, limits};
pub use resolve::{Directory, PagedUser, ResolvedStep, RoundRobinCursors, resolve_step};
pub use routing::{ActiveWindow, ChosenPolicy, RoutingRule, RoutingRules, choose_policy};
pub use skill::normalise_skill;
pub use walk::{EscalationPosition, next_position, position_label, step_at};
