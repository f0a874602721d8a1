//! `GET /profile`: what the profile page shows, read through the JSON API's handlers with the
//! viewer's own caller. Sections the viewer's role may not use (stakeholders hold no tokens and
//! manage no contact methods) are left out rather than failing the page.
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::contact::Weekdays;
use tocsin_store::catalog::{teams, users};

use super::when;
use crate::api::contacts::handoff::HandoffNotices;
use crate::api::contacts::views::{ContactMethodView, QuietHoursView};
use crate::api::contacts::{handoff, methods, quiet, rules};
use crate::api::tokens;
use crate::error::ApiError;
use crate::extract::PathId;
use crate::state::AppState;
use crate::web::chrome::{Chrome, Section, Viewer, api_problem, render};
use crate::web::form::non_blank;

/// `?sent=<method id>`: a code was just sent to that method.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileQuery {
    pub sent: Option<String>,
}

/// A contact method as the page lists it.
pub struct MethodRow {
    pub id: String,
    pub channel: &'static str,
    pub address: String,
    pub label: String,
    pub verified: bool,
    pub verified_at: String,
    /// A code was just sent: the code field is shown open.
    pub code_sent: bool,
}

/// A notification rule, naming its contact method.
pub struct RuleRow {
    pub id: String,
    pub urgency: &'static str,
    pub delay_minutes: u16,
    pub method: String,
}

/// An API token as listed: never its secret.
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    pub revoked: bool,
}

/// A weekday checkbox of the quiet-hours form.
pub struct DayBox {
    pub name: &'static str,
    pub checked: bool,
}

/// The IANA zones of the bundled database that name a place (`Europe/Berlin`) and `UTC`, sorted;
/// legacy aliases (`EST5EDT`, `posixrules`) are left out of the suggestions, not refused.
static ZONE_NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name == "UTC" || (name.contains('/') && !name.starts_with("Etc/")))
        .collect();
    names.sort();
    names
});

#[derive(Template)]
#[template(path = "profile/index.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub time_zone: String,
    /// The zone names this binary knows, suggested in the time zone field.
    pub zones: &'static [String],
    pub teams: Vec<(String, &'static str)>,
    pub may_contact: bool,
    pub may_tokens: bool,
    pub methods: Vec<MethodRow>,
    pub verified: Vec<(String, String)>,
    pub rules: Vec<RuleRow>,
    pub quiet: Option<QuietHoursView>,
    pub days: Vec<DayBox>,
    pub handoff: HandoffNotices,
    pub tokens: Vec<TokenRow>,
    pub channels: Vec<&'static str>,
}

/// The profile page.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    crate::extract::Query(query): crate::extract::Query<ProfileQuery>,
) -> Response {
    match load(&state, &viewer, non_blank(&query.sent)).await {
        Ok(page) => render(&page),
        Err(error) => api_problem(&viewer, error, "/"),
    }
}

fn method_name(method: &ContactMethodView) -> String {
    if method.label.is_empty() {
        format!("{} {}", method.channel.as_str(), method.address)
    } else {
        format!(
            "{} ({} {})",
            method.label,
            method.channel.as_str(),
            method.address
        )
    }
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    sent: Option<String>,
) -> Result<ProfilePage, ApiError> {
    let me = viewer.user_id;
    let reader = state.store.reader();
    let user = users::get_user(reader, me).await?;
    let mut my_teams = Vec::new();
    if let Some(principal) = &viewer.caller.principal {
        for (team, role) in &principal.teams {
            let team = teams::get_team(state.store.reader(), *team).await?;
            my_teams.push((team.name.to_string(), role.as_str()));
        }
    }
    let may_contact = viewer.caller.authorize(Action::ManageContacts(me)).is_ok();
    let may_tokens = viewer.caller.authorize(Action::ManageOwnTokens).is_ok();
    let (mut found, mut rule_views, mut quiet_hours) = (Vec::new(), Vec::new(), None);
    let mut notices = HandoffNotices {
        on_call_start: true,
        on_call_end: true,
    };
    if may_contact {
        let caller = || viewer.caller.clone();
        let Json(list) = methods::list(State(state.clone()), caller(), PathId(me)).await?;
        found = list.items;
        let Json(list) = rules::list(State(state.clone()), caller(), PathId(me)).await?;
        rule_views = list.items;
        let Json(set) = quiet::get(State(state.clone()), caller(), PathId(me)).await?;
        quiet_hours = set;
        let Json(chosen) = handoff::get(State(state.clone()), caller(), PathId(me)).await?;
        notices = chosen;
    }
    let mut token_rows = Vec::new();
    if may_tokens {
        let Json(all) = tokens::list(State(state.clone()), viewer.caller.clone()).await?;
        token_rows = all
            .into_iter()
            .map(|t| TokenRow {
                id: t.id.to_string(),
                name: t.name,
                prefix: t.prefix,
                created_at: when(Some(t.created_at), &viewer.zone),
                last_used_at: when(t.last_used_at, &viewer.zone),
                expires_at: when(t.expires_at, &viewer.zone),
                revoked: t.revoked_at.is_some(),
            })
            .collect();
    }
    let rules = rule_views
        .iter()
        .map(|rule| RuleRow {
            id: rule.id.to_string(),
            urgency: rule.urgency.as_str(),
            delay_minutes: rule.delay_minutes,
            method: found
                .iter()
                .find(|m| m.id == rule.contact_method_id)
                .map(method_name)
                .unwrap_or_else(|| "a removed contact method".to_owned()),
        })
        .collect();
    let verified = found
        .iter()
        .filter(|m| m.verified)
        .map(|m| (m.id.to_string(), method_name(m)))
        .collect();
    let days = day_boxes(quiet_hours.as_ref());
    let methods = found
        .into_iter()
        .map(|m| MethodRow {
            code_sent: sent.as_deref() == Some(m.id.to_string().as_str()),
            id: m.id.to_string(),
            channel: m.channel.as_str(),
            address: m.address,
            label: m.label,
            verified: m.verified,
            verified_at: when(m.verified_at, &viewer.zone),
        })
        .collect();
    Ok(ProfilePage {
        chrome: viewer.chrome(Section::Profile),
        name: user.name.to_string(),
        email: user.email.to_string(),
        role: user.role.as_str(),
        time_zone: user.time_zone,
        zones: &ZONE_NAMES,
        teams: my_teams,
        may_contact,
        may_tokens,
        methods,
        verified,
        rules,
        quiet: quiet_hours,
        days,
        handoff: notices,
        tokens: token_rows,
        channels: tocsin_domain::delivery::Channel::ALL
            .iter()
            .map(|c| c.as_str())
            .collect(),
    })
}

/// The seven weekday boxes, ticked as the quiet hours are (every day when none are set).
pub fn day_boxes(quiet: Option<&QuietHoursView>) -> Vec<DayBox> {
    Weekdays::ALL
        .names()
        .into_iter()
        .map(|name| DayBox {
            name,
            checked: quiet.is_none_or(|q| q.days.contains(&name)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_boxes_follow_the_quiet_hours_or_default_to_every_day() {
        let all = day_boxes(None);
        assert_eq!(all.len(), 7);
        assert!(all.iter().all(|d| d.checked));
        let weekend = QuietHoursView {
            start: "22:00".into(),
            end: "07:00".into(),
            days: vec!["sat", "sun"],
        };
        let ticked: Vec<_> = day_boxes(Some(&weekend))
            .into_iter()
            .filter(|d| d.checked)
            .map(|d| d.name)
            .collect();
        assert_eq!(ticked, vec!["sat", "sun"]);
    }

    #[test]
    fn suggested_zones_are_places_and_utc_each_accepted_by_the_api() {
        for zone in ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"] {
            assert!(ZONE_NAMES.iter().any(|z| z == zone), "{zone}");
        }
        assert!(
            !ZONE_NAMES
                .iter()
                .any(|z| z == "EST5EDT" || z.starts_with("Etc/"))
        );
        assert!(
            ZONE_NAMES.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        for zone in ZONE_NAMES.iter() {
            assert!(
                tocsin_domain::values::TimeZoneName::parse(zone).is_ok(),
                "{zone}"
            );
        }
    }
}
