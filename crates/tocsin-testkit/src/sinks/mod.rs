//! Real test peers for notification delivery, all on 127.0.0.1:0: an SMTP sink speaking SMTP over
//! TCP, a webhook sink, and a Twilio-compatible mock. Each records what it received for
//! assertions and can be told to fail.
pub mod http;
pub mod smtp;
pub mod twilio;
pub mod webhook;

pub use http::{Script, ScriptedResponse};
pub use smtp::{ReceivedMail, SmtpSink};
pub use twilio::{TwilioMock, TwilioRequest};
pub use webhook::{RecordedRequest, WebhookSink};
