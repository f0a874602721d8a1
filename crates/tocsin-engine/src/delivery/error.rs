//! The delivery layer's error: what stops a sender from being built. (A failed delivery is not an
//! error but an `Outcome`.)

/// Why the sender could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("invalid delivery configuration: {0}")]
    Config(String),
}
