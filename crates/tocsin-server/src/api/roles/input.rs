//! Reading a role from a request body, every problem under the JSON pointer of its field. The
//! read-only members of a role's GET answer are accepted and ignored, so a client may send back
//! what it read, changed.
use serde_json::Value;
use tocsin_domain::alerting::from_json;
use tocsin_domain::roles::IncidentRole;

use crate::error::ApiError;

/// Members of a role's view that a body may carry back but that cannot be set.
const READ_ONLY: [&str; 4] = ["id", "version", "created_at", "updated_at"];

/// Parses and validates a role body (the schedule and backup are checked by the store).
pub fn parse_role(mut body: Value) -> Result<IncidentRole, ApiError> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::field("", "must be a JSON object"));
    };
    for member in READ_ONLY {
        object.remove(member);
    }
    Ok(from_json::<IncidentRole>(body)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn read_only_members_are_ignored_and_problems_name_the_field() {
        let body = json!({"id": "x", "version": 3, "slug": "scribe", "name": "Scribe"});
        assert_eq!(parse_role(body).expect("valid").slug, "scribe");
        let error = parse_role(json!({"slug": "Scribe", "name": "Scribe"})).expect_err("invalid");
        assert_eq!(error.kind.status().as_u16(), 422);
        assert_eq!(error.errors[0].pointer, "/slug");
        assert!(parse_role(json!([])).is_err());
    }
}
