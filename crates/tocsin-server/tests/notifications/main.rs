//! Notification delivery end to end, on the real app with the testkit's sinks and a manual clock
//! (the delivery worker is driven by `OutboxWorker::run_once`): a queued page is delivered once,
//! signed and with action links; retries back off and every attempt is on the timeline; a
//! permanent refusal stops; resolving tells everyone paged, once per resolution; action links act
//! once (and not for a person deactivated since); edited templates are previewed and used.
mod actions;
mod delivery;
mod resolutions;
mod support;
mod templates;
