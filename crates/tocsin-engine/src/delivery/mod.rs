//! Notification delivery: the `Sender` that makes one attempt to deliver a rendered message to
//! one `Destination` (webhook, Slack, Teams, email, SMS, voice) and answers the classified
//! `Outcome`; the `DeliveryGate` holding each destination's rate limit and circuit breaker; and
//! the outbound-address guard every connection goes through. The rules (retry, breaker, rate,
//! classification, signatures, templates) are pure, in `tocsin_domain::delivery`.
pub mod chat;
pub mod config;
pub mod destination;
pub mod email;
pub mod error;
pub mod gate;
pub mod guard;
pub mod http;
pub mod sender;
pub mod twilio;
pub mod webhook;

pub use config::{DeliveryConfig, Secret, SmtpConfig, SmtpSecurity, TwilioConfig};
pub use destination::Destination;
pub use error::DeliveryError;
pub use gate::{DeliveryGate, Wait};
pub use guard::{AddressGuard, GuardError};
pub use sender::{Delivery, Sender};

/// A random source for retry jitter (`RetryPolicy::next_delay`), backed by the thread's RNG.
pub fn jitter_source() -> impl tocsin_domain::delivery::RandomSource {
    use rand::RngExt;
    let mut rng = rand::rng();
    move || rng.random::<f64>()
}
