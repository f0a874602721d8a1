//! The profile's forms for how the viewer is reached: add, verify, test and remove contact
//! methods; add and remove notification rules; set and clear quiet hours. Each calls the contact
//! API's handler for the viewer themselves and answers with `after_action`.
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::delivery::{Channel, Urgency};
use tocsin_domain::id::{ContactMethodId, NotificationRuleId};

use super::{BACK, NoFields, show_secret};
use crate::api::common::PathIds;
use crate::api::contacts::handoff::{self, HandoffNotices};
use crate::api::contacts::methods::{self, CreateContactMethod};
use crate::api::contacts::quiet::{self, PutQuietHours};
use crate::api::contacts::rules::{self, CreateRule};
use crate::api::contacts::time_zone::{self, TimeZoneChoice};
use crate::api::contacts::verification::{self, VerifyInput};
use crate::error::ApiError;
use crate::extract::{Json, PathId};
use crate::state::AppState;
use crate::web::chrome::{Viewer, after_action, api_problem};
use crate::web::form::{WebForm, non_blank};

/// The viewer's id and `id` from the path, as the contact API's two-id handlers take them.
fn mine<T>(viewer: &Viewer, id: T) -> PathIds<tocsin_domain::id::UserId, T> {
    PathIds(viewer.user_id, id)
}

#[derive(Debug, Deserialize)]
pub struct MethodForm {
    pub channel: String,
    pub address: String,
    #[serde(default)]
    pub label: String,
}

/// Adds a contact method. A webhook's signing secret is shown once, on the answer page.
pub async fn create_method(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<MethodForm>,
) -> Response {
    let Some(channel) = Channel::parse(form.channel.trim()) else {
        let error = ApiError::field(
            "/channel",
            "must be one of webhook, slack, teams, email, sms, voice",
        );
        return api_problem(&viewer, error, BACK);
    };
    let input = CreateContactMethod {
        channel,
        address: form.address,
        label: form.label.trim().to_owned(),
    };
    let created = methods::create(
        State(state),
        viewer.caller.clone(),
        PathId(viewer.user_id),
        Json(input),
    )
    .await;
    match created {
        Ok((_, _, axum::Json(view))) => match view.signing_secret {
            Some(secret) => show_secret(
                &viewer,
                "Webhook contact method added".to_owned(),
                format!(
                    "the signing secret of the webhook {} (receivers check signatures with it)",
                    view.address
                ),
                secret,
            ),
            None => after_action::<()>(&viewer, Ok(()), BACK),
        },
        Err(error) => api_problem(&viewer, error, BACK),
    }
}

/// Sends a verification code; the page then opens the code field of that method.
pub async fn send_code(
    State(state): State<AppState>,
    PathId(id): PathId<ContactMethodId>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let sent = verification::request(State(state), viewer.caller.clone(), mine(&viewer, id)).await;
    after_action(&viewer, sent, &format!("{BACK}?sent={id}#method-{id}"))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    pub code: String,
}

/// Checks a verification code.
pub async fn verify(
    State(state): State<AppState>,
    PathId(id): PathId<ContactMethodId>,
    WebForm(viewer, form): WebForm<CodeForm>,
) -> Response {
    let input = VerifyInput {
        code: form.code.trim().to_owned(),
    };
    let checked = verification::verify(
        State(state),
        viewer.caller.clone(),
        mine(&viewer, id),
        Json(input),
    )
    .await;
    after_action(&viewer, checked, BACK)
}

/// Sends a test message to a verified method.
pub async fn test(
    State(state): State<AppState>,
    PathId(id): PathId<ContactMethodId>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let sent = verification::test(State(state), viewer.caller.clone(), mine(&viewer, id)).await;
    after_action(&viewer, sent, BACK)
}

/// Removes a contact method (and its rules).
pub async fn delete_method(
    State(state): State<AppState>,
    PathId(id): PathId<ContactMethodId>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let done = methods::delete(State(state), viewer.caller.clone(), mine(&viewer, id)).await;
    after_action(&viewer, done, BACK)
}

#[derive(Debug, Deserialize)]
pub struct RuleForm {
    pub contact_method_id: String,
    pub urgency: String,
    pub delay_minutes: Option<String>,
}

/// Adds a notification rule.
pub async fn add_rule(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<RuleForm>,
) -> Response {
    let outcome = async {
        let method = form.contact_method_id.trim().parse().map_err(|_| {
            ApiError::field("/contact_method_id", "choose a verified contact method")
        })?;
        let urgency = Urgency::parse(form.urgency.trim())
            .ok_or_else(|| ApiError::field("/urgency", "must be high or low"))?;
        let delay = super::whole_number("delay_minutes", &form.delay_minutes)?.unwrap_or(0);
        let delay_minutes = u16::try_from(delay)
            .map_err(|_| ApiError::field("/delay_minutes", "must be between 0 and 1440"))?;
        let input = CreateRule {
            contact_method_id: method,
            urgency,
            delay_minutes,
        };
        rules::create(
            State(state),
            viewer.caller.clone(),
            PathId(viewer.user_id),
            Json(input),
        )
        .await
    }
    .await;
    after_action(&viewer, outcome, BACK)
}

/// Removes a notification rule.
pub async fn delete_rule(
    State(state): State<AppState>,
    PathId(id): PathId<NotificationRuleId>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let done = rules::delete(State(state), viewer.caller.clone(), mine(&viewer, id)).await;
    after_action(&viewer, done, BACK)
}

/// The quiet-hours form: a checkbox per weekday (browsers send only the ticked ones).
#[derive(Debug, Deserialize)]
pub struct QuietForm {
    pub start: String,
    pub end: String,
    pub mon: Option<String>,
    pub tue: Option<String>,
    pub wed: Option<String>,
    pub thu: Option<String>,
    pub fri: Option<String>,
    pub sat: Option<String>,
    pub sun: Option<String>,
}

impl QuietForm {
    /// The ticked weekdays, Monday first.
    pub fn days(&self) -> Vec<String> {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
        .into_iter()
        .filter(|(_, ticked)| ticked.is_some())
        .map(|(name, _)| name.to_owned())
        .collect()
    }
}

/// Sets (or replaces) quiet hours.
pub async fn set_quiet_hours(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<QuietForm>,
) -> Response {
    let input = PutQuietHours {
        days: Some(form.days()),
        start: non_blank(&Some(form.start)).unwrap_or_default(),
        end: non_blank(&Some(form.end)).unwrap_or_default(),
    };
    let saved = quiet::put(
        State(state),
        viewer.caller.clone(),
        PathId(viewer.user_id),
        Json(input),
    )
    .await;
    after_action(&viewer, saved, BACK)
}

/// Removes quiet hours.
pub async fn clear_quiet_hours(
    State(state): State<AppState>,
    WebForm(viewer, _): WebForm<NoFields>,
) -> Response {
    let done = quiet::delete(State(state), viewer.caller.clone(), PathId(viewer.user_id)).await;
    after_action(&viewer, done, BACK)
}

/// The time zone typed (or picked from the suggestions).
#[derive(Debug, Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    pub time_zone: String,
}

/// Sets the viewer's own clock; the next page shows every instant on it.
pub async fn set_time_zone(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<TimeZoneForm>,
) -> Response {
    let choice = TimeZoneChoice {
        time_zone: form.time_zone,
    };
    let saved = time_zone::put(
        State(state),
        viewer.caller.clone(),
        PathId(viewer.user_id),
        Json(choice),
    )
    .await;
    after_action(&viewer, saved, BACK)
}

/// The handoff-notice checkboxes (an unticked box is not sent).
#[derive(Debug, Deserialize)]
pub struct HandoffForm {
    pub on_call_start: Option<String>,
    pub on_call_end: Option<String>,
}

/// Chooses which handoff notices the viewer receives.
pub async fn set_handoff(
    State(state): State<AppState>,
    WebForm(viewer, form): WebForm<HandoffForm>,
) -> Response {
    let input = HandoffNotices {
        on_call_start: form.on_call_start.is_some(),
        on_call_end: form.on_call_end.is_some(),
    };
    let saved = handoff::put(
        State(state),
        viewer.caller.clone(),
        PathId(viewer.user_id),
        Json(input),
    )
    .await;
    after_action(&viewer, saved, BACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ticked_weekdays_are_quiet_days() {
        let form = QuietForm {
            start: "22:00".into(),
            end: "07:00".into(),
            mon: Some("on".into()),
            tue: None,
            wed: None,
            thu: None,
            fri: Some("on".into()),
            sat: None,
            sun: Some("on".into()),
        };
        assert_eq!(form.days(), vec!["mon", "fri", "sun"]);
    }
}
