//! Entries written by hand on an incident's timeline (see `tocsin_domain::incident::entries`),
//! corrections pointing at earlier ones, and pins of any timeline entry (derived from the
//! timeline's pin and unpin events; see `tocsin_domain::incident::pins`).
use jiff::Timestamp;
use tocsin_domain::ValidationError;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::entries::{self, Entry};
use tocsin_domain::incident::pins::{self, PinFact};

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::tx::Tx;

/// Answers `NotFound("incident")` unless the incident exists.
pub(super) async fn require_incident(tx: &mut Tx, incident: IncidentId) -> Result<(), StoreError> {
    let exists: Option<i64> = tx
        .scalar_optional(
            "SELECT number FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    exists.map(drop).ok_or(StoreError::NotFound("incident"))
}

/// The kind of the timeline entry `seq` of the incident, if it exists.
async fn entry_kind(
    tx: &mut Tx,
    incident: IncidentId,
    seq: i64,
) -> Result<Option<String>, StoreError> {
    tx.scalar_optional(
        "SELECT kind FROM events WHERE stream_id = $1 AND seq = $2",
        crate::args![incident.0, seq],
    )
    .await
}

/// Appends a validated entry as one timeline event; answers its seq. A correction must point at
/// an earlier entry written by hand on the same incident.
pub async fn add_entry(
    tx: &mut Tx,
    incident: IncidentId,
    entry: &Entry,
    actor: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    require_incident(tx, incident).await?;
    if let Some(seq) = entry.corrects_seq {
        let kind = entry_kind(tx, incident, seq).await?;
        if !kind.as_deref().is_some_and(entries::is_by_hand) {
            return Err(StoreError::Invalid(ValidationError::field(
                "/corrects_seq",
                "must be the seq of an entry written by hand on this incident",
            )));
        }
    }
    let payload = serde_json::to_value(entry)
        .map_err(|e| StoreError::Unavailable(format!("entry not serialisable: {e}")))?;
    let stored = tx
        .append(event(
            incident,
            entry.kind.event_kind(),
            actor,
            now,
            payload,
        ))
        .await?;
    Ok(stored.seq)
}

/// The pin and unpin facts of the incident's timeline, oldest first.
async fn pin_facts(tx: &mut Tx, incident: IncidentId) -> Result<Vec<PinFact>, StoreError> {
    let rows: Vec<(String, String)> = tx
        .fetch_all(
            "SELECT kind, payload FROM events WHERE stream_id = $1 \
             AND kind IN ('incident.pinned', 'incident.unpinned') ORDER BY seq",
            crate::args![incident.0],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, payload)| {
            let payload: serde_json::Value = serde_json::from_str(&payload).ok()?;
            let seq = payload.get("seq")?.as_i64()?;
            Some(match kind.as_str() {
                "incident.pinned" => PinFact::Pinned(seq),
                _ => PinFact::Unpinned(seq),
            })
        })
        .collect())
}

/// Pins (or, with `pin` false, unpins) the timeline entry `seq`. Nothing is appended when it is
/// already so; answers whether anything changed.
pub async fn set_pin(
    tx: &mut Tx,
    incident: IncidentId,
    seq: i64,
    pin: bool,
    actor: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    require_incident(tx, incident).await?;
    let Some(pinned_kind) = entry_kind(tx, incident, seq).await? else {
        return Err(StoreError::NotFound("timeline entry"));
    };
    if pinned_kind == "incident.pinned" || pinned_kind == "incident.unpinned" {
        return Err(StoreError::Invalid(ValidationError::field(
            "/seq",
            "a pin or unpin is not an entry to pin",
        )));
    }
    let pinned = pins::pinned(&pin_facts(tx, incident).await?).contains(&seq);
    if pinned == pin {
        return Ok(false);
    }
    let kind = if pin {
        "incident.pinned"
    } else {
        "incident.unpinned"
    };
    let payload = serde_json::json!({ "seq": seq, "entry_kind": pinned_kind });
    tx.append(event(incident, kind, actor, now, payload))
        .await?;
    Ok(true)
}

/// Timeline entries read per query.
const PAGE: i64 = 1000;

/// The pinned timeline entries themselves, in timeline order.
pub async fn pinned_entries(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut timeline = Vec::new();
    let mut after = 0;
    loop {
        let page = crate::events::read_stream(reader, incident.0, after, PAGE).await?;
        let done = i64::try_from(page.len()).unwrap_or(PAGE) < PAGE;
        if let Some(last) = page.last() {
            after = last.seq;
        }
        timeline.extend(page);
        if done {
            break;
        }
    }
    let facts: Vec<PinFact> = timeline
        .iter()
        .filter_map(|e| {
            let seq = e.payload.get("seq")?.as_i64()?;
            match e.kind.as_str() {
                "incident.pinned" => Some(PinFact::Pinned(seq)),
                "incident.unpinned" => Some(PinFact::Unpinned(seq)),
                _ => None,
            }
        })
        .collect();
    let pinned = pins::pinned(&facts);
    timeline.retain(|e| pinned.contains(&e.seq));
    Ok(timeline)
}
