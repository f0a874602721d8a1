//! `/api/v1/notification-templates`: the message templates of each (kind, channel). Reading shows
//! the edited template, else the built-in default; admins replace or reset one; anyone who reads
//! alerts may preview an edit rendered with a sample notification. Template errors are 422
//! problems naming the field (`/subject`, `/text`, `/html`) and the line.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::delivery::templates::{
    default_templates, render, sample_notification, validate,
};
use tocsin_domain::delivery::{Channel, MessageKind, RenderedMessage, TemplateSet};
use tocsin_store::outbox::templates;

use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract;
use crate::router::{Route, route};
use crate::state::AppState;

const ONE: &str = "/api/v1/notification-templates/{kind}/{channel}";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let manage = || Guard::Allow(Action::ManageNotificationTemplates);
    vec![
        route(Method::GET, ONE, read(), get),
        route(Method::PUT, ONE, manage(), put),
        route(Method::DELETE, ONE, manage(), delete),
        route(
            Method::POST,
            "/api/v1/notification-templates/preview",
            read(),
            preview,
        ),
    ]
}

/// The templates of one (kind, channel).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub kind: String,
    pub channel: String,
    /// Email's subject, a Teams card's title (null for other channels).
    pub subject: Option<String>,
    pub text: String,
    /// Email's HTML body (null for other channels).
    pub html: Option<String>,
    /// `false`: the built-in default.
    pub custom: bool,
    pub version: Option<i64>,
    pub updated_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<jiff::Timestamp>,
}

/// An edit: the channel's fields (a subject for email and Teams, an HTML body for email).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

/// What to preview: the edited fields (any left out are the defaults').
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub kind: String,
    pub channel: String,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// A rendered sample.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

impl From<RenderedMessage> for PreviewView {
    fn from(message: RenderedMessage) -> Self {
        Self {
            subject: message.subject,
            text: message.text,
            html: message.html,
        }
    }
}

fn parse(
    kind: &str,
    channel: &str,
    pointers: (&str, &str),
) -> Result<(MessageKind, Channel), ApiError> {
    let kind = MessageKind::parse(kind).ok_or_else(|| {
        ApiError::field(
            pointers.0,
            "must be page, acknowledged, resolved, escalated, handoff, verification_code or test",
        )
    })?;
    let channel = Channel::parse(channel).ok_or_else(|| {
        ApiError::field(
            pointers.1,
            "must be webhook, slack, teams, email, sms or voice",
        )
    })?;
    Ok((kind, channel))
}

fn from_path(kind: &str, channel: &str) -> Result<(MessageKind, Channel), ApiError> {
    parse(kind, channel, ("/kind", "/channel"))
        .map_err(|_| ApiError::not_found("notification template"))
}

async fn view(
    state: &AppState,
    kind: MessageKind,
    channel: Channel,
) -> Result<TemplateView, ApiError> {
    let stored = templates::get_template(state.store.reader(), kind, channel).await?;
    let (set, custom) = match &stored {
        Some(stored) => (stored.set.clone(), true),
        None => (default_templates(kind, channel), false),
    };
    Ok(TemplateView {
        kind: kind.as_str().to_owned(),
        channel: channel.as_str().to_owned(),
        subject: set.subject,
        text: set.text,
        html: set.html,
        custom,
        version: stored.as_ref().map(|s| s.version),
        updated_by: stored.as_ref().map(|s| s.updated_by.clone()),
        updated_at: stored.as_ref().map(|s| s.updated_at),
    })
}

/// The templates a (kind, channel) renders with: the edited ones, else the defaults.
#[utoipa::path(get, path = "/api/v1/notification-templates/{kind}/{channel}", tag = "notifications",
    security(("bearer" = [])), params(("kind" = String, Path), ("channel" = String, Path)), responses(
    (status = 200, body = TemplateView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Path((kind, channel)): Path<(String, String)>,
) -> Result<Json<TemplateView>, ApiError> {
    let (kind, channel) = from_path(&kind, &channel)?;
    Ok(Json(view(&state, kind, channel).await?))
}

/// Replace a (kind, channel)'s templates; the delivery worker uses them from the next message.
#[utoipa::path(put, path = "/api/v1/notification-templates/{kind}/{channel}", tag = "notifications",
    security(("bearer" = [])), params(("kind" = String, Path), ("channel" = String, Path)),
    request_body = TemplateInput, responses(
    (status = 200, body = TemplateView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, channel)): Path<(String, String)>,
    extract::Json(input): extract::Json<TemplateInput>,
) -> Result<Json<TemplateView>, ApiError> {
    let (kind, channel) = from_path(&kind, &channel)?;
    let set = TemplateSet {
        subject: input.subject,
        text: input.text,
        html: input.html,
    };
    validate(kind, channel, &set)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { templates::put_template(tx, kind, channel, set, &actor, now).await },
            )
        })
        .await?;
    Ok(Json(view(&state, kind, channel).await?))
}

/// Reset a (kind, channel) to the built-in default templates.
#[utoipa::path(delete, path = "/api/v1/notification-templates/{kind}/{channel}", tag = "notifications",
    security(("bearer" = [])), params(("kind" = String, Path), ("channel" = String, Path)), responses(
    (status = 204, description = "The default applies again"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, channel)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (kind, channel) = from_path(&kind, &channel)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { templates::delete_template(tx, kind, channel, &actor, now).await },
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Render templates (edited fields, the defaults for the rest) with a sample notification.
#[utoipa::path(post, path = "/api/v1/notification-templates/preview", tag = "notifications",
    security(("bearer" = [])), request_body = PreviewInput, responses(
    (status = 200, body = PreviewView),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn preview(
    extract::Json(input): extract::Json<PreviewInput>,
) -> Result<Json<PreviewView>, ApiError> {
    let (kind, channel) = parse(&input.kind, &input.channel, ("/kind", "/channel"))?;
    let defaults = default_templates(kind, channel);
    let set = TemplateSet {
        subject: input.subject.or(defaults.subject),
        text: input.text.unwrap_or(defaults.text),
        html: input.html.or(defaults.html),
    };
    validate(kind, channel, &set)?;
    let rendered = render(&set, &sample_notification(kind))
        .map_err(|e| ApiError::field(format!("/{}", e.field), e.detail))?;
    Ok(Json(rendered.into()))
}
