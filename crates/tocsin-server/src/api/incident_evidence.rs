//! Evidence on an incident: items (user action logs, session replays, log excerpts, files) with
//! their source, data classification and personal data note; viewing and exporting one goes on
//! its chain of custody; deleting one is refused while the incident's preservation hold is in
//! force (`/api/v1/evidence-hold-policy`: hold days and priorities; admins change it).
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use tocsin_domain::FieldError;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::evidence::{
    self, DataClassification, EvidenceKind, HoldPolicy, MAX_CONTENT_BYTES, NewEvidence,
};
use tocsin_store::incident::{self, Deletion, Evidence, HoldContext};

use super::common::{PathIds, Versioned, put_typed_document};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::{ApiError, ProblemKind};
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const LIST: &str = "/api/v1/incidents/{id}/evidence";
const ITEM: &str = "/api/v1/incidents/{id}/evidence/{evidence_id}";
const POLICY: &str = "/api/v1/evidence-hold-policy";
/// A request body carrying the largest item, base64-encoded, with room for its metadata.
const BODY_LIMIT: usize = MAX_CONTENT_BYTES / 3 * 4 + 64 * 1024;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(Method::GET, LIST, read(), list),
        route(Method::POST, LIST, respond(), add).with_body_limit(BODY_LIMIT),
        route(Method::GET, ITEM, read(), get),
        route(Method::DELETE, ITEM, respond(), delete),
        route(
            Method::GET,
            "/api/v1/incidents/{id}/evidence/{evidence_id}/content",
            read(),
            content,
        ),
        route(
            Method::GET,
            "/api/v1/incidents/{id}/evidence/{evidence_id}/custody",
            read(),
            custody,
        ),
        route(Method::GET, POLICY, read(), get_policy),
        route(
            Method::PUT,
            POLICY,
            Guard::Allow(Action::ManagePriorityPolicy),
            put_policy,
        ),
    ]
}

/// An item's metadata (never its content).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// user_action_log, session_replay, log_excerpt, file or other.
    pub kind: String,
    pub title: String,
    /// Where it came from.
    pub source: String,
    pub url: Option<String>,
    pub media_type: Option<String>,
    /// public, internal, confidential or restricted.
    pub data_classification: String,
    /// The personal data it holds.
    pub personal_data_note: Option<String>,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: Option<String>,
    pub added_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub added_at: jiff::Timestamp,
    /// Deleted: its content is gone, its metadata and chain of custody stay.
    pub deleted_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<jiff::Timestamp>,
}

impl From<Evidence> for EvidenceView {
    fn from(item: Evidence) -> Self {
        Self {
            id: item.id,
            kind: item.kind.as_str().to_owned(),
            title: item.title,
            source: item.source,
            url: item.url,
            media_type: item.media_type,
            data_classification: item.data_classification.as_str().to_owned(),
            personal_data_note: item.personal_data_note,
            size_bytes: item.size_bytes,
            sha256: item.sha256,
            added_by: item.added_by,
            added_at: item.added_at,
            deleted_by: item.deleted_by,
            deleted_at: item.deleted_at,
        }
    }
}

/// The incident's preservation hold.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HoldView {
    /// Until when its evidence is held (null: no hold).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub held_until: Option<jiff::Timestamp>,
    /// Whether deleting evidence is refused now.
    pub in_force: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub placed_at: Option<jiff::Timestamp>,
}

/// The incident's evidence and its hold.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceList {
    pub items: Vec<EvidenceView>,
    pub hold: HoldView,
}

async fn hold_context(state: &AppState, id: IncidentId) -> Result<HoldContext, ApiError> {
    let reader = state.store.reader();
    let (policy, _) = incident::hold_policy(reader).await?;
    let seen = incident::priorities_seen(reader, id).await?;
    Ok(HoldContext { policy, seen })
}

/// The incident's evidence (metadata only), oldest first, and its preservation hold.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = EvidenceList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<EvidenceList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let reader = state.store.reader();
    let context = hold_context(&state, id).await?;
    let now = state.clock.now();
    let hold = incident::hold_of(reader, id, &context.seen, &context.policy, now).await?;
    let items = incident::evidence_list(reader, id)
        .await?
        .into_iter()
        .map(EvidenceView::from)
        .collect();
    Ok(Json(EvidenceList {
        items,
        hold: HoldView {
            held_until: hold.held_until,
            in_force: evidence::hold_in_force(hold.held_until, now),
            placed_at: hold.placed_at,
        },
    }))
}

/// An item to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// user_action_log, session_replay, log_excerpt, file or other.
    pub kind: String,
    pub title: String,
    /// Where it came from (required).
    pub source: String,
    /// A link (session replays: required, https).
    pub url: Option<String>,
    /// A text excerpt, or a file in base64 (`content_encoding: base64`); at most 1 MiB.
    pub content: Option<String>,
    /// text (default) or base64.
    pub content_encoding: Option<String>,
    pub media_type: Option<String>,
    /// public, internal, confidential or restricted.
    pub data_classification: String,
    /// The personal data it holds (required when confidential or restricted).
    pub personal_data_note: Option<String>,
}

fn decode(input: &NewItem) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(text) = &input.content else {
        return Ok(None);
    };
    let bytes = match input.content_encoding.as_deref().unwrap_or("text") {
        "text" => text.as_bytes().to_vec(),
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| ApiError::field("/content", "is not valid base64"))?,
        _ => {
            return Err(ApiError::field(
                "/content_encoding",
                "must be text or base64",
            ));
        }
    };
    if bytes.len() > MAX_CONTENT_BYTES {
        let detail = format!("at most {MAX_CONTENT_BYTES} bytes ({} sent)", bytes.len());
        return Err(ApiError::new(ProblemKind::PayloadTooLarge, detail.clone())
            .with_errors(vec![FieldError::new("/content", detail)]));
    }
    Ok(Some(bytes))
}

/// Add an item; `incident.evidence_added` (without the content) goes on the timeline, `added` on
/// its chain of custody. A P1/P2 incident (by the hold policy) places its preservation hold.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/evidence", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = NewItem, responses(
    (status = 201, body = EvidenceView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 413, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<NewItem>,
) -> Result<(StatusCode, Json<EvidenceView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let content = decode(&input)?;
    let kind = EvidenceKind::parse(&input.kind);
    let classification = DataClassification::parse(&input.data_classification);
    let mut errors = Vec::new();
    if kind.is_none() {
        errors.push(FieldError::new(
            "/kind",
            "must be user_action_log, session_replay, log_excerpt, file or other",
        ));
    }
    if classification.is_none() {
        errors.push(FieldError::new(
            "/data_classification",
            "must be public, internal, confidential or restricted",
        ));
    }
    let (Some(kind), Some(classification)) = (kind, classification) else {
        return Err(
            ApiError::new(ProblemKind::Validation, "Some fields are invalid").with_errors(errors),
        );
    };
    let item = evidence::validate(NewEvidence {
        kind,
        title: input.title,
        source: input.source,
        url: input.url,
        content,
        media_type: input.media_type,
        classification,
        personal_data_note: input.personal_data_note,
    })?;
    let context = hold_context(&state, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let item_id = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::add_evidence(tx, id, item, &context, &actor, now).await },
            )
        })
        .await?;
    let added = incident::evidence_list(state.store.reader(), id)
        .await?
        .into_iter()
        .find(|e| e.id == item_id)
        .ok_or_else(|| ApiError::not_found("evidence"))?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// One item's metadata; `viewed` goes on its chain of custody.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence/{evidence_id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("evidence_id" = String, Path, format = Uuid)), responses(
    (status = 200, body = EvidenceView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, item): PathIds<IncidentId, uuid::Uuid>,
) -> Result<Json<EvidenceView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let found = state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::view_evidence(tx, id, item, &actor, now).await })
        })
        .await?;
    Ok(Json(found.into()))
}

/// Export an item's content: the bytes with their media type (as an attachment); `exported` goes on
/// its chain of custody. A deleted item, or one added as a link only, has none (404).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence/{evidence_id}/content", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("evidence_id" = String, Path, format = Uuid)), responses(
    (status = 200, description = "the content, with its media type", content_type = "application/octet-stream"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn content(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, item): PathIds<IncidentId, uuid::Uuid>,
) -> Result<Response, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let (found, bytes) = state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::export_evidence(tx, id, item, &actor, now).await })
        })
        .await?;
    let media = found
        .media_type
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media);
    // Never rendered by a browser on the API's origin: downloaded, unsniffed, sandboxed.
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// One link of the chain of custody.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustodyView {
    /// added, viewed, exported or deleted.
    pub action: String,
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// An item's chain of custody.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustodyList {
    pub items: Vec<CustodyView>,
}

/// An item's chain of custody (append-only): who added, viewed, exported or deleted it, and when.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence/{evidence_id}/custody", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("evidence_id" = String, Path, format = Uuid)), responses(
    (status = 200, body = CustodyList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn custody(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, item): PathIds<IncidentId, uuid::Uuid>,
) -> Result<Json<CustodyList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let reader = state.store.reader();
    if !incident::evidence_list(reader, id)
        .await?
        .iter()
        .any(|e| e.id == item)
    {
        return Err(ApiError::not_found("evidence"));
    }
    let items = incident::custody_chain(reader, item)
        .await?
        .into_iter()
        .map(|c| CustodyView {
            action: c.action,
            actor: c.actor,
            at: c.at,
        })
        .collect();
    Ok(Json(CustodyList { items }))
}

/// Delete an item's content (its metadata and chain of custody stay: `deleted`;
/// `incident.evidence_deleted`). Refused (409, with `held_until`) while a preservation hold is in
/// force.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/evidence/{evidence_id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("evidence_id" = String, Path, format = Uuid)), responses(
    (status = 200, body = EvidenceView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, item): PathIds<IncidentId, uuid::Uuid>,
) -> Result<Json<EvidenceView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let context = hold_context(&state, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let outcome = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::delete_evidence(tx, id, item, &context, &actor, now).await },
            )
        })
        .await?;
    if let Deletion::Held { until } = outcome {
        return Err(ApiError::new(
            ProblemKind::Conflict,
            format!("the incident's evidence is under a preservation hold until {until}"),
        )
        .with_extra(serde_json::json!({ "held_until": until })));
    }
    incident::evidence_list(state.store.reader(), id)
        .await?
        .into_iter()
        .find(|e| e.id == item)
        .map(|e| Json(e.into()))
        .ok_or_else(|| ApiError::not_found("evidence"))
}

/// The preservation hold policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HoldPolicyView {
    pub hold_days: u32,
    /// Priorities whose incidents hold their evidence (P1 .. P5).
    pub hold_priorities: Vec<String>,
    /// 0 until first written; send it back as `If-Match`.
    pub version: i64,
}

fn policy_view(policy: &HoldPolicy, version: i64) -> Versioned<HoldPolicyView> {
    Versioned {
        version,
        body: HoldPolicyView {
            hold_days: policy.hold_days,
            hold_priorities: policy
                .hold_priorities
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            version,
        },
    }
}

/// The evidence preservation hold policy (365 days for P1 and P2 incidents until set).
#[utoipa::path(get, path = "/api/v1/evidence-hold-policy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = HoldPolicyView, headers(("ETag" = String)))))]
pub async fn get_policy(
    State(state): State<AppState>,
) -> Result<Versioned<HoldPolicyView>, ApiError> {
    let (policy, version) = incident::hold_policy(state.store.reader()).await?;
    Ok(policy_view(&policy, version))
}

/// Replace the evidence preservation hold policy (admins); absent members take their defaults.
#[utoipa::path(put, path = "/api/v1/evidence-hold-policy", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "{hold_days, hold_priorities}"), responses(
    (status = 200, body = HoldPolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<HoldPolicyView>, ApiError> {
    let (policy, version) = put_typed_document::<HoldPolicy>(
        &state,
        caller.actor(),
        expected,
        body,
        incident::HOLD_POLICY_SCOPE,
    )
    .await?;
    Ok(policy_view(&policy, version))
}
