//! User-editable message templates (minijinja): the default set of every (kind, channel),
//! sandboxed rendering of a notification, and validation of edited templates.
mod defaults;
mod render;

use serde::{Deserialize, Serialize};

pub use defaults::default_templates;
pub use render::{MAX_TEMPLATE_CHARS, RenderError, render, sample_notification, validate};

/// The templates of one (kind, channel): a subject where the channel shows one, the text, and an
/// HTML body for email. The context is the `Notification` (its fields at the top level: `kind`,
/// `incident.title`, `alert.summary`, `links.acknowledge`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSet {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

impl TemplateSet {
    /// A set with only a text template.
    pub fn text(text: String) -> Self {
        Self {
            subject: None,
            text,
            html: None,
        }
    }
}

#[cfg(test)]
mod tests;
