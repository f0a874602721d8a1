//! Noise holds on the alerts table: the inputs `tocsin_domain::alerting::hold` decides with — a
//! held alert's latest occurrences (kept on the alert, at most the threshold's count) and its
//! key's triggers and resolves (each alert row's `first_seen_at` and `resolved_at`) — and the
//! hold applied: its kind and the deadline the held worker sleeps until.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::alerting::flap::FlapPolicy;
use tocsin_domain::alerting::hold::{History, HoldKind, NoiseCheck, NoiseHold, NoiseVerdict};
use tocsin_domain::id::{AlertId, ServiceId};

use super::transitions::explain;
use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The key's alerts whose trigger or resolve lies after `$3`, newest first.
const CHANGES: &str = "SELECT first_seen_at, resolved_at FROM alerts \
    WHERE service_id = $1 AND dedup_key = $2 AND (first_seen_at > $3 OR resolved_at > $3) \
    ORDER BY first_seen_at DESC LIMIT $4";

/// Where the flap window ends before `at`, and how many alert rows can matter: whether and until
/// when a key flaps depends only on its `max_changes + 1` latest changes, which the latest
/// `max_changes + 1` alerts (one trigger and at most one resolve each) contain.
fn changes_query(flap: FlapPolicy, at: Timestamp) -> (i64, i64) {
    let window = SignedDuration::from_secs(i64::from(flap.window_seconds));
    let since = at.checked_sub(window).unwrap_or(Timestamp::MIN);
    (to_micros(since), i64::from(flap.max_changes) + 1)
}

fn changes_of(rows: Vec<(i64, Option<i64>)>) -> Vec<Timestamp> {
    rows.into_iter()
        .flat_map(|(triggered, resolved)| std::iter::once(triggered).chain(resolved))
        .map(from_micros)
        .collect()
}

/// The triggers and resolves of `service`'s alerts under `dedup_key` that may count under `flap`
/// at `at` (bounded: see `changes_query`).
pub async fn key_changes(
    reader: Reader<'_>,
    service: ServiceId,
    dedup_key: &str,
    flap: FlapPolicy,
    at: Timestamp,
) -> Result<Vec<Timestamp>, StoreError> {
    let (since, limit) = changes_query(flap, at);
    let rows: Vec<(i64, Option<i64>)> = reader
        .fetch_all(CHANGES, crate::args![service.0, dedup_key, since, limit])
        .await?;
    Ok(changes_of(rows))
}

/// `key_changes` inside a write, under the key's lock.
async fn key_changes_in(
    tx: &mut Tx,
    service: ServiceId,
    dedup_key: &str,
    flap: FlapPolicy,
    at: Timestamp,
) -> Result<Vec<Timestamp>, StoreError> {
    let (since, limit) = changes_query(flap, at);
    let rows: Vec<(i64, Option<i64>)> = tx
        .fetch_all(CHANGES, crate::args![service.0, dedup_key, since, limit])
        .await?;
    Ok(changes_of(rows))
}

/// The stored occurrence instants (a JSON array of microseconds); unreadable text reads as none.
pub(super) fn parse_occurrences(text: Option<&str>) -> Vec<Timestamp> {
    text.and_then(|text| serde_json::from_str::<Vec<i64>>(text).ok())
        .unwrap_or_default()
        .into_iter()
        .map(from_micros)
        .collect()
}

pub(super) fn occurrences_text(occurrences: &[Timestamp]) -> String {
    let micros: Vec<i64> = occurrences.iter().copied().map(to_micros).collect();
    serde_json::Value::from(micros).to_string()
}

/// The noise rules' answer for a new trigger of `service` under `dedup_key` at `at`, and the
/// occurrences to keep on it.
pub(super) async fn decide_new(
    tx: &mut Tx,
    service: ServiceId,
    dedup_key: &str,
    check: &NoiseCheck,
    at: Timestamp,
) -> Result<(NoiseVerdict, Vec<Timestamp>), StoreError> {
    let changes = match check.flap() {
        Some(flap) => key_changes_in(tx, service, dedup_key, flap, at).await?,
        None => Vec::new(),
    };
    let history = History::new_trigger(at, changes);
    Ok((
        check.decide(&history, at),
        check.occurrences_to_keep(&history, at),
    ))
}

/// The noise rules' answer for a repeat at `at` of held alert `id`, counting the repeat as an
/// occurrence (kept on the alert); also the hold that applied until now.
pub(super) async fn decide_repeat(
    tx: &mut Tx,
    id: AlertId,
    service: ServiceId,
    dedup_key: &str,
    check: &NoiseCheck,
    at: Timestamp,
) -> Result<(NoiseVerdict, Option<HoldKind>), StoreError> {
    let (first_seen, recent, hold): (i64, Option<String>, Option<String>) = tx
        .fetch_one(
            "SELECT first_seen_at, recent_occurrences, hold FROM alerts WHERE id = $1",
            crate::args![id.0],
        )
        .await?;
    let changes = match check.flap() {
        Some(flap) => key_changes_in(tx, service, dedup_key, flap, at).await?,
        None => Vec::new(),
    };
    let kept = parse_occurrences(recent.as_deref());
    let history = History::repeat(from_micros(first_seen), &kept, at, changes);
    if check.threshold.is_some() {
        let keep = check.occurrences_to_keep(&history, at);
        tx.execute(
            "UPDATE alerts SET recent_occurrences = $2 WHERE id = $1",
            crate::args![id.0, occurrences_text(&keep)],
        )
        .await?;
    }
    let previous = hold.as_deref().and_then(HoldKind::parse);
    Ok((check.decide(&history, at), previous))
}

/// Records the noise hold that now applies to held alert `id` (none: another reason holds it),
/// with its deadline. A hold of another kind than `previous` is explained on the alert and is an
/// `alert.held` event on its timeline (which also tells the held worker of a new deadline).
pub async fn set_hold(
    tx: &mut Tx,
    id: AlertId,
    previous: Option<HoldKind>,
    hold: Option<&NoiseHold>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let held_until = hold.and_then(|h| h.revisit_at);
    tx.execute(
        "UPDATE alerts SET hold = $2, held_until = $3 WHERE id = $1",
        crate::args![
            id.0,
            hold.map(|h| h.kind.as_str()),
            held_until.map(to_micros)
        ],
    )
    .await?;
    if let Some(hold) = hold
        && previous != Some(hold.kind)
    {
        explain(tx, id, &hold.reason).await?;
        tx.append(NewEvent::new(
            "alert",
            id.0,
            "alert.held",
            actor,
            at,
            serde_json::json!({
                "hold": hold.kind, "reason": hold.reason, "held_until": held_until,
            }),
        ))
        .await?;
    }
    Ok(())
}

/// The earliest deadline of a noise hold on a held alert: when the held worker looks again.
pub async fn next_hold_deadline(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let (due,): (Option<i64>,) = reader.fetch_one("SELECT MIN(held_until) FROM alerts WHERE state = 'suppressed' AND held_until IS NOT NULL", crate::args![]).await?;
    Ok(due.map(from_micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_round_trip_and_bad_text_reads_as_none() {
        let at = Timestamp::from_second(1_800_000_000).expect("valid");
        let text = occurrences_text(&[at]);
        assert_eq!(parse_occurrences(Some(&text)), vec![at]);
        assert!(parse_occurrences(Some("not json")).is_empty());
        assert!(parse_occurrences(None).is_empty());
    }

    #[test]
    fn a_row_gives_its_trigger_and_its_resolve() {
        let changes = changes_of(vec![(3, None), (1, Some(2))]);
        assert_eq!(
            changes,
            vec![from_micros(3), from_micros(1), from_micros(2)]
        );
    }
}
