//! Evidence on an incident (table `incident_evidence`): added with its metadata on the timeline
//! (`incident.evidence_added`, never the content), viewed and exported through the chain of
//! custody (`incident_evidence_custody`, append-only), deleted (content dropped, row and chain
//! kept: `incident.evidence_deleted`) unless a preservation hold is in force. The hold policy is a
//! configuration document; a hold is recorded once per incident (`incident_evidence_holds`,
//! `incident.evidence_hold_placed`).
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::evidence::{
    self, DataClassification, EvidenceKind, HoldPolicy, NewEvidence,
};
use tocsin_domain::priority::Priority;
use uuid::Uuid;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// Where the preservation hold policy is stored among the configuration documents.
pub const HOLD_POLICY_SCOPE: &str = "evidence_hold";

/// The hold policy as stored (the defaults when never written) and its version.
pub async fn hold_policy(reader: Reader<'_>) -> Result<(HoldPolicy, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, HOLD_POLICY_SCOPE).await
}

/// An item's metadata (never its content).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub id: Uuid,
    pub incident_id: IncidentId,
    pub kind: EvidenceKind,
    pub title: String,
    pub source: String,
    pub url: Option<String>,
    pub media_type: Option<String>,
    pub data_classification: DataClassification,
    pub personal_data_note: Option<String>,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub added_by: String,
    pub added_at: Timestamp,
    pub deleted_by: Option<String>,
    pub deleted_at: Option<Timestamp>,
}

crate::sql_row! {
    struct Row {
        id: Uuid,
        incident_id: Uuid,
        kind: String,
        title: String,
        source: String,
        url: Option<String>,
        media_type: Option<String>,
        data_classification: String,
        personal_data_note: Option<String>,
        size_bytes: i64,
        sha256: Option<String>,
        added_by: String,
        added_at: i64,
        deleted_by: Option<String>,
        deleted_at: Option<i64>,
    }
}

macro_rules! select_evidence {
    ($tail:literal) => {
        concat!(
            "SELECT id, incident_id, kind, title, source, url, media_type, data_classification, ",
            "personal_data_note, size_bytes, sha256, added_by, added_at, deleted_by, deleted_at ",
            "FROM incident_evidence",
            $tail
        )
    };
}

fn evidence_of(row: Row) -> Evidence {
    Evidence {
        id: row.id,
        incident_id: IncidentId(row.incident_id),
        kind: EvidenceKind::parse(&row.kind).unwrap_or(EvidenceKind::Other),
        title: row.title,
        source: row.source,
        url: row.url,
        media_type: row.media_type,
        data_classification: DataClassification::parse(&row.data_classification)
            .unwrap_or(DataClassification::Restricted),
        personal_data_note: row.personal_data_note,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        added_by: row.added_by,
        added_at: from_micros(row.added_at),
        deleted_by: row.deleted_by,
        deleted_at: row.deleted_at.map(from_micros),
    }
}

/// The incident's evidence, oldest first (metadata only).
pub async fn evidence_list(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<Evidence>, StoreError> {
    const SQL: &str = select_evidence!(" WHERE incident_id = $1 ORDER BY added_at, id");
    let rows: Vec<Row> = reader.fetch_all(SQL, crate::args![incident.0]).await?;
    Ok(rows.into_iter().map(evidence_of).collect())
}

async fn item_in_tx(tx: &mut Tx, incident: IncidentId, item: Uuid) -> Result<Evidence, StoreError> {
    const SQL: &str = select_evidence!(" WHERE id = $1 AND incident_id = $2");
    let row: Option<Row> = tx
        .fetch_optional(SQL, crate::args![item, incident.0])
        .await?;
    row.map(evidence_of).ok_or(StoreError::NotFound("evidence"))
}

async fn custody(
    tx: &mut Tx,
    item: Uuid,
    action: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO incident_evidence_custody (id, evidence_id, action, actor, at) \
         VALUES ($1, $2, $3, $4, $5)",
        crate::args![Uuid::now_v7(), item, action, actor, to_micros(at)],
    )
    .await?;
    Ok(())
}

/// One link of the chain of custody.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CustodyEntry {
    /// added, viewed, exported or deleted.
    pub action: String,
    pub actor: String,
    pub at: Timestamp,
}

/// The item's chain of custody, oldest first.
pub async fn custody_chain(
    reader: Reader<'_>,
    item: Uuid,
) -> Result<Vec<CustodyEntry>, StoreError> {
    let rows: Vec<(String, String, i64)> = reader
        .fetch_all(
            "SELECT action, actor, at FROM incident_evidence_custody WHERE evidence_id = $1 \
             ORDER BY at, id",
            crate::args![item],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(action, actor, at)| CustodyEntry {
            action,
            actor,
            at: from_micros(at),
        })
        .collect())
}

/// The priorities the incident had while it held evidence (its current one, the one its hold was
/// placed for, and every priority set on its timeline since its first item was added).
pub async fn priorities_seen(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<Priority>, StoreError> {
    let row: Option<(Option<i64>, Option<i64>, Option<String>)> = reader
        .fetch_optional(
            "SELECT priority, (SELECT MIN(added_at) FROM incident_evidence e \
             WHERE e.incident_id = incidents.id), (SELECT h.priority FROM incident_evidence_holds h \
             WHERE h.incident_id = incidents.id) FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    let (current, first_added, held_for) = row.ok_or(StoreError::NotFound("incident"))?;
    let mut seen: Vec<Priority> = current.and_then(Priority::from_rank).into_iter().collect();
    seen.extend(held_for.and_then(|held| Priority::ALL.into_iter().find(|p| p.as_str() == held)));
    let Some(first_added) = first_added.map(from_micros) else {
        return Ok(seen);
    };
    const PAGE: i64 = 1000;
    let mut after = 0;
    loop {
        let page = crate::events::read_stream(reader, incident.0, after, PAGE).await?;
        for stored in &page {
            if stored.kind == "incident.priority_set"
                && stored.occurred_at >= first_added
                && let Ok(priority) = serde_json::from_value(stored.payload["priority"].clone())
            {
                seen.push(priority);
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    seen.sort();
    seen.dedup();
    Ok(seen)
}

/// The incident's hold as it stands: until when its evidence is held (none: no hold) and when the
/// hold was placed (none: not yet recorded).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Hold {
    pub held_until: Option<Timestamp>,
    pub placed_at: Option<Timestamp>,
}

/// Until when the incident's evidence is held, given the priorities it was seen with.
pub async fn hold_of(
    reader: Reader<'_>,
    incident: IncidentId,
    seen: &[Priority],
    policy: &HoldPolicy,
    now: Timestamp,
) -> Result<Hold, StoreError> {
    let row: Option<HoldRow> = reader
        .fetch_optional(HOLD_SQL, crate::args![incident.0])
        .await?;
    hold_from(row, seen, policy, now)
}

/// Status, resolved, closed and updated times, and when the hold was placed.
type HoldRow = (String, Option<i64>, Option<i64>, i64, Option<i64>);

const HOLD_SQL: &str = "SELECT status, resolved_at, closed_at, updated_at, \
    (SELECT h.placed_at FROM incident_evidence_holds h WHERE h.incident_id = incidents.id) \
    FROM incidents WHERE id = $1";

fn hold_from(
    row: Option<HoldRow>,
    seen: &[Priority],
    policy: &HoldPolicy,
    now: Timestamp,
) -> Result<Hold, StoreError> {
    let (status, resolved, closed, updated, placed) =
        row.ok_or(StoreError::NotFound("incident"))?;
    let open = tocsin_domain::incident::IncidentStatus::parse(&status).is_none_or(|s| s.is_open());
    let ended = if open {
        None
    } else {
        Some(from_micros(resolved.or(closed).unwrap_or(updated)))
    };
    Ok(Hold {
        held_until: evidence::held_until(seen, ended, policy, now),
        placed_at: placed.map(from_micros),
    })
}

/// Records the hold once when the incident was seen with a priority of the policy.
async fn place_hold(
    tx: &mut Tx,
    incident: IncidentId,
    seen: &[Priority],
    policy: &HoldPolicy,
    actor: &str,
    now: Timestamp,
) -> Result<Hold, StoreError> {
    let row: Option<HoldRow> = tx
        .fetch_optional(HOLD_SQL, crate::args![incident.0])
        .await?;
    let hold = hold_from(row, seen, policy, now)?;
    let Some(priority) = seen.iter().find(|p| policy.holds(**p)) else {
        return Ok(hold);
    };
    if hold.placed_at.is_some() {
        return Ok(hold);
    }
    tx.execute(
        "INSERT INTO incident_evidence_holds (incident_id, priority, placed_at) VALUES ($1, $2, $3)",
        crate::args![incident.0, priority.as_str(), to_micros(now)],
    )
    .await?;
    let payload = serde_json::json!({
        "priority": priority, "hold_days": policy.hold_days, "held_until": hold.held_until,
        "reason": format!(
            "the incident is {priority}: its evidence is preserved until {} days after it resolves",
            policy.hold_days
        ),
    });
    tx.append(event(
        incident,
        "incident.evidence_hold_placed",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(Hold {
        placed_at: Some(now),
        ..hold
    })
}

/// What the hold rule needs: the policy and the priorities the incident was seen with before
/// this write (its current priority is read again in the write).
#[derive(Debug, Clone)]
pub struct HoldContext {
    pub policy: HoldPolicy,
    pub seen: Vec<Priority>,
}

async fn seen_now(
    tx: &mut Tx,
    incident: IncidentId,
    context: &HoldContext,
) -> Result<Vec<Priority>, StoreError> {
    let current: Option<Option<i64>> = tx
        .scalar_optional(
            "SELECT priority FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    let mut seen = context.seen.clone();
    seen.extend(current.flatten().and_then(Priority::from_rank));
    Ok(seen)
}

/// Adds an item (validated by the caller); answers its id. Its custody starts with `added`.
pub async fn add_evidence(
    tx: &mut Tx,
    incident: IncidentId,
    item: NewEvidence,
    context: &HoldContext,
    actor: &str,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let size = item.content.as_ref().map_or(0, Vec::len);
    let sha256 = item.content.as_deref().map(evidence::digest);
    tx.execute(
        "INSERT INTO incident_evidence (id, incident_id, kind, title, source, url, media_type, \
         data_classification, personal_data_note, content, size_bytes, sha256, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        crate::args![
            id,
            incident.0,
            item.kind.as_str(),
            item.title.clone(),
            item.source.clone(),
            item.url.clone(),
            item.media_type.clone(),
            item.classification.as_str(),
            item.personal_data_note.clone(),
            item.content,
            i64::try_from(size).unwrap_or(i64::MAX),
            sha256.clone(),
            actor,
            to_micros(now)
        ],
    )
    .await?;
    custody(tx, id, "added", actor, now).await?;
    let payload = serde_json::json!({
        "evidence_id": id, "kind": item.kind, "title": item.title, "source": item.source,
        "url": item.url, "media_type": item.media_type,
        "data_classification": item.classification,
        "personal_data_note": item.personal_data_note, "size_bytes": size, "sha256": sha256,
    });
    tx.append(event(
        incident,
        "incident.evidence_added",
        actor,
        now,
        payload,
    ))
    .await?;
    let seen = seen_now(tx, incident, context).await?;
    place_hold(tx, incident, &seen, &context.policy, actor, now).await?;
    Ok(id)
}

/// The item's metadata; `viewed` goes on its chain of custody.
pub async fn view_evidence(
    tx: &mut Tx,
    incident: IncidentId,
    item: Uuid,
    actor: &str,
    now: Timestamp,
) -> Result<Evidence, StoreError> {
    let found = item_in_tx(tx, incident, item).await?;
    custody(tx, item, "viewed", actor, now).await?;
    Ok(found)
}

/// The item's content; `exported` goes on its chain of custody. A deleted item's content is gone
/// (404), as is the content of an item added without any (a link only).
pub async fn export_evidence(
    tx: &mut Tx,
    incident: IncidentId,
    item: Uuid,
    actor: &str,
    now: Timestamp,
) -> Result<(Evidence, Vec<u8>), StoreError> {
    let found = item_in_tx(tx, incident, item).await?;
    let content: Option<Option<Vec<u8>>> = tx
        .scalar_optional(
            "SELECT content FROM incident_evidence WHERE id = $1",
            crate::args![item],
        )
        .await?;
    let content = content
        .flatten()
        .ok_or(StoreError::NotFound("evidence content"))?;
    custody(tx, item, "exported", actor, now).await?;
    Ok((found, content))
}

/// What became of a deletion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Deletion {
    Deleted,
    /// Already deleted: nothing changed.
    AlreadyDeleted,
    /// A preservation hold is in force until then: nothing was deleted (the hold, if newly seen,
    /// was recorded).
    Held {
        until: Timestamp,
    },
}

/// Deletes the item's content (its metadata row and chain of custody stay) unless the incident's
/// evidence is under a preservation hold.
pub async fn delete_evidence(
    tx: &mut Tx,
    incident: IncidentId,
    item: Uuid,
    context: &HoldContext,
    actor: &str,
    now: Timestamp,
) -> Result<Deletion, StoreError> {
    let found = item_in_tx(tx, incident, item).await?;
    if found.deleted_at.is_some() {
        return Ok(Deletion::AlreadyDeleted);
    }
    let seen = seen_now(tx, incident, context).await?;
    let hold = place_hold(tx, incident, &seen, &context.policy, actor, now).await?;
    if let Some(until) = hold
        .held_until
        .filter(|u| evidence::hold_in_force(Some(*u), now))
    {
        return Ok(Deletion::Held { until });
    }
    tx.execute(
        "UPDATE incident_evidence SET content = NULL, deleted_by = $2, deleted_at = $3 \
         WHERE id = $1",
        crate::args![item, actor, to_micros(now)],
    )
    .await?;
    custody(tx, item, "deleted", actor, now).await?;
    let payload = serde_json::json!({
        "evidence_id": item, "title": found.title, "sha256": found.sha256,
        "held_until": hold.held_until,
    });
    tx.append(event(
        incident,
        "incident.evidence_deleted",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(Deletion::Deleted)
}
