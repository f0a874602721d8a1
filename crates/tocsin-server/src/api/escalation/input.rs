//! Reading a policy from a request body, every problem under the JSON pointer of its field. The
//! read-only members of a policy's GET answer are accepted and ignored, so a client may send back
//! what it read, changed.
use serde_json::Value;
use tocsin_domain::escalation::EscalationPolicy;

use crate::api::common::parse_document;
use crate::error::ApiError;

/// Parses and validates a policy body (references are checked by the store).
pub fn parse_policy(body: Value) -> Result<EscalationPolicy, ApiError> {
    parse_document(body)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn read_only_members_are_ignored_and_problems_name_the_field() {
        let body = json!({"id": "x", "version": 3, "name": "P", "steps": [{"delay_minutes": 5,
            "targets": [{"kind": "skill", "skill": "pg"}]}]});
        assert_eq!(parse_policy(body).expect("valid").steps.len(), 1);
        let error = parse_policy(json!({"name": "P", "steps": [{"delay_minutes": 0,
            "targets": [{"kind": "skill", "skill": "pg"}]}]}))
        .expect_err("invalid");
        assert_eq!(error.kind.status().as_u16(), 422);
        assert_eq!(error.errors[0].pointer, "/steps/0/delay_minutes");
        assert!(parse_policy(json!([])).is_err());
    }
}
