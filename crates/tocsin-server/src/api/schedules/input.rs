//! Reading a schedule from a request body: name, description and owning team beside the domain
//! definition (time zone, layers, temporary schedules), every problem under the JSON pointer of
//! its field. The read-only members of a schedule's GET answer are accepted and ignored, so a
//! client may send back what it read, changed.
use serde::Deserialize;
use serde_json::{Value, json};
use tocsin_domain::alerting::from_json;
use tocsin_domain::error::Collector;
use tocsin_domain::id::TeamId;
use tocsin_domain::oncall::Schedule;
use tocsin_domain::values::{Description, Name};
use tocsin_store::schedule::NewSchedule;

use crate::error::ApiError;
use crate::extract::pointer_of;

/// Members of a schedule's view that a body may carry back but that cannot be set.
const READ_ONLY: [&str; 5] = ["id", "version", "created_at", "updated_at", "warnings"];

/// A schedule as created or replaced. `time_zone`, `layers` and `temporary` follow the on-call
/// model of `docs/oncall.md`; overrides are added through the schedule's overrides route.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    /// The IANA zone the schedule is shown in (`Europe/Berlin`).
    #[schema(value_type = String)]
    pub time_zone: Value,
    /// Layers of rotations, bottom first: `{name, rotation: {participants, shift, first_handoff,
    /// time_zone}, restrictions, mode, starts_at, ends_at}`.
    #[schema(value_type = Vec<Object>)]
    pub layers: Value,
    /// Temporary schedules: `{start, end, shifts: [{user, start, end}]}`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub temporary: Option<Value>,
}

/// Parses and validates a schedule body (the references to users and teams are checked by the
/// store, against stored state).
pub fn parse_schedule(mut body: Value) -> Result<NewSchedule, ApiError> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::field("", "must be a JSON object"));
    };
    for member in READ_ONLY {
        object.remove(member);
    }
    if object.contains_key("overrides") {
        return Err(ApiError::field(
            "/overrides",
            "overrides are added and removed one by one at /api/v1/schedules/{id}/overrides",
        ));
    }
    let input: ScheduleBody = serde_path_to_error::deserialize(body).map_err(|error| {
        let pointer = pointer_of(error.path());
        ApiError::field(pointer, error.into_inner().to_string())
    })?;
    let mut errors = Collector::default();
    let name = errors.take("/name", Name::parse(&input.name));
    let description = errors.take(
        "/description",
        Description::parse(input.description.as_deref().unwrap_or_default()),
    );
    let definition = json!({
        "time_zone": input.time_zone,
        "layers": input.layers,
        "temporary": input.temporary.unwrap_or_else(|| json!([])),
    });
    let definition = match from_json::<Schedule>(definition) {
        Ok(definition) => Some(definition),
        Err(invalid) => {
            invalid.0.into_iter().for_each(|e| errors.push(e));
            None
        }
    };
    errors.finish()?;
    match (name, description, definition) {
        (Some(name), Some(description), Some(definition)) => Ok(NewSchedule {
            name,
            description,
            team_id: input.team_id.map(TeamId),
            definition,
        }),
        _ => Err(ApiError::internal()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Value {
        json!({
            "name": "Primary",
            "time_zone": "Europe/Berlin",
            "layers": [{"name": "Weekly", "starts_at": "2026-11-02T08:00:00Z",
                "rotation": {"participants": ["0192f0c4-0000-7000-8000-000000000001"],
                    "shift": {"weeks": 1}, "first_handoff": "2026-11-02T09:00",
                    "time_zone": "Europe/Berlin"}}],
        })
    }

    fn pointers(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn a_valid_body_parses_and_read_only_members_are_ignored() {
        let mut sent = body();
        sent["id"] = json!("ignored");
        sent["warnings"] = json!([]);
        let parsed = parse_schedule(sent).expect("valid");
        assert_eq!(parsed.name.as_str(), "Primary");
        assert_eq!(parsed.definition.layers.len(), 1);
        assert!(parsed.definition.temporary.is_empty());
    }

    #[test]
    fn every_problem_is_reported_under_its_pointer() {
        let mut sent = body();
        sent["name"] = json!("");
        sent["time_zone"] = json!("Mars/Olympus_Mons");
        sent["layers"][0]["rotation"]["participants"] = json!([]);
        let error = parse_schedule(sent).expect_err("invalid");
        assert_eq!(error.kind.status().as_u16(), 422);
        assert_eq!(
            pointers(error),
            ["/name", "/time_zone"],
            "a shape error stops the definition's rule checks"
        );
        let mut empty = body();
        empty["layers"][0]["rotation"]["participants"] = json!([]);
        let error = parse_schedule(empty).expect_err("invalid");
        assert_eq!(pointers(error), ["/layers/0/rotation/participants"]);
    }

    #[test]
    fn overrides_and_unknown_members_are_refused_by_name() {
        let mut sent = body();
        sent["overrides"] = json!([]);
        assert_eq!(
            pointers(parse_schedule(sent).expect_err("refused")),
            ["/overrides"]
        );
        let mut sent = body();
        sent["colour"] = json!("red");
        assert_eq!(
            pointers(parse_schedule(sent).expect_err("refused")),
            ["/colour"]
        );
    }
}
