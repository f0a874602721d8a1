//! Notification delivery against real peers on 127.0.0.1: each channel against its sink, the
//! classification of what the sinks answer, the outbound-address guard, and Standard Webhooks
//! signatures checked by an independent implementation.
mod delivery {
    mod channels;
    mod classification;
    mod guard;
    mod signature;
    pub mod support;
}
