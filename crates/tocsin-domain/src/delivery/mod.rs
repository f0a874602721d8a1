//! Notification delivery rules, free of I/O: the message model and its templates, retry with
//! backoff and jitter, a per-destination circuit breaker and rate limit, the classification of an
//! attempt's outcome, Standard Webhooks signatures, and which outbound addresses are safe.
pub mod action_link;
pub mod address;
pub mod breaker;
pub mod channel;
pub mod cidr;
pub mod idempotency;
pub mod mask;
pub mod message;
pub mod outcome;
pub mod resolution;
pub mod retry;
pub mod signature;
pub mod templates;

pub use crate::rate::{RateLimit, TokenBucket};
pub use action_link::{LinkAction, LinkClaim, LinkError};
pub use address::{AddressClass, AllowList, Refusal};
pub use breaker::{BreakerPolicy, CircuitBreaker, Permit};
pub use channel::{Channel, RenderedMessage};
pub use cidr::Cidr;
pub use idempotency::IdempotencyKey;
pub use mask::mask_address;
pub use message::{
    ActionLinks, AlertSummary, HandoffSummary, IncidentSummary, MessageKind, Notification,
    RegulatorySummary, Urgency,
};
pub use outcome::{Outcome, TransportFailure};
pub use resolution::{FIRST_RESOLUTION_STEP, resolution_step_key};
pub use retry::{Jitter, RandomSource, RetryPolicy};
pub use signature::{SignatureError, WebhookSecret};
pub use templates::TemplateSet;
