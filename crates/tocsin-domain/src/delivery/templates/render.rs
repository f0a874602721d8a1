//! Sandboxed rendering: no loader (no file access), a fuel budget and a recursion limit so a
//! user's template cannot run away, undefined values that fail when printed, HTML escaping in the
//! HTML body, and a `slack` filter escaping `&`, `<` and `>` (so alert text cannot mention
//! `<!channel>`).
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use url::Url;

use super::TemplateSet;
use crate::delivery::channel::{Channel, RenderedMessage};
use crate::delivery::message::{
    ActionLinks, AlertSummary, HandoffSummary, IncidentSummary, MessageKind, Notification,
    RegulatorySummary,
};
use crate::error::{Collector, FieldError, ValidationError};

/// The longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 16_384;
/// Template instructions (and memory, in 64-byte units) one render may use.
const FUEL: u64 = 100_000;
const RECURSION_LIMIT: usize = 32;

/// A template that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} template failed: {detail}")]
pub struct RenderError {
    /// `subject`, `text` or `html`.
    pub field: &'static str,
    pub detail: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.add_filter("slack", escape_slack);
    env
}

fn escape_slack(text: String) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The template name decides escaping: `.html` escapes HTML, `.txt` nothing.
fn file_name(field: &str) -> &'static str {
    match field {
        "html" => "html.html",
        "subject" => "subject.txt",
        _ => "text.txt",
    }
}

fn render_one(
    env: &Environment<'_>,
    field: &'static str,
    source: &str,
    context: &minijinja::Value,
) -> Result<String, RenderError> {
    // The line leads, so an editor can point at it.
    let failed = |error: minijinja::Error| RenderError {
        field,
        detail: match error.line() {
            Some(line) => format!("line {line}: {error}"),
            None => error.to_string(),
        },
    };
    if source.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(RenderError {
            field,
            detail: format!("longer than {MAX_TEMPLATE_CHARS} characters"),
        });
    }
    env.template_from_named_str(file_name(field), source)
        .map_err(failed)?
        .render(context.clone())
        .map_err(failed)
}

/// Renders `set` for `notification`. A subject is folded onto one line.
pub fn render(
    set: &TemplateSet,
    notification: &Notification,
) -> Result<RenderedMessage, RenderError> {
    let env = environment();
    let context = minijinja::Value::from(Serde(notification));
    let subject = match &set.subject {
        Some(source) => Some(
            render_one(&env, "subject", source, &context)?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => None,
    };
    let html = match &set.html {
        Some(source) => Some(render_one(&env, "html", source, &context)?),
        None => None,
    };
    Ok(RenderedMessage {
        subject,
        text: render_one(&env, "text", &set.text, &context)?,
        html,
    })
}

/// A notification of `kind` with every field filled in, to check and preview templates.
pub fn sample_notification(kind: MessageKind) -> Notification {
    let link = |path: &str| Url::parse(&format!("https://tocsin.example.com{path}")).ok();
    Notification {
        recipient_name: Some("Ada Lovelace".into()),
        incident: Some(IncidentSummary {
            id: "01890a5d-ac96-774b-bcce-b302099a8057".into(),
            number: 42,
            title: "Checkout latency above 2 s".into(),
            service: "checkout".into(),
            status: "triggered".into(),
            priority: Some("P1".into()),
            escalation_level: Some(2),
        }),
        alert: Some(AlertSummary {
            summary: "p99 latency 2.4 s for 5 minutes".into(),
            severity: "critical".into(),
            source: Some("prometheus".into()),
        }),
        links: ActionLinks {
            view: link("/incidents/42"),
            acknowledge: link("/a/sample-acknowledge-token"),
            resolve: link("/a/sample-resolve-token"),
        },
        actor: Some("Grace Hopper".into()),
        verification_code: Some("493817".into()),
        note: Some("Handing over: the checkout incident is still open.".into()),
        handoff: Some(HandoffSummary {
            schedule_id: "01890a5d-ac96-774b-bcce-b302099a8058".into(),
            schedule: "Checkout primary".into(),
            at: jiff::Timestamp::constant(1_800_000_000, 0),
            until: Some(jiff::Timestamp::constant(1_800_086_400, 0)),
            previous: vec!["Grace Hopper".into()],
            next: vec!["Grace Hopper".into()],
        }),
        regulatory: Some(RegulatorySummary {
            obligation_id: "01890a5d-ac96-774b-bcce-b302099a8059".into(),
            regime: "GDPR_ART33".into(),
            regime_title: "GDPR Art. 33".into(),
            obligation: "notification".into(),
            title: "Notify the supervisory authority".into(),
            due_at: jiff::Timestamp::constant(1_800_259_200, 0),
            stage: "reminder_50".into(),
        }),
        ..Notification::new(kind)
    }
}

/// Checks user-edited templates of `kind` for `channel`: the fields the channel uses (and no
/// other), each within the size limit, valid syntax, and a render of a sample notification within
/// the fuel budget. Each problem names its field (`/subject`, `/text`, `/html`).
pub fn validate(
    kind: MessageKind,
    channel: Channel,
    set: &TemplateSet,
) -> Result<(), ValidationError> {
    let mut problems = Collector::default();
    let name = channel.as_str();
    // (field, given, used by the channel, its name with an article)
    let optional_fields = [
        (
            "subject",
            set.subject.is_some(),
            channel.has_subject(),
            "a subject",
        ),
        (
            "html",
            set.html.is_some(),
            channel.has_html(),
            "an HTML body",
        ),
    ];
    for (field, given, used, what) in optional_fields {
        let detail = match (given, used) {
            (false, true) => format!("{name} messages need {what}"),
            (true, false) => format!("{name} messages take no {field}"),
            _ => continue,
        };
        problems.push(FieldError::new(format!("/{field}"), detail));
    }
    let env = environment();
    let context = minijinja::Value::from(Serde(sample_notification(kind)));
    let fields = [
        ("subject", set.subject.as_deref()),
        ("text", Some(set.text.as_str())),
        ("html", set.html.as_deref()),
    ];
    for (field, source) in fields {
        if let Some(source) = source {
            problems.take(
                &format!("/{field}"),
                render_one(&env, field, source, &context).map_err(|e| e.detail),
            );
        }
    }
    problems.finish()
}
