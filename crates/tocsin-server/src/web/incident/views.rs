//! How the incident page says things in words: timeline entries (who did what, when), times,
//! durations and money. Pure functions over the API's views, unit-tested; only `NameBook::fill`
//! reads the store (the names of the people entries mention).
use std::collections::HashMap;

use jiff::tz::TimeZone;
use serde_json::Value;
use tocsin_domain::id::UserId;

use super::super::clock;
use crate::api::events::EventView;
use crate::state::AppState;

/// Display names of the people a set of timeline entries mentions, by user id.
#[derive(Debug, Default, Clone)]
pub struct NameBook(HashMap<uuid::Uuid, String>);

impl NameBook {
    /// Looks up every user an entry of `events` names (its actor, `user_id`, `users`).
    pub async fn fill(state: &AppState, events: &[EventView]) -> Self {
        let mut book = NameBook::default();
        for id in events.iter().flat_map(mentioned) {
            if book.0.contains_key(&id) {
                continue;
            }
            let reader = state.store.reader();
            if let Ok(user) = tocsin_store::catalog::users::get_user(reader, UserId(id)).await {
                book.0.insert(id, user.name.as_str().to_owned());
            }
        }
        book
    }

    /// Adds a known name (for tests and callers that already have it).
    pub fn insert(&mut self, id: uuid::Uuid, name: &str) {
        self.0.insert(id, name.to_owned());
    }

    fn user(&self, id: &str) -> String {
        id.parse::<uuid::Uuid>()
            .ok()
            .and_then(|id| self.0.get(&id).cloned())
            .unwrap_or_else(|| "someone".to_owned())
    }

    /// An event's actor in words: a person's name, "Tocsin", "an integration" or "a guest".
    pub fn actor(&self, actor: &str) -> String {
        match actor.split_once(':') {
            Some(("user", id)) => self.user(id),
            Some(("integration_key", _)) => "an integration".to_owned(),
            Some(("guest", _)) => "a guest".to_owned(),
            _ if actor == "system" || actor.is_empty() => "Tocsin".to_owned(),
            _ => actor.to_owned(),
        }
    }
}

/// The user ids an entry mentions.
fn mentioned(event: &EventView) -> Vec<uuid::Uuid> {
    let mut ids: Vec<uuid::Uuid> = event
        .actor
        .strip_prefix("user:")
        .and_then(|id| id.parse().ok())
        .into_iter()
        .collect();
    let payload = &event.payload;
    for key in ["user_id", "owner_user_id", "previous_user_id"] {
        ids.extend(
            payload[key]
                .as_str()
                .and_then(|id| id.parse::<uuid::Uuid>().ok()),
        );
    }
    if let Some(users) = payload["users"].as_array() {
        let listed = users.iter().filter_map(user_ref);
        ids.extend(listed.filter_map(|id| id.parse::<uuid::Uuid>().ok()));
    }
    ids
}

/// A person in a payload list: their id, or an object with their `user_id`.
fn user_ref(value: &Value) -> Option<&str> {
    value.as_str().or_else(|| value["user_id"].as_str())
}

/// One timeline entry as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryLine {
    pub seq: i64,
    pub actor: String,
    /// What happened, e.g. "changed the status to monitoring".
    pub what: String,
    /// The text written (a note's body, a reason), if any.
    pub text: Option<String>,
    pub at: String,
    pub at_text: String,
    /// Written by a person on purpose (notes, decisions, updates): shown prominently.
    pub important: bool,
    /// The raw payload, pretty-printed, for the details toggle.
    pub payload: String,
}

fn text(payload: &Value, key: &str) -> Option<String> {
    payload[key]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An entry in words, naming people through `names`, its time on `zone`.
pub fn entry_line(event: &EventView, names: &NameBook, zone: &TimeZone) -> EntryLine {
    let p = &event.payload;
    let kind = event.kind.strip_prefix("incident.").unwrap_or(&event.kind);
    let field = |key: &str| text(p, key).unwrap_or_default();
    let person = |key: &str| names.user(p[key].as_str().unwrap_or_default());
    let body = text(p, "body");
    let reason = text(p, "reason");
    let (what, detail, important) = match kind {
        "note" => ("added a note".to_owned(), body, true),
        "decision" => {
            let why = text(p, "rationale").map(|r| format!(" (because: {r})"));
            let detail = body.map(|b| b + &why.unwrap_or_default());
            ("made a decision".to_owned(), detail, true)
        }
        "command" => {
            let on = text(p, "target")
                .map(|t| format!(" on {t}"))
                .unwrap_or_default();
            (format!("ran a command{on}"), body, true)
        }
        "config_change" => (
            format!("changed {}", field("system")),
            text(p, "change"),
            true,
        ),
        "status_update" => {
            let audience = text(p, "audience").unwrap_or_else(|| "internal".into());
            (format!("posted a status update ({audience})"), body, true)
        }
        "status_changed" => (
            format!("changed the status to {}", field("to")),
            reason,
            false,
        ),
        "priority_set" => (
            format!("set the priority to {}", field("priority")),
            reason,
            false,
        ),
        "role_assigned" => (
            format!("made {} {}", person("user_id"), field("role_name")),
            text(p, "briefing"),
            false,
        ),
        "role_handed_over" => (
            format!("handed {} to {}", field("role_name"), person("user_id")),
            text(p, "briefing"),
            false,
        ),
        "participant_added" => (format!("added {}", person("user_id")), None, false),
        "task_created" => (
            format!("created the task \u{201c}{}\u{201d}", field("title")),
            None,
            false,
        ),
        "escalated" => (
            format!(
                "paged escalation level {}",
                p["level"].as_u64().unwrap_or(1)
            ),
            reason,
            false,
        ),
        "reassigned" => {
            let people: Vec<String> = p["users"]
                .as_array()
                .map(|users| {
                    let ids = users.iter().filter_map(user_ref);
                    ids.map(|id| names.user(id)).collect()
                })
                .unwrap_or_default();
            (
                format!("reassigned it to {}", people.join(", ")),
                None,
                false,
            )
        }
        "acknowledged" => ("acknowledged the incident".to_owned(), None, false),
        "resolved" => ("resolved the incident".to_owned(), reason, false),
        other => (other.replace('_', " "), reason, false),
    };
    EntryLine {
        seq: event.seq,
        actor: names.actor(&event.actor),
        what,
        text: detail,
        at: event.occurred_at.to_string(),
        at_text: clock::seconds(event.occurred_at, zone),
        important,
        payload: serde_json::to_string_pretty(&event.payload).unwrap_or_default(),
    }
}

/// An optional instant to the second on `zone`, or "—".
pub fn maybe_when(at: Option<jiff::Timestamp>, zone: &TimeZone) -> String {
    at.map_or_else(|| "\u{2014}".to_owned(), |at| clock::seconds(at, zone))
}

/// A span of seconds in short words: "2h 5m", "45s".
pub fn span(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, r) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{r}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// An amount in minor units: "1234.50 EUR".
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}

/// A role slug in words: "incident_commander" → "incident commander".
pub fn role_words(slug: &str) -> String {
    slug.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, actor: &str, payload: Value) -> EventView {
        EventView {
            seq: 7,
            event_id: uuid::Uuid::nil(),
            kind: kind.into(),
            actor: actor.into(),
            occurred_at: "2026-11-27T12:00:05Z".parse().expect("test instant"),
            payload,
        }
    }

    #[test]
    fn a_note_names_its_author_and_keeps_its_text() {
        let ada = uuid::Uuid::now_v7();
        let mut names = NameBook::default();
        names.insert(ada, "Ada");
        let line = entry_line(
            &event(
                "incident.note",
                &format!("user:{ada}"),
                serde_json::json!({"body": " <b>db</b> "}),
            ),
            &names,
            &clock::zone_named("Europe/Berlin"),
        );
        assert_eq!(line.actor, "Ada");
        assert_eq!(line.what, "added a note");
        assert_eq!(line.text.as_deref(), Some("<b>db</b>"));
        assert!(line.important);
        assert_eq!(
            line.at_text, "2026-11-27 13:00:05 CET",
            "on the viewer's clock"
        );
    }

    #[test]
    fn lifecycle_entries_say_what_changed() {
        let bob = uuid::Uuid::now_v7();
        let mut names = NameBook::default();
        names.insert(bob, "Bob");
        let status = entry_line(
            &event(
                "incident.status_changed",
                "system",
                serde_json::json!({"to": "monitoring", "reason": "fix deployed"}),
            ),
            &names,
            &TimeZone::UTC,
        );
        assert_eq!(status.actor, "Tocsin");
        assert_eq!(status.what, "changed the status to monitoring");
        assert_eq!(status.text.as_deref(), Some("fix deployed"));
        let role = entry_line(
            &event(
                "incident.role_handed_over",
                "integration_key:k",
                serde_json::json!({"role_name": "Incident commander", "user_id": bob, "briefing": "db is read-only"}),
            ),
            &names,
            &TimeZone::UTC,
        );
        assert_eq!(role.actor, "an integration");
        assert_eq!(role.what, "handed Incident commander to Bob");
        assert_eq!(role.text.as_deref(), Some("db is read-only"));
        let unknown = entry_line(
            &event("incident.alert_attached", "user:nobody", Value::Null),
            &names,
            &TimeZone::UTC,
        );
        assert_eq!(
            (unknown.actor.as_str(), unknown.what.as_str()),
            ("someone", "alert attached")
        );
    }

    #[test]
    fn people_mentioned_are_collected_for_lookup() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let reassigned = event(
            "incident.reassigned",
            &format!("user:{a}"),
            serde_json::json!({"users": [{"user_id": b, "contacts": 0}]}),
        );
        assert_eq!(mentioned(&reassigned), vec![a, b]);
        let mut names = NameBook::default();
        names.insert(b, "Bea");
        assert_eq!(
            entry_line(&reassigned, &names, &TimeZone::UTC).what,
            "reassigned it to Bea"
        );
    }

    #[test]
    fn spans_and_money_read_naturally() {
        assert_eq!(span(45), "45s");
        assert_eq!(span(125), "2m");
        assert_eq!(span(7_500), "2h 5m");
        assert_eq!(span(90_000), "1d 1h");
        assert_eq!(span(-5), "0s");
        assert_eq!(money(123_450, "EUR"), "1234.50 EUR");
        assert_eq!(money(-5, "USD"), "-0.05 USD");
        assert_eq!(role_words("incident_commander"), "incident commander");
    }
}
