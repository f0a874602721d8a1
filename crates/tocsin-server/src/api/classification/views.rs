//! How an incident's classification and priority are shown (flattened into `IncidentView`).
use serde::Serialize;
use tocsin_store::classification::Classification;

/// An incident's priority, classification, major flag, temporary P1, triage and impact inputs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClassificationView {
    /// P1 (most urgent) to P5; null until assessed.
    pub priority: Option<String>,
    /// How the priority was reached, in words: the impact threshold, the urgency, the matrix
    /// cell and each dynamic rule that applied; or who set it by hand and why.
    pub priority_reason: Vec<String>,
    /// auto, manual or temporary.
    pub priority_source: Option<String>,
    /// A category slug of the taxonomy version below.
    pub category: Option<String>,
    pub attribution: Option<String>,
    /// The taxonomy version the category was chosen from (0: the built-in default).
    pub taxonomy_version: Option<i64>,
    /// The first priority and category it had (classification accuracy).
    pub initial_priority: Option<String>,
    pub initial_category: Option<String>,
    pub is_major: bool,
    /// The major incident criterion that was met.
    pub major_reason: Option<String>,
    /// A temporary P1 runs until then, reverting unless confirmed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub temporary_p1_until: Option<jiff::Timestamp>,
    /// none, applied, needs_review or reviewed.
    pub triage_state: String,
    /// Auto-triage's suggestion: `{category, confidence, reason}`.
    #[schema(value_type = Option<Object>)]
    pub triage_suggestion: Option<serde_json::Value>,
    pub customers_affected: Option<i64>,
    /// Revenue at risk per hour, in minor units (cents).
    pub revenue_per_hour_minor: Option<i64>,
    pub regulatory_exposure: bool,
    /// The urgency set by hand, 1 (high) to 3 (low); null: from the severity.
    pub urgency: Option<i64>,
}

impl From<Classification> for ClassificationView {
    fn from(c: Classification) -> Self {
        Self {
            priority: c.priority.map(|p| p.to_string()),
            priority_reason: c.priority_reason,
            priority_source: c.priority_source,
            category: c.category,
            attribution: c.attribution,
            taxonomy_version: c.taxonomy_version,
            initial_priority: c.initial_priority.map(|p| p.to_string()),
            initial_category: c.initial_category,
            is_major: c.is_major,
            major_reason: c.major_reason,
            temporary_p1_until: c.temporary_p1_until,
            triage_state: c.triage_state,
            triage_suggestion: c
                .triage_suggestion
                .and_then(|s| serde_json::to_value(s).ok()),
            customers_affected: c.customers_affected,
            revenue_per_hour_minor: c.revenue_per_hour_minor,
            regulatory_exposure: c.regulatory_exposure,
            urgency: c.urgency,
        }
    }
}
