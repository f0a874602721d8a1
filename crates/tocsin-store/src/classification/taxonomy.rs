//! Taxonomy versions: a proposal by one admin becomes current only when a second admin (not the
//! proposer) approves it; older versions are kept, so an incident keeps the version it was
//! classified with. Version 0 is the built-in default, current until a version is approved.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::priority::Taxonomy;
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The stream taxonomy events are appended to.
const STREAM: Uuid = Uuid::from_u128(0x7a78_0000_0000_4000_8000_0000_0000_0001);

const CURRENT: &str = "SELECT version, definition FROM taxonomy_versions \
    WHERE state = 'approved' ORDER BY version DESC LIMIT 1";
const ALL: &str = "SELECT version, definition, state, note, proposed_by, proposed_at, \
    approved_by, approved_at FROM taxonomy_versions ORDER BY version DESC";
const ONE: &str = "SELECT version, definition, state, note, proposed_by, proposed_at, \
    approved_by, approved_at FROM taxonomy_versions WHERE version = $1";

/// A stored taxonomy version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxonomyVersion {
    pub version: i64,
    pub taxonomy: Taxonomy,
    /// proposed or approved.
    pub state: String,
    pub note: String,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    pub approved_by: Option<String>,
    pub approved_at: Option<Timestamp>,
}

crate::sql_row! {
    struct VersionRow {
        version: i64,
        definition: String,
        state: String,
        note: String,
        proposed_by: String,
        proposed_at: i64,
        approved_by: Option<String>,
        approved_at: Option<i64>,
    }
}

fn parse(version: i64, text: &str) -> Result<Taxonomy, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("taxonomy version {version}: {e}")))
}

impl TryFrom<VersionRow> for TaxonomyVersion {
    type Error = StoreError;
    fn try_from(row: VersionRow) -> Result<Self, StoreError> {
        Ok(Self {
            taxonomy: parse(row.version, &row.definition)?,
            version: row.version,
            state: row.state,
            note: row.note,
            proposed_by: row.proposed_by,
            proposed_at: from_micros(row.proposed_at),
            approved_by: row.approved_by,
            approved_at: row.approved_at.map(from_micros),
        })
    }
}

fn current_of(row: Option<(i64, String)>) -> Result<(i64, Taxonomy), StoreError> {
    match row {
        None => Ok((0, Taxonomy::default())),
        Some((version, text)) => Ok((version, parse(version, &text)?)),
    }
}

/// The current taxonomy and its version.
pub async fn current(reader: Reader<'_>) -> Result<(i64, Taxonomy), StoreError> {
    current_of(reader.fetch_optional(CURRENT, crate::args![]).await?)
}

/// The current taxonomy, read in a write.
pub(crate) async fn current_in(tx: &mut Tx) -> Result<(i64, Taxonomy), StoreError> {
    current_of(tx.fetch_optional(CURRENT, crate::args![]).await?)
}

/// Every stored version, newest first.
pub async fn versions(reader: Reader<'_>) -> Result<Vec<TaxonomyVersion>, StoreError> {
    let rows: Vec<VersionRow> = reader.fetch_all(ALL, crate::args![]).await?;
    rows.into_iter().map(TaxonomyVersion::try_from).collect()
}

async fn append(
    tx: &mut Tx,
    kind: &'static str,
    actor: &str,
    at: Timestamp,
    payload: serde_json::Value,
) -> Result<(), StoreError> {
    tx.append(NewEvent::new("taxonomy", STREAM, kind, actor, at, payload))
        .await
        .map(drop)
}

/// Proposes a (validated) taxonomy as the next version; it applies once a second admin approves.
pub async fn propose(
    tx: &mut Tx,
    taxonomy: Taxonomy,
    note: String,
    actor: &str,
    at: Timestamp,
) -> Result<TaxonomyVersion, StoreError> {
    tx.lock(b"taxonomy_versions").await?;
    let last: Option<i64> = tx
        .scalar("SELECT MAX(version) FROM taxonomy_versions", crate::args![])
        .await?;
    let version = last.unwrap_or(0) + 1;
    let text = serde_json::to_string(&taxonomy)
        .map_err(|e| StoreError::Corrupt(format!("taxonomy not serialisable: {e}")))?;
    tx.execute(
        "INSERT INTO taxonomy_versions (version, definition, state, note, proposed_by, \
         proposed_at) VALUES ($1, $2, 'proposed', $3, $4, $5)",
        crate::args![version, text, note.as_str(), actor, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "version": version, "taxonomy": taxonomy, "note": note,
        "reason": format!("taxonomy version {version} proposed; it applies once another admin approves it"),
    });
    append(tx, "taxonomy.proposed", actor, at, payload).await?;
    Ok(TaxonomyVersion {
        version,
        taxonomy,
        state: "proposed".into(),
        note,
        proposed_by: actor.to_owned(),
        proposed_at: from_micros(to_micros(at)),
        approved_by: None,
        approved_at: None,
    })
}

/// Approves a proposed version, making it current. The proposer cannot approve their own
/// proposal, an approved version cannot be approved again, and a version older than the current
/// one cannot become current (each a `Conflict` with the reason).
pub async fn approve(
    tx: &mut Tx,
    version: i64,
    actor: &str,
    at: Timestamp,
) -> Result<TaxonomyVersion, StoreError> {
    tx.lock(b"taxonomy_versions").await?;
    let row: Option<VersionRow> = tx.fetch_optional(ONE, crate::args![version]).await?;
    let mut stored =
        TaxonomyVersion::try_from(row.ok_or(StoreError::NotFound("taxonomy version"))?)?;
    if stored.state == "approved" {
        return Err(StoreError::Conflict(format!(
            "taxonomy version {version} is already approved"
        )));
    }
    if stored.proposed_by == actor {
        return Err(StoreError::Conflict(format!(
            "taxonomy version {version} was proposed by you; a second admin must approve it"
        )));
    }
    let (current, _) = current_in(tx).await?;
    if current > version {
        return Err(StoreError::Conflict(format!(
            "taxonomy version {current} is already current; version {version} is older"
        )));
    }
    tx.execute(
        "UPDATE taxonomy_versions SET state = 'approved', approved_by = $2, approved_at = $3 \
         WHERE version = $1",
        crate::args![version, actor, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "version": version, "proposed_by": stored.proposed_by,
        "reason": format!("taxonomy version {version} approved; it is now current"),
    });
    append(tx, "taxonomy.approved", actor, at, payload).await?;
    stored.state = "approved".into();
    stored.approved_by = Some(actor.to_owned());
    stored.approved_at = Some(from_micros(to_micros(at)));
    Ok(stored)
}
